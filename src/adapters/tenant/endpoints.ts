import { PpgovError } from "../../core/errors.js";

/**
 * The one place that knows which host serves which API, which token scope each API needs, and how
 * `PPGOV_ENDPOINT` collapses every host onto one base URL (TF internal/constants/constants.go,
 * internal/api/client.go).
 */

/** The logical APIs ppgov calls. BAP and PowerApps share a token audience; Flow (admin inventory) has its own. */
export type ApiName = "bap" | "powerapps" | "ppapi" | "graph" | "flow";

export const CLOUD_NAMES = ["public", "gcc", "gcchigh", "dod", "china"] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

export interface CloudProfile {
  /** Base URLs (scheme + host) per API. */
  hosts: Record<ApiName, string>;
  /** OAuth client-credentials scopes per API. */
  scopes: Record<ApiName, string>;
  /** Entra ID authority for this cloud. */
  authorityHost: string;
  /** Host suffix of the tenant-sharded Power Platform API (`{30 chars}.{2 chars}.tenant.<suffix>`). */
  ppapiTenantSuffix: string;
}

/**
 * Sovereign clouds differ only in this table. Sources, and where they disagree (docs/authentication.md,
 * "Sovereign clouds"): BAP, PowerApps, Power Platform API hosts and authorities from the Terraform
 * provider's `internal/constants/constants.go`; the BAP/PowerApps and Flow audiences and the Flow hosts
 * from the PowerApps admin PowerShell module (`Microsoft.PowerApps.RestClientModule.psm1`,
 * `Get-AudienceForHostName`), which Learn's "Step 1 - Configure endpoints and Power Automate" (SharePoint
 * Migration Tool) agrees with; Graph hosts from Graph's "National cloud deployments". GCC High's Power
 * Platform API host is the Terraform provider's own endpoint table (comment) and Microsoft's
 * PowerPlatform-EnterprisePolicies module, not its constant `api.appsplatform.us` (DoD's host).
 * China's Flow host and audience have no source: unverified.
 */
export const CLOUDS: Record<CloudName, CloudProfile> = {
  public: profile({
    bap: "api.bap.microsoft.com",
    powerapps: "api.powerapps.com",
    ppapi: "api.powerplatform.com",
    graph: "graph.microsoft.com",
    powerappsScope: "https://service.powerapps.com/.default",
    flow: "api.flow.microsoft.com",
    flowScope: "https://service.flow.microsoft.com/.default",
    authority: "login.microsoftonline.com",
  }),
  gcc: profile({
    bap: "gov.api.bap.microsoft.us",
    powerapps: "gov.api.powerapps.us",
    ppapi: "api.gov.powerplatform.microsoft.us",
    graph: "graph.microsoft.com",
    // TF: https://service.powerapps.us/; the PowerShell module and Learn: https://gov.service.powerapps.us/.
    powerappsScope: "https://gov.service.powerapps.us/.default",
    flow: "gov.api.flow.microsoft.us",
    flowScope: "https://gov.service.flow.microsoft.us/.default",
    authority: "login.microsoftonline.com",
  }),
  gcchigh: profile({
    bap: "high.api.bap.microsoft.us",
    powerapps: "high.api.powerapps.us",
    // TF's constant says api.appsplatform.us (DoD's); its own endpoint table and EnterprisePolicies say this.
    ppapi: "api.high.powerplatform.microsoft.us",
    graph: "graph.microsoft.us",
    // TF: https://high.service.apps.appsplatform.us/; the PowerShell module and Learn: https://high.service.powerapps.us/.
    powerappsScope: "https://high.service.powerapps.us/.default",
    flow: "high.api.flow.microsoft.us",
    flowScope: "https://high.service.flow.microsoft.us/.default",
    authority: "login.microsoftonline.us",
  }),
  dod: profile({
    bap: "api.bap.appsplatform.us",
    powerapps: "api.apps.appsplatform.us",
    ppapi: "api.appsplatform.us",
    graph: "dod-graph.microsoft.us",
    powerappsScope: "https://service.apps.appsplatform.us/.default",
    flow: "api.flow.appsplatform.us",
    flowScope: "https://service.flow.appsplatform.us/.default",
    authority: "login.microsoftonline.us",
  }),
  china: profile({
    bap: "api.bap.partner.microsoftonline.cn",
    powerapps: "api.powerapps.cn",
    ppapi: "api.powerplatform.partner.microsoftonline.cn",
    graph: "microsoftgraph.chinacloudapi.cn",
    powerappsScope: "https://service.powerapps.cn/.default",
    // Unverified: no source names China's Flow host or audience.
    flow: "api.powerautomate.cn",
    flowScope: "https://service.powerautomate.cn/.default",
    authority: "login.chinacloudapi.cn",
  }),
};

