/**
 * Environments (TF internal/services/environment): list, get, create, update and delete through lifecycle
 * operations.
 */
import { randomUUID } from "node:crypto";
import { buildEnvironment, type DataverseRequest } from "../environment-factory.js";
import { bapError, isRecord, json, page, ZERO_GUID, type Reply } from "../http.js";
import { route, type EmulatorContext, type Route, type RouteRequest } from "../routing.js";
import type { JsonObject, WireEnvironment } from "../types.js";
import {
  findEnvironment,
  BAP,
  CADENCES,
  CREATABLE_SKUS,
  DOMAIN_PATTERN,
  RUNTIME_STATES,
  busy,
  dataverseRequest,
  domainInUse,
  groupExists,
  isReply,
  notFound,
  operationReply,
  propertyChanges,
  startOperation,
  stringField,
  view,
} from "./environment-common.js";

function listEnvironments(request: RouteRequest, context: EmulatorContext): Reply {
  let environments = context.store.state.environments;
  const filter = request.url.searchParams.get("$filter");
  const groupFilter = filter
    ? /properties\/parentEnvironmentGroup\/id\s+eq\s+'?([0-9a-f-]+)'?/i.exec(filter)
    : null;
  if (groupFilter?.[1]) {
    const groupId = groupFilter[1].toLowerCase();
    environments = environments.filter((env) => {
      const parent = env.properties.parentEnvironmentGroup;
      return isRecord(parent) && typeof parent.id === "string" && parent.id.toLowerCase() === groupId;
    });
  }
  // Views of the requested page only: rendering all of them per page made paging quadratic.
  return page(environments, {
    url: request.url,
    pageSize: context.pageSize,
    linkKey: "nextLink",
    render: (env) => view(env as WireEnvironment, request.url, context, true),
  });
}

function getEnvironment(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const env = findEnvironment(context, id);
  return env ? json(200, view(env, request.url, context)) : notFound(id);
}

function createEnvironment(request: RouteRequest, context: EmulatorContext): Reply {
  const body = request.body;
  if (!isRecord(body) || !isRecord(body.properties)) {
    return bapError(
      400,
      "InvalidRequestContent",
      "The request body must contain 'location' and 'properties'.",
    );
  }
  const properties = body.properties;
  const location = typeof body.location === "string" ? body.location.toLowerCase() : "";
  const locationEntry = context.reference.locations.find((entry) => entry.name === location);
  if (!locationEntry) {
    return bapError(
      400,
      "InvalidLocation",
      `The location '${location}' is not a valid environment location.`,
    );
  }
  const regions = isRecord(locationEntry.properties) ? locationEntry.properties.azureRegions : undefined;
  const regionList = Array.isArray(regions) ? regions.filter((r): r is string => typeof r === "string") : [];
  const azureRegion = stringField(properties, "azureRegion") ?? regionList[0] ?? location;
  if (!regionList.includes(azureRegion)) {
    return bapError(
      400,
      "InvalidAzureRegion",
      `The Azure region '${azureRegion}' is not available in '${location}'.`,
    );
  }
  const sku = stringField(properties, "environmentSku") ?? "";
  if (!CREATABLE_SKUS.includes(sku)) {
    return bapError(
      400,
      "InvalidEnvironmentSku",
      `The environment SKU '${sku}' is not valid for a new environment.`,
    );
  }
  const displayName = stringField(properties, "displayName")?.trim() ?? "";
  if (displayName === "")
    return bapError(400, "InvalidDisplayName", "The environment display name is required.");
  const cadence = isRecord(properties.updateCadence)
    ? stringField(properties.updateCadence, "id")
    : undefined;
  if (cadence !== undefined && !CADENCES.includes(cadence)) {
    return bapError(400, "InvalidUpdateCadence", `The update cadence '${cadence}' is not valid.`);
  }
  const groupId = isRecord(properties.parentEnvironmentGroup)
    ? stringField(properties.parentEnvironmentGroup, "id")
    : undefined;
  if (groupId && groupId !== ZERO_GUID && !groupExists(context, groupId)) {
    return bapError(400, "EnvironmentGroupNotFound", `The environment group '${groupId}' does not exist.`);
  }
  const policyId = isRecord(properties.billingPolicy)
    ? stringField(properties.billingPolicy, "id")
    : undefined;
  if (
    policyId &&
    policyId !== ZERO_GUID &&
    !context.store.state.billingPolicies.some((p) => p.id === policyId)
  ) {
    return bapError(400, "BillingPolicyNotFound", `The billing policy '${policyId}' could not be found.`);
  }
  const id = randomUUID();
  let dataverse: DataverseRequest | undefined;
  const wantsDataverse =
    isRecord(properties.linkedEnvironmentMetadata) || properties.databaseType === "CommonDataService";
  if (wantsDataverse) {
    const input = isRecord(properties.linkedEnvironmentMetadata) ? properties.linkedEnvironmentMetadata : {};
    const fallback =
      displayName
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "")
        .slice(0, 20) || `org${id.slice(0, 8)}`;
    const result = dataverseRequest(context, input, fallback, displayName);
    if (isReply(result)) return result;
    dataverse = result;
  }
  const tenantId = context.store.state.tenantId;
  const environment = buildEnvironment(
    {
      id,
      location,
      azureRegion,
      displayName,
      description: stringField(properties, "description") ?? "",
      sku,
      tenantId,
      ...(cadence ? { updateCadence: cadence } : {}),
      ...(groupId && groupId !== ZERO_GUID ? { parentEnvironmentGroupId: groupId } : {}),
      ...(isRecord(properties.cluster) && stringField(properties.cluster, "category")
        ? { cluster: stringField(properties.cluster, "category") }
        : {}),
      ...(sku === "Developer" && isRecord(properties.usedBy)
        ? { usedBy: { id: stringField(properties.usedBy, "id") ?? "", type: "User", tenantId } }
        : {}),
      ...(typeof properties.bingChatEnabled === "boolean"
        ? { bingChatEnabled: properties.bingChatEnabled }
        : {}),
      ...(typeof properties.m365Enabled === "boolean" ? { m365Enabled: properties.m365Enabled } : {}),
      ...(dataverse ? { dataverse } : {}),
    },
    new Date(),
  );
  const operation = startOperation(context, {
    environmentId: id,
    type: "Create",
    effect: {
      kind: "addEnvironment",
      environment: environment as unknown as JsonObject,
      ...(policyId && policyId !== ZERO_GUID ? { billingPolicyId: policyId } : {}),
    },
  });
  return operationReply(request, operation);
}

