import { PpgovError } from "../../core/errors.js";
import type { WireEnvironment, WireLifecycleOperation } from "../../core/wire/types.js";
import { TenantApiError } from "./errors.js";
import type { HttpClient, HttpResponse } from "./http-client.js";
import { parseRetryAfterMs } from "./retry.js";

export interface LifecycleOptions {
  /** Give up after this long (from the 202). Default 30 min: a Dataverse create can take 10+ minutes. */
  deadlineMs: number;
  /**
   * Wait between polls when no Retry-After says otherwise, once the first waits (below) have grown to
   * it. Default 5 s.
   */
  pollIntervalMs: number;
  /**
   * The first wait without a Retry-After; each next one doubles, up to pollIntervalMs (1 s, 2 s, 4 s,
   * then 5 s): a quick change ends in about a second instead of five, and a long one costs one or two
   * polls more at its start. Default 1 s.
   */
  firstPollIntervalMs: number;
  /** Upper bound for any wait between polls, Retry-After included. Default 60 s. */
  maxPollIntervalMs: number;
}

export const DEFAULT_LIFECYCLE_OPTIONS: LifecycleOptions = {
  deadlineMs: 30 * 60_000,
  pollIntervalMs: 5_000,
  firstPollIntervalMs: 1_000,
  maxPollIntervalMs: 60_000,
};

export interface LifecycleResult {
  /** The final operation; undefined when the call was synchronous or the operation was already gone (404). */
  operation: WireLifecycleOperation | undefined;
  /** The environment id from `links.environment.path` (create), when present. */
  environmentId: string | undefined;
}

/** A lifecycle operation ended Failed. */
export class LifecycleFailedError extends PpgovError {
  constructor(
    message: string,
    readonly operation: WireLifecycleOperation | WireEnvironment | undefined,
  ) {
    super("TENANT_LIFECYCLE_FAILED", message);
  }
}

const LIFECYCLE_ENDPOINT = "GET /providers/Microsoft.BusinessAppPlatform/lifecycleOperations/{id}";

/**
 * Follows the `Location` (or `Operation-Location`) of a BAP 202 until the operation ends
 * (TF internal/api/lifecycle.go): 200 with a terminal `state.id`, 404 (gone = succeeded), 409 (keep polling).
 * No header means the call was synchronous. `what` names the change for messages ("create environment X").
 */
export async function awaitLifecycle(
  http: HttpClient,
  accepted: HttpResponse<unknown>,
  what: string,
  options: Partial<LifecycleOptions> = {},
): Promise<LifecycleResult> {
  const operationUrl = operationLocation(http, accepted);
  if (operationUrl === undefined) return { operation: undefined, environmentId: undefined };
  const opts = { ...DEFAULT_LIFECYCLE_OPTIONS, ...options };
  const result = await pollLifecycle(http, operationUrl, retryAfterOf(http, accepted, opts), what, opts);
  return result === "gone" ? { operation: undefined, environmentId: undefined } : result;
}

/**
 * Polls a lifecycle operation an earlier, interrupted run started (`location` as its journal recorded it)
 * until it ends. The URL goes through the same host checks as a fresh `Location`. Resolves "gone" when the
 * service no longer knows the operation (404: finished long ago, or never existed), since then nothing
 * tells whether it succeeded; throws LifecycleFailedError when it ended Failed.
 */
export async function resumeLifecycle(
  http: HttpClient,
  location: string,
  what: string,
  options: Partial<LifecycleOptions> = {},
): Promise<LifecycleResult | "gone"> {
  const opts = { ...DEFAULT_LIFECYCLE_OPTIONS, ...options };
  return pollLifecycle(http, followJournaled(http, location), undefined, what, opts);
}

/**
 * The URL of the operation a 202 started, as the journal keeps it: the service's own URL (not the
 * PPGOV_ENDPOINT rebase), with only its `api-version` query, so that no signed query string or other
 * credential ever reaches the journal file. Undefined when the call was synchronous (no header).
 */
export function journalLocation(accepted: HttpResponse<unknown>): string | undefined {
  const header = accepted.headers.get("location") ?? accepted.headers.get("operation-location");
  if (header === null || header === "") return undefined;
  const url = new URL(header, accepted.url);
  const version = url.searchParams.get("api-version");
  const kept = new URL(`${url.origin}${url.pathname}`);
  if (version !== null) kept.searchParams.set("api-version", version);
  return kept.href;
}

function followJournaled(http: HttpClient, location: string): URL {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new PpgovError(
      "JOURNAL_LOCATION_INVALID",
      `the apply journal names an operation URL that is not a URL ("${location.slice(0, 80)}")`,
    );
  }
  return http.resolver.follow(url.href, url);
}

/**
 * Polls until the operation is terminal. `interval` is the 202's Retry-After; without one (or for a
 * resumed operation), each poll's own Retry-After, else the growing default wait (defaultWait).
 */