function profile(hosts: {
  bap: string;
  powerapps: string;
  ppapi: string;
  graph: string;
  powerappsScope: string;
  flow: string;
  flowScope: string;
  authority: string;
}): CloudProfile {
  return {
    hosts: {
      bap: `https://${hosts.bap}`,
      powerapps: `https://${hosts.powerapps}`,
      ppapi: `https://${hosts.ppapi}`,
      graph: `https://${hosts.graph}`,
      flow: `https://${hosts.flow}`,
    },
    scopes: {
      bap: hosts.powerappsScope,
      powerapps: hosts.powerappsScope,
      ppapi: `https://${hosts.ppapi}/.default`,
      graph: `https://${hosts.graph}/.default`,
      flow: hosts.flowScope,
    },
    authorityHost: `https://${hosts.authority}`,
    ppapiTenantSuffix: `tenant.${hosts.ppapi}`,
  };
}

/** Path prefixes that identify the API whatever the host (lower-case; the services are case-insensitive). */
const PATH_PREFIXES: readonly (readonly [string, ApiName])[] = [
  ["/providers/microsoft.businessappplatform/", "bap"],
  ["/providers/powerplatform.governance/", "bap"],
  ["/providers/microsoft.powerapps/", "powerapps"],
  ["/providers/microsoft.processsimple/", "flow"],
  ["/licensing/", "ppapi"],
  ["/governance/", "ppapi"],
  ["/environmentmanagement/", "ppapi"],
  ["/v1.0/", "graph"],
];

/** The API a path belongs to, by its prefix; undefined for a path ppgov never calls. */
export function apiForPath(pathname: string): ApiName | undefined {
  const lower = `${pathname.toLowerCase()}/`;
  return PATH_PREFIXES.find(([prefix]) => lower.startsWith(prefix))?.[1];
}

export function isCloudName(value: string): value is CloudName {
  return (CLOUD_NAMES as readonly string[]).includes(value);
}

/**
 * Turns API-relative paths and absolute URLs returned by the service (`Location`, `nextLink`) into the
 * URL to call. With an endpoint override (PPGOV_ENDPOINT) every URL, whatever its host, is sent to
 * that base URL keeping its path and query; regional lifecycle hosts and paging links included.
 */
export class EndpointResolver {
  readonly cloud: CloudProfile;
  private readonly override: URL | undefined;

  constructor(options: { cloud?: CloudName; endpoint?: string | undefined }) {
    this.cloud = CLOUDS[options.cloud ?? "public"];
    this.override =
      options.endpoint === undefined || options.endpoint === "" ? undefined : parseBase(options.endpoint);
  }

  /** True when PPGOV_ENDPOINT redirects every call. */
  get overridden(): boolean {
    return this.override !== undefined;
  }

  /** The URL for `pathAndQuery` (starting with "/") on `api`'s host. */
  url(api: ApiName, pathAndQuery: string): URL {
    return this.rebase(new URL(pathAndQuery, this.cloud.hosts[api]));
  }

  /** The URL for the tenant-sharded Power Platform API host (rule sets, environmentmanagement). */
  tenantUrl(tenantId: string, pathAndQuery: string): URL {
    const compact = tenantId.replaceAll("-", "").toLowerCase();
    // The id becomes a host name, and the request carries a token: anything but a GUID could send it elsewhere.
    if (!/^[0-9a-f]{32}$/.test(compact))
      throw new PpgovError(
        "TENANT_ID_INVALID",
        `tenant id "${tenantId}" is not a GUID; refusing to build a host from it`,
      );
    const host = `https://${compact.slice(0, -2)}.${compact.slice(-2)}.${this.cloud.ppapiTenantSuffix}`;
    return this.rebase(new URL(pathAndQuery, host));
  }

