/**
 * `ppgov doctor`: gets a token for each audience the client uses, then sends each read probe once
 * (first pages only) and judges the answer with the client's own decoders. Reads only.
 */
import type { ApiName } from "./endpoints.js";
import { TenantApiError } from "./errors.js";
import type { Exchange } from "./http-client.js";
import type { TenantClient } from "./index.js";
import type { ProbeFindings, ReadProbe } from "./doctor-probes.js";
import type { DoctorReport, ProbeRequest, ProbeResult, TokenCheck } from "../../core/doctor/report.js";

export interface DoctorRun {
  report: DoctorReport;
  /** Every answer, with the probe that got it (for --record). */
  exchanges: { probe: string; exchange: Exchange }[];
}

/** What the identity lacks, when the service refused with 401/403. */
function describeFailure(error: unknown, probe: ReadProbe): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof TenantApiError && (error.status === 401 || error.status === 403))
    return `${message}; this read needs ${probe.needs}`;
  return message;
}

/** The scopes of the client's cloud, each with the APIs that use it (BAP and PowerApps share one). */
function audiences(client: TenantClient): { scope: string; apis: ApiName[] }[] {
  const byScope = new Map<string, ApiName[]>();
  for (const [api, scope] of Object.entries(client.http.resolver.cloud.scopes) as [ApiName, string][])
    byScope.set(scope, [...(byScope.get(scope) ?? []), api]);
  return [...byScope].map(([scope, apis]) => ({ scope, apis }));
}

async function checkToken(
  client: TenantClient,
  audience: { scope: string; apis: ApiName[] },
): Promise<TokenCheck> {
  const [api] = audience.apis;
  try {
    if (api !== undefined) await client.http.acquireToken(api);
    return { ...audience, verdict: "pass" };
  } catch (error) {
    return {
      ...audience,
      verdict: "fail",
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}

export async function runDoctor(client: TenantClient, probes: readonly ReadProbe[]): Promise<DoctorRun> {
  const tokens = await Promise.all(audiences(client).map((audience) => checkToken(client, audience)));
  const noToken = new Set(tokens.filter((token) => token.verdict === "fail").flatMap((token) => token.apis));
  const exchanges: DoctorRun["exchanges"] = [];
  let current: { name: string; requests: ProbeRequest[] } | undefined;
  const stop = client.http.onExchange((exchange) => {
    if (current === undefined) return;
    current.requests.push({ endpoint: exchange.endpoint, status: exchange.status });
    exchanges.push({ probe: current.name, exchange });
  });
  const found: ProbeFindings = {};
  const results: ProbeResult[] = [];
  try {
    // One after another: each answer belongs to the probe running, and later probes use earlier finds.
    for (const probe of probes) {
      const base = { name: probe.name, api: probe.api, usedBy: probe.usedBy };
      const skipped = (detail: string): ProbeResult => ({
        ...base,
        endpoint: undefined,
        status: undefined,
        verdict: "skip",
        detail,
        requests: [],
      });
      if (noToken.has(probe.api)) {
        results.push(skipped(`no token for ${client.http.resolver.cloud.scopes[probe.api]}`));
        continue;
      }
      if (probe.requires !== undefined && found[probe.requires] === undefined) {
        results.push(skipped(`nothing to read: the tenant has no object for it (${probe.requires})`));
        continue;
      }
      current = { name: probe.name, requests: [] };
      const requests = current.requests;
      const outcome = await probe.run(client, found).then(
        () => ({ verdict: "pass" as const }),
        (error: unknown) => ({ verdict: "fail" as const, detail: describeFailure(error, probe) }),
      );
      current = undefined;
      results.push({
        ...base,
        endpoint: requests[0]?.endpoint,
        status: requests.at(-1)?.status,
        ...outcome,
        requests,
      });
    }
  } finally {
    stop();
  }
  const passed =
    tokens.every((token) => token.verdict === "pass") && results.every((r) => r.verdict !== "fail");
  return { report: { credential: client.credential, tokens, probes: results, passed }, exchanges };
}
