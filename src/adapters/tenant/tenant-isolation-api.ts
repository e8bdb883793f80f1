/**
 * The tenant isolation policy (TF internal/services/tenant_isolation_policy): GET (404 = no policy) and the
 * wait after a PUT that answered 202. The PUT itself is a plan step, sent by the step executor.
 */
import { PpgovError } from "../../core/errors.js";
import { isolationPolicyPath } from "../../core/kinds/tenant-isolation.js";
import type { WireTenantIsolationPolicy } from "../../core/wire/types.js";
import type { HttpClient, HttpResponse } from "./http-client.js";
import { parseRetryAfterMs } from "./retry.js";

const ENDPOINT = "GET /providers/PowerPlatform.Governance/v1/tenants/{tenantId}/tenantIsolationPolicy";
const POLL_ENDPOINT = "GET <Location of a tenant isolation PUT>";

export interface IsolationPollOptions {
  /** Wait when a poll carries no Retry-After. Default 5 s (as the Terraform provider). */
  defaultIntervalMs: number;
  /** Retry-After is clamped to [min, max]. Defaults 2 s and 60 s. */
  minIntervalMs: number;
  maxIntervalMs: number;
  /** Give up after this long from the 202. Default 10 min. */
  deadlineMs: number;
}

export const DEFAULT_ISOLATION_POLL: IsolationPollOptions = {
  defaultIntervalMs: 5_000,
  minIntervalMs: 2_000,
  maxIntervalMs: 60_000,
  deadlineMs: 10 * 60_000,
};

/** The tenant's isolation policy, or null when it has none (the service answers 404). */
export async function getTenantIsolationPolicy(
  http: HttpClient,
  tenantId: string,
): Promise<WireTenantIsolationPolicy | null> {
  const response = await http.send<WireTenantIsolationPolicy>({
    method: "GET",
    api: "bap",
    path: isolationPolicyPath(tenantId),
    // Source: TF provider internal/services/tenant_isolation_policy/api_tenant_isolation_policy.go
    endpoint: ENDPOINT,
    expect: [200, 404],
    schema: "tenantIsolationPolicy",
  });
  return response.status === 404 ? null : response.body;
}

/**
 * After a PUT answered 202: polls its `Location` (or `Operation-Location`) until it answers 200.
 * 202 and 409 mean "still going"; each wait is the poll's Retry-After clamped to [min, max].
 */
export async function awaitTenantIsolation(
  http: HttpClient,
  accepted: HttpResponse<unknown>,
  what: string,
  options: Partial<IsolationPollOptions> = {},
): Promise<void> {
  const opts = { ...DEFAULT_ISOLATION_POLL, ...options };
  const header = accepted.headers.get("location") ?? accepted.headers.get("operation-location");
  if (header === null || header === "")
    throw new PpgovError(
      "TENANT_UNEXPECTED_RESPONSE",
      `${what}: the service accepted the change (202) but named no Location to follow; check the tenant isolation policy before running again`,
    );
  const url = http.resolver.follow(header, accepted.url);
  const deadline = http.now() + opts.deadlineMs;
  let last: HttpResponse<unknown> = accepted;
  for (;;) {
    const wait = pollWait(last, http.now(), opts);
    if (http.now() + wait > deadline)
      throw new PpgovError(
        "TENANT_LIFECYCLE_TIMEOUT",
        `${what} did not finish within ${Math.round(opts.deadlineMs / 1000)} s; it may still complete in the tenant, check before running again`,
      );
    await http.sleep(wait);
    last = await http.send<unknown>({
      method: "GET",
      url,
      // Source: TF provider internal/services/tenant_isolation_policy/api_tenant_isolation_policy.go (Location poll)
      endpoint: POLL_ENDPOINT,
      expect: [200, 202, 409],
    });
    if (last.status === 200) return;
  }
}

function pollWait(response: HttpResponse<unknown>, now: number, opts: IsolationPollOptions): number {
  const retryAfter = parseRetryAfterMs(response.headers.get("retry-after"), now);
  if (retryAfter === undefined) return opts.defaultIntervalMs;
  return Math.min(Math.max(retryAfter, opts.minIntervalMs), opts.maxIntervalMs);
}
