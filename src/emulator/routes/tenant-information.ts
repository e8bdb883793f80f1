import { graphError, json, type Reply } from "../http.js";
import { route, type EmulatorContext, type Route, type RouteRequest } from "../routing.js";

/** `findTenantInformationByDomainName(domainName='contoso.com')` → the domain; quotes doubled inside (OData). */
const CALL = /^findTenantInformationByDomainName\(domainName='((?:[^']|'')*)'\)$/i;

function findByDomain(request: RouteRequest, context: EmulatorContext): Reply {
  const match = CALL.exec(request.params[0] ?? "");
  if (match === null)
    return graphError(400, "BadRequest", `Resource not found for the segment '${request.params[0] ?? ""}'.`);
  const domain = (match[1] ?? "").replace(/''/g, "'").toLowerCase();
  const entry = Object.entries(context.store.state.tenantDomains).find(
    ([candidate]) => candidate.toLowerCase() === domain,
  );
  if (entry === undefined)
    return graphError(404, "Request_ResourceNotFound", `Tenant with domain name '${domain}' was not found.`);
  const [defaultDomainName, tenantId] = entry;
  // Source: Graph "tenantRelationship: findTenantInformationByDomainName" (Response: 200 and a tenantInformation object; example response)
  return json(200, {
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.tenantInformation",
    tenantId,
    federationBrandName: null,
    displayName: null,
    defaultDomainName,
  });
}

export function tenantInformationRoutes(): Route[] {
  return [
    // Source: Graph "tenantRelationship: findTenantInformationByDomainName" (GET /tenantRelationships/findTenantInformationByDomainName(domainName='{id}'))
    route("GET", "/v1.0/tenantRelationships/{call}", "graph", findByDomain),
  ];
}
