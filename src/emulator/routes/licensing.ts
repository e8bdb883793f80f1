/** Billing policies and their environment links (PP API, TF internal/services/licensing). */
import { randomUUID } from "node:crypto";
import { isRecord, json, page, ppError, timestamp, type Reply } from "../http.js";
import { route, type EmulatorContext, type Route, type RouteRequest } from "../routing.js";
import type { JsonObject, WireBillingPolicy } from "../types.js";

const FINAL_STATUSES = ["Enabled", "Disabled"];
const PRINCIPAL = { id: "5c8f7d2e-6a1b-4c3d-9e0f-1a2b3c4d5e6f", type: "User" };

function findPolicy(context: EmulatorContext, id: string): WireBillingPolicy | undefined {
  return context.store.state.billingPolicies.find((policy) => policy.id.toLowerCase() === id.toLowerCase());
}

function policyNotFound(id: string): Reply {
  return ppError(404, "BillingPolicyNotFound", `The billing policy '${id}' could not be found.`);
}

/** Environment ids are lower-cased both ways (TF internal/services/licensing/api_licensing.go). */
export function linkEnvironment(context: EmulatorContext, policyId: string, environmentId: string): void {
  unlinkEnvironment(context, environmentId);
  const links = context.store.state.billingPolicyEnvironments;
  (links[policyId] ??= []).push(environmentId.toLowerCase());
}

export function unlinkEnvironment(context: EmulatorContext, environmentId: string): void {
  const id = environmentId.toLowerCase();
  const links = context.store.state.billingPolicyEnvironments;
  for (const [policyId, members] of Object.entries(links))
    links[policyId] = members.filter((member) => member !== id);
}

function policyOfEnvironment(context: EmulatorContext, environmentId: string): WireBillingPolicy | undefined {
  const id = environmentId.toLowerCase();
  for (const [policyId, members] of Object.entries(context.store.state.billingPolicyEnvironments)) {
    if (members.includes(id)) return findPolicy(context, policyId);
  }
  return undefined;
}

/**
 * The `properties.billingPolicy` projection an environment GET shows with `$expand` (TF
 * internal/services/environment).
 */
export function billingProjection(context: EmulatorContext, environmentId: string): JsonObject | undefined {
  const policy = policyOfEnvironment(context, environmentId);
  if (!policy) return undefined;
  const payg = { payAsYouGoState: "Enabled" };
  const instrument = isRecord(policy.billingInstrument) ? policy.billingInstrument : {};
  return {
    id: policy.id,
    name: policy.name,
    type: typeof policy.type === "string" ? policy.type : "TenantOwned",
    status: policy.status,
    location: typeof policy.location === "string" ? policy.location : "",
    powerAutomatePolicy: {
      cloudFlowRunsPayAsYouGoState: "Enabled",
      desktopFlowUnattendedRunsPayAsYouGoState: "Enabled",
      desktopFlowAttendedRunsPayAsYouGoState: "Enabled",
    },
    powerAppsPolicy: payg,
    storagePolicy: payg,
    powerPlatformRequestsPolicy: payg,
    powerPagesPolicy: payg,
    powerVirtualAgentPolicy: payg,
    billingInstrument: { ...instrument, location: policy.location, provisioningStatus: "Succeeded" },
    createdOn: policy.createdOn,
    createdBy: policy.createdBy,
    lastModifiedOn: policy.lastModifiedOn,
    lastModifiedBy: policy.lastModifiedBy,
  };
}

/**
 * A policy as the API shows it; `Provisioning` for a moment after creation (TF
 * internal/services/licensing/api_licensing.go).
 */
function policyView(policy: WireBillingPolicy, context: EmulatorContext): WireBillingPolicy {
  const copy = structuredClone(policy);
  const until = context.billingProvisioningUntil.get(policy.id);
  if (until !== undefined && Date.now() < until) copy.status = "Provisioning";
  return copy;
}

function listPolicies(request: RouteRequest, context: EmulatorContext): Reply {
  const items = context.store.state.billingPolicies.map((policy) => policyView(policy, context));
  return page(items, { url: request.url, pageSize: context.pageSize, linkKey: "@odata.nextLink" });
}

function getPolicy(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const policy = findPolicy(context, id);
  return policy ? json(200, policyView(policy, context)) : policyNotFound(id);
}