/** Applies a PATCH body to an environment; returns an error reply when a value is invalid. */
function patchEnvironment(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const env = findEnvironment(context, id);
  if (!env) return notFound(id);
  if (context.lifecycle.isBusy(env.name)) return busy(env.name);
  const body = request.body;
  if (!isRecord(body) || !isRecord(body.properties)) {
    return bapError(400, "InvalidRequestContent", "The request body must contain 'properties'.");
  }
  const patch = body.properties;
  const changes: ((target: JsonObject) => void)[] = [];
  let billingPolicyId: string | null | undefined;
  for (const key of ["displayName", "description"] as const) {
    const value = patch[key];
    if (typeof value === "string") changes.push((target) => (target[key] = value));
  }
  if (isRecord(patch.updateCadence)) {
    const cadence = stringField(patch.updateCadence, "id");
    if (!cadence || !CADENCES.includes(cadence)) {
      return bapError(400, "InvalidUpdateCadence", `The update cadence '${String(cadence)}' is not valid.`);
    }
    changes.push((target) => (target.updateCadence = { id: cadence }));
  }
  if (isRecord(patch.parentEnvironmentGroup)) {
    const groupId = stringField(patch.parentEnvironmentGroup, "id") ?? ZERO_GUID;
    if (groupId !== ZERO_GUID && groupId !== "" && !groupExists(context, groupId)) {
      return bapError(400, "EnvironmentGroupNotFound", `The environment group '${groupId}' does not exist.`);
    }
    changes.push((target) => {
      if (groupId === ZERO_GUID || groupId === "") delete target.parentEnvironmentGroup;
      else target.parentEnvironmentGroup = { id: groupId };
    });
  }
  if (isRecord(patch.states) && isRecord(patch.states.runtime)) {
    const runtime = stringField(patch.states.runtime, "id");
    if (!runtime || !RUNTIME_STATES.includes(runtime)) {
      return bapError(400, "InvalidRuntimeState", `The runtime state '${String(runtime)}' is not valid.`);
    }
    changes.push((target) => {
      const states = isRecord(target.states) ? target.states : {};
      const current = isRecord(states.runtime) ? states.runtime : {};
      target.states = { ...states, runtime: { ...current, id: runtime } };
    });
  }
  if (isRecord(patch.linkedEnvironmentMetadata) && isRecord(env.properties.linkedEnvironmentMetadata)) {
    const input = patch.linkedEnvironmentMetadata;
    const domainName = stringField(input, "domainName");
    if (domainName !== undefined && domainName !== "") {
      if (!DOMAIN_PATTERN.test(domainName)) {
        return bapError(400, "InvalidDomainName", `The domain name '${domainName}' is not valid.`);
      }
      if (domainInUse(context, domainName, env.name)) {
        return bapError(400, "DomainNameAlreadyInUse", `The domain name '${domainName}' is already in use.`);
      }
    }
    changes.push((target) => {
      const metadata = target.linkedEnvironmentMetadata as JsonObject;
      if (domainName) metadata.domainName = domainName.toLowerCase();
      const group = stringField(input, "securityGroupId");
      if (group !== undefined) {
        if (group === "" || group === ZERO_GUID) delete metadata.securityGroupId;
        else metadata.securityGroupId = group;
      }
      const background = stringField(input, "backgroundOperationsState");
      if (background === "Enabled" || background === "Disabled")
        metadata.backgroundOperationsState = background;
    });
  }
  if (isRecord(patch.billingPolicy)) {
    const policyId = stringField(patch.billingPolicy, "id") ?? ZERO_GUID;
    if (
      policyId !== ZERO_GUID &&
      policyId !== "" &&
      !context.store.state.billingPolicies.some((p) => p.id === policyId)
    ) {
      return bapError(400, "BillingPolicyNotFound", `The billing policy '${policyId}' could not be found.`);
    }
    billingPolicyId = policyId !== ZERO_GUID && policyId !== "" ? policyId : null;
  }
  const aiChanges = aiFeatureChanges(patch, env.properties);
  if (
    aiChanges.length === 0 &&
    changes.length === 0 &&
    billingPolicyId === undefined &&
    hasOnlyAiKeys(patch)
  ) {
    // AI-features PATCH that changes nothing (TF internal/services/environment/api_environment.go)
    return json(204);
  }
  changes.push(...aiChanges);
  // The changed properties are computed now, as data, so a pending update survives a restart.
  const after = structuredClone(env.properties);
  for (const change of changes) change(after);
  const operation = startOperation(context, {
    environmentId: env.name,
    type: "Update",
    effect: {
      kind: "setProperties",
      environmentId: env.name,
      ...propertyChanges(env.properties, after),
      ...(billingPolicyId === undefined ? {} : { billingPolicyId }),
    },
  });
  return operationReply(request, operation);
}