async function pollLifecycle(
  http: HttpClient,
  operationUrl: URL,
  interval: number | undefined,
  what: string,
  opts: LifecycleOptions,
): Promise<LifecycleResult | "gone"> {
  const deadline = http.now() + opts.deadlineMs;
  for (let poll = 1; ; poll++) {
    const response = await http.send<unknown>({
      method: "GET",
      url: operationUrl,
      // Source: TF provider internal/api/lifecycle.go (DoWaitForLifecycleOperationStatus)
      endpoint: LIFECYCLE_ENDPOINT,
      expect: [200, 202, 404, 409],
    });
    if (response.status === 404) return "gone";
    if (response.status === 200 && isLifecycleOperation(response.body)) {
      const operation = response.body;
      if (operation.state.id === "Succeeded") return { operation, environmentId: environmentIdOf(operation) };
      if (operation.state.id === "Failed")
        throw new LifecycleFailedError(failureMessage(what, operation), operation);
    } else if (response.status === 200 && response.body !== undefined) {
      throw new PpgovError(
        "TENANT_UNEXPECTED_RESPONSE",
        `unexpected response from ${LIFECYCLE_ENDPOINT}: state.id is missing (while waiting for ${what})`,
      );
    }
    const wait = interval ?? retryAfterOf(http, response, opts) ?? defaultWait(poll, opts);
    await waitOrGiveUp(http, deadline, wait, what, opts);
  }
}

/**
 * The `provisionInstance` (add Dataverse) variant: the Location answers with an **environment**, which
 * is done when `properties.provisioningState` is "Succeeded" (TF
 * internal/services/environment/api_environment.go). Tolerates a lifecycle operation body too.
 */
export async function awaitProvisioning(
  http: HttpClient,
  accepted: HttpResponse<unknown>,
  what: string,
  options: Partial<LifecycleOptions> = {},
): Promise<void> {
  const operationUrl = operationLocation(http, accepted);
  if (operationUrl === undefined) return;
  const opts = { ...DEFAULT_LIFECYCLE_OPTIONS, ...options };
  await pollProvisioning(http, operationUrl, retryAfterOf(http, accepted, opts), what, opts);
}

/** `resumeLifecycle` for a `provisionInstance` an interrupted run started: "done", or "gone" on 404. */
export async function resumeProvisioning(
  http: HttpClient,
  location: string,
  what: string,
  options: Partial<LifecycleOptions> = {},
): Promise<"done" | "gone"> {
  const opts = { ...DEFAULT_LIFECYCLE_OPTIONS, ...options };
  return pollProvisioning(http, followJournaled(http, location), undefined, what, opts);
}

async function pollProvisioning(
  http: HttpClient,
  operationUrl: URL,
  interval: number | undefined,
  what: string,
  opts: LifecycleOptions,
): Promise<"done" | "gone"> {
  const deadline = http.now() + opts.deadlineMs;
  for (let poll = 1; ; poll++) {
    const response = await http.send<unknown>({
      method: "GET",
      url: operationUrl,
      // Source: TF provider internal/api/lifecycle.go (DoWaitForLifecycleOperationStatus)
      endpoint: LIFECYCLE_ENDPOINT,
      expect: [200, 202, 404, 409],
    });
    if (response.status === 404) return "gone";
    const body = response.body;
    if (response.status === 200 && isLifecycleOperation(body)) {
      if (body.state.id === "Succeeded") return "done";
      if (body.state.id === "Failed") throw new LifecycleFailedError(failureMessage(what, body), body);
    } else if (response.status === 200 && isEnvironmentLike(body)) {
      const state = body.properties.provisioningState;
      if (state === "Succeeded") return "done";
      if (state !== undefined && !PROVISIONING_STATES.has(state)) {
        throw new LifecycleFailedError(`${what} failed: provisioningState is "${state}"`, body);
      }
    }
    const wait = interval ?? retryAfterOf(http, response, opts) ?? defaultWait(poll, opts);
    await waitOrGiveUp(http, deadline, wait, what, opts);
  }
}

/** Non-terminal provisioning states of the provisionInstance poll. */
const PROVISIONING_STATES = new Set(["LinkedDatabaseProvisioning", "Provisioning", "Running", "NotStarted"]);

function operationLocation(http: HttpClient, accepted: HttpResponse<unknown>): URL | undefined {
  const header = accepted.headers.get("location") ?? accepted.headers.get("operation-location");
  if (header === null || header === "") return undefined;
  return http.resolver.follow(header, accepted.url);
}

/** A response's Retry-After (the 202's, or a poll's), capped; undefined when it has none. */
function retryAfterOf(
  http: HttpClient,
  response: HttpResponse<unknown>,
  opts: LifecycleOptions,
): number | undefined {
  const retryAfter = parseRetryAfterMs(response.headers.get("retry-after"), http.now());
  return retryAfter === undefined ? undefined : Math.min(retryAfter, opts.maxPollIntervalMs);
}

/** The wait after poll number `poll` when no Retry-After says: 1 s, 2 s, 4 s, then pollIntervalMs. */
function defaultWait(poll: number, opts: LifecycleOptions): number {
  const grown = opts.firstPollIntervalMs * 2 ** Math.min(poll - 1, 30);
  return Math.min(grown, opts.pollIntervalMs, opts.maxPollIntervalMs);
}

