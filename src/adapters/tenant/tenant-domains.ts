/**
 * Other tenants' domains → tenant ids, for TenantIsolation entries written by domain. Microsoft Graph's
 * "tenantRelationship: findTenantInformationByDomainName" (permission CrossTenantInformation.ReadBasic.All,
 * no Entra role needed) answers a tenantInformation whose `tenantId` is the id.
 */
import type { HttpClient } from "./http-client.js";
import type { ReadPools } from "./concurrency.js";

/** The part of Graph's tenantInformation resource ppgov reads (Graph "tenantInformation resource type"). */
export interface WireTenantInformation {
  tenantId: string;
  defaultDomainName?: string | null;
  displayName?: string | null;
}

/** OData string literal: a quote inside is doubled (OData URL conventions, 5.1.1.6.1 "Primitive literals"). */
function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** One domain's tenant id (lower case), or null when Graph finds no tenant with it (404). */
export async function findTenantIdByDomain(http: HttpClient, domain: string): Promise<string | null> {
  const response = await http.send<WireTenantInformation>({
    method: "GET",
    api: "graph",
    path: `/v1.0/tenantRelationships/findTenantInformationByDomainName(domainName=${encodeURIComponent(odataString(domain))})`,
    // Source: Graph "tenantRelationship: findTenantInformationByDomainName" (GET /tenantRelationships/findTenantInformationByDomainName(domainName='{id}'); 404 Request_ResourceNotFound per Graph "Microsoft Graph error responses")
    endpoint: "GET /v1.0/tenantRelationships/findTenantInformationByDomainName",
    expect: [200, 404],
    schema: "tenantInformation",
  });
  return response.status === 404 ? null : response.body.tenantId.toLowerCase();
}

/** Every domain (lower case) → tenant id or null, one GET each in the Graph read pool. */
export async function resolveTenantDomains(
  http: HttpClient,
  domains: readonly string[],
  pools: ReadPools,
): Promise<Record<string, string | null>> {
  const ids = await pools.map("graph", domains, (domain) => findTenantIdByDomain(http, domain));
  return Object.fromEntries(domains.map((domain, index) => [domain.toLowerCase(), ids[index] ?? null]));
}