function instrumentOf(
  body: Record<string, unknown>,
  name: string,
): { instrument: JsonObject } | { error: Reply } {
  const input = isRecord(body.billingInstrument) ? body.billingInstrument : undefined;
  const subscriptionId = typeof input?.subscriptionId === "string" ? input.subscriptionId : "";
  const resourceGroup = typeof input?.resourceGroup === "string" ? input.resourceGroup : "";
  if (!subscriptionId || !resourceGroup) {
    return {
      error: ppError(
        400,
        "InvalidBillingInstrument",
        "billingInstrument.subscriptionId and resourceGroup are required.",
      ),
    };
  }
  const instrument: JsonObject = {
    id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.PowerPlatform/accounts/${name}`,
    subscriptionId,
    resourceGroup,
  };
  return { instrument };
}

function createPolicy(request: RouteRequest, context: EmulatorContext): Reply {
  const body = isRecord(request.body) ? request.body : {};
  const name = typeof body.name === "string" ? body.name.trim() : "";
  if (name === "" || name.length > 100) {
    return ppError(400, "InvalidBillingPolicyName", `The billing policy name '${name}' is not valid.`);
  }
  const location = typeof body.location === "string" ? body.location.toLowerCase() : "";
  if (!context.reference.locations.some((entry) => entry.name === location)) {
    return ppError(400, "InvalidLocation", `The location '${location}' is not valid.`);
  }
  const status = typeof body.status === "string" ? body.status : "Enabled";
  if (!FINAL_STATUSES.includes(status))
    return ppError(400, "InvalidStatus", `The status '${status}' is not valid.`);
  const instrument = instrumentOf(body, name);
  if ("error" in instrument) return instrument.error;
  const now = timestamp();
  const policy: WireBillingPolicy = {
    id: randomUUID(),
    name,
    type: "TenantOwned",
    status,
    location,
    billingInstrument: instrument.instrument,
    createdOn: now,
    createdBy: { ...PRINCIPAL },
    lastModifiedOn: now,
    lastModifiedBy: { ...PRINCIPAL },
  };
  context.store.state.billingPolicies.push(policy);
  context.store.state.billingPolicyEnvironments[policy.id] = [];
  context.billingProvisioningUntil.set(policy.id, Date.now() + context.lifecycleDelayMs);
  return json(201, policyView(policy, context));
}

function updatePolicy(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const policy = findPolicy(context, id);
  if (!policy) return policyNotFound(id);
  const body = isRecord(request.body) ? request.body : {};
  if (body.name !== undefined) {
    if (typeof body.name !== "string" || body.name.trim() === "" || body.name.length > 100) {
      return ppError(400, "InvalidBillingPolicyName", `The billing policy name is not valid.`);
    }
    policy.name = body.name;
  }
  if (body.status !== undefined) {
    if (typeof body.status !== "string" || !FINAL_STATUSES.includes(body.status)) {
      return ppError(400, "InvalidStatus", `The status ${JSON.stringify(body.status)} is not valid.`);
    }
    policy.status = body.status;
  }
  policy.lastModifiedOn = timestamp();
  policy.lastModifiedBy = { ...PRINCIPAL };
  return json(200, policyView(policy, context));
}

function deletePolicy(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const policy = findPolicy(context, id);
  if (!policy) return policyNotFound(id);
  const state = context.store.state;
  state.billingPolicies = state.billingPolicies.filter((candidate) => candidate !== policy);
  delete state.billingPolicyEnvironments[policy.id];
  return json(204);
}

function policyEnvironments(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const policy = findPolicy(context, id);
  if (!policy) return policyNotFound(id);
  const members = context.store.state.billingPolicyEnvironments[policy.id] ?? [];
  return json(200, {
    value: members.map((environmentId) => ({ billingPolicyId: policy.id, environmentId })),
  });
}

function changeMembership(mode: "add" | "remove") {
  return (request: RouteRequest, context: EmulatorContext): Reply => {
    const id = request.params[0] ?? "";
    const policy = findPolicy(context, id);
    if (!policy) return policyNotFound(id);
    const body = isRecord(request.body) ? request.body : {};
    const ids = Array.isArray(body.environmentIds) ? body.environmentIds : undefined;
    if (!ids || !ids.every((entry): entry is string => typeof entry === "string")) {
      return ppError(400, "InvalidRequest", "environmentIds must be an array of environment ids.");
    }
    for (const environmentId of ids) {
      const known = context.store.state.environments.some(
        (env) => env.name.toLowerCase() === environmentId.toLowerCase(),
      );
      if (!known)
        return ppError(404, "EnvironmentNotFound", `The environment '${environmentId}' could not be found.`);
    }
    for (const environmentId of ids) {
      if (mode === "add") linkEnvironment(context, policy.id, environmentId);
      else {
        const links = context.store.state.billingPolicyEnvironments;
        links[policy.id] = (links[policy.id] ?? []).filter(
          (member) => member !== environmentId.toLowerCase(),
        );
      }
    }
    return json(200);
  };
}

export function licensingRoutes(): Route[] {
  const base = "/licensing/billingPolicies";
  return [
    // Source: TF provider internal/services/licensing/api_licensing.go
    route("GET", base, "ppapi", listPolicies),
    // Source: TF provider internal/services/licensing/api_licensing.go
    route("POST", base, "ppapi", createPolicy),
    // Source: TF provider internal/services/licensing/api_licensing.go
    route("GET", `${base}/{id}`, "ppapi", getPolicy),
    // Source: TF provider internal/services/licensing/api_licensing.go
    route("PUT", `${base}/{id}`, "ppapi", updatePolicy),
    // Source: TF provider internal/services/licensing/api_licensing.go
    route("DELETE", `${base}/{id}`, "ppapi", deletePolicy),
    // Source: TF provider internal/services/licensing/api_licensing.go
    route("GET", `${base}/{id}/environments`, "ppapi", policyEnvironments),
    // Source: TF provider internal/services/licensing/api_licensing.go
    route("POST", `${base}/{id}/environments/add`, "ppapi", changeMembership("add")),
    // Source: TF provider internal/services/licensing/api_licensing.go
    route("POST", `${base}/{id}/environments/remove`, "ppapi", changeMembership("remove")),
    // Source: TF provider internal/services/capacity/api_capacity.go
    route("GET", "/licensing/tenantCapacity", "ppapi", (_request, context) =>
      json(200, { ...context.store.state.tenantCapacity, tenantId: context.store.state.tenantId }),
    ),
  ];
}
