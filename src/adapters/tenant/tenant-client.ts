/**
 * The tenant client's shape, apart from `index.ts` that builds it: the live reader and the step
 * executor take a client, and `index.ts` re-exports them, so the type lives below all three.
 */
import type { AdminApi } from "./admin-api.js";
import type { GovernanceApi } from "./governance-api.js";
import type { GraphApi } from "./graph-api.js";
import type { HttpClient } from "./http-client.js";
import type { LicensingApi } from "./licensing-api.js";
import type { PowerAppsApi } from "./powerapps-api.js";

export interface TenantClient {
  admin: AdminApi;
  governance: GovernanceApi;
  powerApps: PowerAppsApi;
  licensing: LicensingApi;
  graph: GraphApi;
  /** The shared HTTP client (correlation id, retry budget). */
  http: HttpClient;
  /** What credential is in use, for a log line; never secret. */
  credential: string;
  /** True when PPGOV_ENDPOINT sends every call to one base URL (the emulator). */
  usesEndpointOverride: boolean;
}