  /**
   * A URL the service handed back (Location, Operation-Location, nextLink), possibly relative. Without
   * an override it must be HTTPS on one of this cloud's hosts, a regional host of BAP, PowerApps or
   * Flow (`emea.api.flow.microsoft.com:11777`, `europe.api.bap.microsoft.com`: one more DNS label, any
   * port), or the tenant-sharded Power Platform API host; and that host must serve the token audience
   * the link's path needs, so a Flow path on a PowerApps host is refused too.
   */
  follow(link: string, base: URL): URL {
    const url = new URL(link, base);
    if (this.override === undefined) {
      const problem = this.foreignBecause(url);
      if (problem !== undefined)
        throw new PpgovError(
          "TENANT_LINK_FOREIGN",
          `the service pointed to ${url.origin}, which ${problem}; refusing to send a token there`,
        );
    }
    return this.rebase(url);
  }

  /** Why a followed link may not get a token, or undefined when it may. */
  private foreignBecause(url: URL): string | undefined {
    const notOurs = "is not one of this cloud's Power Platform or Graph hosts";
    if (url.protocol !== "https:") return notOurs;
    const byHost = this.apiForHost(url.hostname);
    if (byHost === undefined) return notOurs;
    const byPath = apiForPath(url.pathname) ?? byHost;
    if (this.cloud.scopes[byPath] !== this.cloud.scopes[byHost])
      return `serves the ${byHost} token audience, not the ${byPath} one its path needs`;
    return undefined;
  }

  /**
   * The API a host serves: one of this cloud's hosts, a regional host of BAP, PowerApps or Flow (one
   * more DNS label in front, as admin listings' next links and lifecycle Locations use), or the
   * tenant-sharded Power Platform API host. Undefined for any other host.
   */
  apiForHost(hostname: string): ApiName | undefined {
    const host = hostname.toLowerCase();
    for (const api of ["bap", "powerapps", "ppapi", "graph", "flow"] as const) {
      if (host === new URL(this.cloud.hosts[api]).hostname) return api;
    }
    if (isUnder(host, this.cloud.ppapiTenantSuffix, 2)) return "ppapi";
    for (const api of REGIONAL_APIS) {
      if (isUnder(host, new URL(this.cloud.hosts[api]).hostname, 1)) return api;
    }
    return undefined;
  }

  /** The scope of the token a URL needs: by path prefix first (works through the override), else by host. */
  scopeFor(url: URL): string {
    return this.cloud.scopes[this.apiFor(url)];
  }

  apiFor(url: URL): ApiName {
    const byPath = apiForPath(this.logicalPath(url));
    if (byPath !== undefined) return byPath;
    return this.apiForHost(url.hostname) ?? "bap";
  }

  /** The path without the override's own base path, if any. */
  private logicalPath(url: URL): string {
    const basePath = this.override?.pathname.replace(/\/+$/, "") ?? "";
    return basePath !== "" && url.pathname.startsWith(basePath)
      ? url.pathname.slice(basePath.length)
      : url.pathname;
  }

  private rebase(url: URL): URL {
    if (this.override === undefined) return url;
    const basePath = this.override.pathname.replace(/\/+$/, "");
    return new URL(`${this.override.origin}${basePath}${url.pathname}${url.search}`);
  }
}

/** APIs whose services hand out links on regional hosts (`{region}.{global host}`). */
const REGIONAL_APIS = ["bap", "powerapps", "flow"] as const;

/** True when `host` is `suffix` with exactly `labels` more DNS labels in front (letters, digits, dashes). */
function isUnder(host: string, suffix: string, labels: number): boolean {
  if (!host.endsWith(`.${suffix}`)) return false;
  const front = host.slice(0, -suffix.length - 1).split(".");
  return front.length === labels && front.every((label) => /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(label));
}

function parseBase(endpoint: string): URL {
  try {
    const url = new URL(endpoint);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http(s)");
    return url;
  } catch {
    throw new PpgovError(
      "CONFIG_ENDPOINT",
      `PPGOV_ENDPOINT must be an http(s) base URL such as http://127.0.0.1:8080 (got "${endpoint}")`,
    );
  }
}
