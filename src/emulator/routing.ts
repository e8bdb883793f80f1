import type { IncomingHttpHeaders } from "node:http";
import type { FaultConfig } from "./faults.js";
import type { ApiFamily, Reply } from "./http.js";
import type { LifecycleRegistry } from "./lifecycle.js";
import type { StateStore } from "./store.js";
import type { JsonObject } from "./types.js";

/** Reference lists modelled on the recorded fixtures (locations, currencies, languages). */
export interface ReferenceData {
  locations: JsonObject[];
  currencies: JsonObject[];
  languages: JsonObject[];
}

/** Everything a route handler may use; passed in, no module state. */
export interface EmulatorContext {
  store: StateStore;
  lifecycle: LifecycleRegistry;
  reference: ReferenceData;
  pageSize: number;
  lifecycleDelayMs: number;
  /** Billing policy id → time until which it reports the transient `Provisioning` status. */
  billingProvisioningUntil: Map<string, number>;
  /** Environment id (lower case) → how its reads lag after an operation, and until when. */
  readLag: Map<string, ReadLag>;
  /** The faults in force (for `consistencyLagMs`). */
  faults: () => FaultConfig;
}

export interface ReadLag {
  until: number;
  /** After a create: metadata and billing projection not visible yet. */
  created: boolean;
  /** After an update: `states.management.id` still `Running`. */
  updated: boolean;
}

export interface RouteRequest {
  method: string;
  url: URL;
  /** Captured path segments, in pattern order. */
  params: string[];
  body: unknown;
  /** Base URL of this emulator, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  headers: IncomingHttpHeaders;
}

export type Handler = (request: RouteRequest, context: EmulatorContext) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  pattern: RegExp;
  family: ApiFamily;
  /** Mutating routes persist the state after a successful (< 400) answer. */
  mutates: boolean;
  handler: Handler;
}

const SEGMENT = "([^/]+)";

/**
 * Builds a route from a path template: `{x}` captures one segment. Matching is case-insensitive, as
 * the real services are (e.g. `billingPolicies` / `BillingPolicies`, TF
 * internal/services/licensing/api_licensing.go).
 */
export function route(
  method: string,
  template: string,
  family: ApiFamily,
  handler: Handler,
  options: { mutates?: boolean } = {},
): Route {
  const source = template
    .split("/")
    .map((part) => (/^\{\w+\}$/.test(part) ? SEGMENT : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return {
    method,
    pattern: new RegExp(`^${source}/?$`, "i"),
    family,
    mutates: options.mutates ?? method !== "GET",
    handler,
  };
}

/** The API family a path belongs to, for requests no route matches (auth and error dialect). */
export function familyOfPath(path: string): ApiFamily | undefined {
  const lower = path.toLowerCase();
  if (lower.startsWith("/providers/microsoft.businessappplatform/")) return "bap";
  if (lower.startsWith("/providers/powerplatform.governance/")) return "bap";
  if (lower.startsWith("/providers/microsoft.powerapps/")) return "powerapps";
  if (lower.startsWith("/providers/microsoft.processsimple/")) return "flow";
  if (/^\/(licensing|governance|environmentmanagement)(\/|$)/.test(lower)) return "ppapi";
  if (lower.startsWith("/v1.0/")) return "graph";
  return undefined;
}