async function waitOrGiveUp(
  http: HttpClient,
  deadline: number,
  interval: number,
  what: string,
  opts: LifecycleOptions,
): Promise<void> {
  if (http.now() + interval > deadline) {
    throw new PpgovError(
      "TENANT_LIFECYCLE_TIMEOUT",
      `${what} did not finish within ${Math.round(opts.deadlineMs / 1000)} s; it may still complete in the tenant, check before running again`,
    );
  }
  await http.sleep(interval);
}

function isLifecycleOperation(body: unknown): body is WireLifecycleOperation {
  if (typeof body !== "object" || body === null) return false;
  const state = (body as { state?: unknown }).state;
  return typeof state === "object" && state !== null && typeof (state as { id?: unknown }).id === "string";
}

function isEnvironmentLike(body: unknown): body is WireEnvironment {
  if (typeof body !== "object" || body === null) return false;
  const properties = (body as { properties?: unknown }).properties;
  return typeof properties === "object" && properties !== null;
}

/** The last segment of `links.environment.path`, which holds a new environment's id. */
export function environmentIdOf(operation: WireLifecycleOperation): string | undefined {
  const path = operation.links?.environment?.path ?? "";
  const id = path
    .split("/")
    .filter((s) => s !== "")
    .pop();
  return id === undefined || id === "" ? undefined : id;
}

function failureMessage(what: string, operation: WireLifecycleOperation): string {
  const failedStage = operation.stages?.find((stage) => stage.state.id === "Failed");
  const stage = failedStage === undefined ? "" : ` at stage "${failedStage.name ?? failedStage.id}"`;
  const type = operation.type?.id === undefined ? "" : `, type ${operation.type.id}`;
  return `${what} failed${stage} (lifecycle operation ${operation.id}${type})`;
}

/**
 * Re-sends a BAP call refused with 409 OperationNotStartable (another lifecycle operation is running
 * on the environment) after `intervalMs`, up to `retries` times. Nothing was started, so this is safe
 * even for a create. With `emptyConflictIsBusy`, a bare 409 counts too (DELETE, TF
 * internal/services/environment/api_environment.go). Any other 409 is final.
 */
export async function retryWhileBusy<T>(
  http: HttpClient,
  call: () => Promise<HttpResponse<T>>,
  options: { retries: number; intervalMs: number; emptyConflictIsBusy: boolean },
): Promise<HttpResponse<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const busy =
        error instanceof TenantApiError &&
        error.status === 409 &&
        (error.serviceCode === "OperationNotStartable" ||
          (options.emptyConflictIsBusy &&
            error.serviceCode === undefined &&
            error.serviceMessage === undefined));
      if (!busy || attempt > options.retries) throw error;
      await http.sleep(options.intervalMs);
    }
  }
}

/**
 * For calls whose 409 can also mean "the environment already is as asked" (managed-environment
 * settings, TF internal/services/managed_environment): `call` (which retries "busy" itself) is sent; after
 * any other 409, `alreadyDone` looks at the tenant. Undefined when it is: there is nothing left to do.
 * Otherwise the call is sent again after `intervalMs`, up to `retries` times, and the last 409 is thrown.
 */
export async function retryUnlessAlreadyDone<T>(
  http: HttpClient,
  call: () => Promise<HttpResponse<T>>,
  alreadyDone: () => Promise<boolean>,
  options: { retries: number; intervalMs: number },
): Promise<HttpResponse<T> | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof TenantApiError) || error.status !== 409) throw error;
      if (await alreadyDone()) return undefined;
      if (attempt > options.retries) throw error;
      await http.sleep(options.intervalMs);
    }
  }
}

/**
 * How often an environment DELETE whose lifecycle operation ended Failed is sent again: 10, as the
 * Terraform provider does (`internal/services/environment/api_environment.go`,
 * `deleteEnvironmentWithRetry`, bounded by `constants.MAX_RETRY_COUNT` = 10 in
 * `internal/constants/constants.go`).
 */
export const DELETE_RESENDS = 10;

/**
 * Runs `attempt` (send a DELETE and wait for its lifecycle operation) and, while its operation ends
 * Failed, sends it again after `intervalMs`, at most `resends` more times. Only for deletes: sending a
 * delete again cannot make a second object. The last failure is thrown, saying how often it was sent.
 */
export async function resendWhileFailed<T>(
  http: HttpClient,
  attempt: () => Promise<T>,
  options: { resends: number; intervalMs: number },
): Promise<T> {
  for (let resent = 0; ; resent++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof LifecycleFailedError)) throw error;
      if (resent >= options.resends) {
        if (resent === 0) throw error;
        throw new LifecycleFailedError(
          `${error.message}; sent ${resent + 1} times, each operation ended Failed`,
          error.operation,
        );
      }
      await http.sleep(options.intervalMs);
    }
  }
}