const AI_KEYS = ["bingChatEnabled", "m365Enabled", "copilotPolicies"];

function hasOnlyAiKeys(patch: Record<string, unknown>): boolean {
  const keys = Object.keys(patch);
  return keys.length > 0 && keys.every((key) => AI_KEYS.includes(key));
}

function aiFeatureChanges(
  patch: Record<string, unknown>,
  current: JsonObject,
): ((target: JsonObject) => void)[] {
  const changes: ((target: JsonObject) => void)[] = [];
  for (const key of ["bingChatEnabled", "m365Enabled"] as const) {
    const value = patch[key];
    if (typeof value === "boolean" && current[key] !== value) changes.push((target) => (target[key] = value));
  }
  if (isRecord(patch.copilotPolicies)) {
    const existing = isRecord(current.copilotPolicies) ? current.copilotPolicies : {};
    const merged: JsonObject = { ...existing };
    for (const [key, value] of Object.entries(patch.copilotPolicies)) {
      if (typeof value === "boolean") merged[key] = value;
    }
    if (JSON.stringify(merged) !== JSON.stringify(existing))
      changes.push((target) => (target.copilotPolicies = merged));
  }
  return changes;
}

function deleteEnvironment(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const env = findEnvironment(context, id);
  if (!env) return notFound(id);
  if (context.lifecycle.isBusy(env.name)) return busy(env.name);
  if (env.properties.isDefault === true) {
    return bapError(
      400,
      "DefaultEnvironmentCannotBeDeleted",
      "The default environment of a tenant cannot be deleted.",
    );
  }
  const operation = startOperation(context, {
    environmentId: env.name,
    type: "Delete",
    effect: { kind: "removeEnvironment", environmentId: env.name },
  });
  return operationReply(request, operation);
}

export function environmentRoutes(): Route[] {
  return [
    // Source: TF provider internal/services/environment/api_environment.go
    route("GET", `${BAP}/scopes/admin/environments`, "bap", listEnvironments),
    // Source: TF provider internal/services/environment/api_environment.go
    route("GET", `${BAP}/scopes/admin/environments/{id}`, "bap", getEnvironment),
    // Source: TF provider internal/services/environment/api_environment.go
    route("GET", `${BAP}/environments/{id}`, "bap", getEnvironment),
    // Source: TF provider internal/services/environment/api_environment.go
    route("POST", `${BAP}/environments`, "bap", createEnvironment),
    // Source: TF provider internal/services/environment/api_environment.go
    route("PATCH", `${BAP}/scopes/admin/environments/{id}`, "bap", patchEnvironment),
    // Source: TF provider internal/services/environment/api_environment.go
    route("DELETE", `${BAP}/scopes/admin/environments/{id}`, "bap", deleteEnvironment),
  ];
}
