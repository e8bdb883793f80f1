/**
 * Admin app and flow inventory (the impact analysis reads these):
 * - PowerApps `GET /providers/Microsoft.PowerApps/scopes/admin/environments/{env}/apps`: app objects
 *   with `properties.connectionReferences` (keyed by connection id, each naming its api `id`);
 * - Flow `GET /providers/Microsoft.ProcessSimple/scopes/admin/environments/{env}/v2/flows`: flow
 *   summaries without connection references, and `…/flows/{flow}` with them.
 * Both lists page with `nextLink` and `$skiptoken`; an unknown environment is a 404.
 */
import { bapError, json, page, type Reply } from "../http.js";
import { route, type EmulatorContext, type Route, type RouteRequest } from "../routing.js";
import type { JsonObject, JsonValue } from "../types.js";

const POWERAPPS_ADMIN = "/providers/Microsoft.PowerApps/scopes/admin/environments/{environment}";
const FLOW_ADMIN = "/providers/Microsoft.ProcessSimple/scopes/admin/environments/{environment}";

function environmentIdOf(request: RouteRequest, context: EmulatorContext): string | undefined {
  const id = (request.params[0] ?? "").toLowerCase();
  return context.store.state.environments.some((environment) => environment.name.toLowerCase() === id)
    ? id
    : undefined;
}

function notFound(request: RouteRequest): Reply {
  return bapError(
    404,
    "EnvironmentNotFound",
    `The environment '${request.params[0] ?? ""}' could not be found in the tenant.`,
  );
}

function listApps(request: RouteRequest, context: EmulatorContext): Reply {
  const id = environmentIdOf(request, context);
  if (id === undefined) return notFound(request);
  const apps = context.store.state.apps[id] ?? [];
  return page(apps, { url: request.url, pageSize: context.pageSize, linkKey: "nextLink" });
}

/** The v2 list's summary of a flow: everything but the connection references and the definition. */
function flowSummary(flow: JsonValue): JsonValue {
  const record = flow as JsonObject;
  const properties = { ...(record.properties as JsonObject) };
  delete properties.connectionReferences;
  delete properties.definitionSummary;
  return { ...record, properties };
}

function listFlows(request: RouteRequest, context: EmulatorContext): Reply {
  const id = environmentIdOf(request, context);
  if (id === undefined) return notFound(request);
  const flows = context.store.state.flows[id] ?? [];
  return page(flows, {
    url: request.url,
    pageSize: context.pageSize,
    linkKey: "nextLink",
    render: flowSummary,
  });
}

function getFlow(request: RouteRequest, context: EmulatorContext): Reply {
  const id = environmentIdOf(request, context);
  if (id === undefined) return notFound(request);
  const name = (request.params[1] ?? "").toLowerCase();
  const flow = (context.store.state.flows[id] ?? []).find(
    (candidate) => typeof candidate.name === "string" && candidate.name.toLowerCase() === name,
  );
  return flow === undefined
    ? bapError(404, "FlowNotFound", `The flow '${request.params[1] ?? ""}' could not be found.`)
    : json(200, flow);
}

export function inventoryRoutes(): Route[] {
  return [
    // Source: TF provider internal/services/powerapps/api_powerapps.go
    route("GET", `${POWERAPPS_ADMIN}/apps`, "powerapps", listApps),
    // Source: PowerApps admin PowerShell module (Get-AdminFlow); bodies unverified (docs/emulator.md)
    route("GET", `${FLOW_ADMIN}/v2/flows`, "flow", listFlows),
    // Source: PowerApps admin PowerShell module (Get-AdminFlow); bodies unverified (docs/emulator.md)
    route("GET", `${FLOW_ADMIN}/flows/{flow}`, "flow", getFlow),
  ];
}
