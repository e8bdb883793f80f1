import { randomUUID } from "node:crypto";
import {
  buildEnvironment,
  capacityOf,
  lifecycleEnforcement,
  linkedMetadata,
  type DataverseRequest,
} from "../environment-factory.js";
import { bapError, isRecord, json, page, timestamp, ZERO_GUID, type Reply } from "../http.js";
import { LIFECYCLE_PATH, lifecycleBody, type LifecycleOperation, type StartOperation } from "../lifecycle.js";
import { route, type EmulatorContext, type Route, type RouteRequest } from "../routing.js";
import type { JsonObject, WireEnvironment } from "../types.js";
import { billingProjection, linkEnvironment, unlinkEnvironment } from "./licensing.js";

const BAP = "/providers/Microsoft.BusinessAppPlatform";
const CREATABLE_SKUS = ["Production", "Sandbox", "Trial", "Developer"];
const CADENCES = ["Frequent", "Moderate"];
const RUNTIME_STATES = ["Enabled", "AdminMode"];
const DOMAIN_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export function findEnvironment(context: EmulatorContext, id: string): WireEnvironment | undefined {
  const wanted = id.toLowerCase();
  return context.store.state.environments.find((env) => env.name.toLowerCase() === wanted);
}

function notFound(id: string): Reply {
  return bapError(404, "EnvironmentNotFound", `The environment '${id}' could not be found in the tenant.`);
}

function busy(id: string): Reply {
  return bapError(
    409,
    "OperationNotStartable",
    `This operation cannot be performed because there is an active lifecycle operation on the environment ${id}.`,
  );
}

function expands(url: URL, what: string): boolean {
  return (url.searchParams.get("$expand") ?? "").toLowerCase().includes(what.toLowerCase());
}

/**
 * The environment as a GET shows it: the billing projection and capacity only when expanded (list
 * items always carry capacity, as recorded), operation enforcement derived from the current state.
 */
function view(env: WireEnvironment, url: URL, context: EmulatorContext, inList = false): WireEnvironment {
  const copy = structuredClone(env);
  copy.properties.lifecycleOperationsEnforcement = lifecycleEnforcement(copy.properties);
  const lag = context.readLag.get(env.name.toLowerCase());
  const lagging = lag !== undefined && Date.now() < lag.until;
  if (lagging && lag.updated && isRecord(copy.properties.states)) {
    copy.properties.states = { ...copy.properties.states, management: { id: "Running" } };
  }
  if (lagging && lag.created && isRecord(copy.properties.linkedEnvironmentMetadata)) {
    copy.properties.linkedEnvironmentMetadata = null;
  }
  if (expands(url, "billingPolicy") && !(lagging && lag.created)) {
    const projection = billingProjection(context, env.name);
    if (projection) copy.properties.billingPolicy = projection;
  }
  if (inList || expands(url, "capacity")) copy.properties.capacity = capacityOf(env);
  if (expands(url, "copilotPolicies") && copy.properties.copilotPolicies === undefined) {
    copy.properties.copilotPolicies = {
      crossGeoCopilotDataMovementEnabled: false,
      crossBoundaryCopilotDataMovementEnabled: false,
    };
  }
  return copy;
}

function domainInUse(context: EmulatorContext, domain: string, exceptId?: string): boolean {
  const wanted = domain.toLowerCase();
  return context.store.state.environments.some((env) => {
    if (exceptId !== undefined && env.name.toLowerCase() === exceptId.toLowerCase()) return false;
    const metadata = env.properties.linkedEnvironmentMetadata;
    return (
      isRecord(metadata) &&
      typeof metadata.domainName === "string" &&
      metadata.domainName.toLowerCase() === wanted
    );
  });
}

function groupExists(context: EmulatorContext, id: string): boolean {
  return context.store.state.environmentGroups.some((group) => group.id.toLowerCase() === id.toLowerCase());
}

function operationReply(request: RouteRequest, operation: LifecycleOperation, header = "Location"): Reply {
  const headers: Record<string, string> = {
    [header]: `${request.baseUrl}${LIFECYCLE_PATH}/${operation.id}?api-version=2023-06-01`,
  };
  return json(202, undefined, headers);
}

/** Starts an operation; when it succeeds, reads of the environment may lag (fault `consistencyLagMs`). */
function startOperation(context: EmulatorContext, start: StartOperation): LifecycleOperation {
  const lagKind = start.type === "Create" ? "created" : start.type === "Delete" ? undefined : "updated";
  return context.lifecycle.start({
    ...start,
    apply: () => {
      start.apply();
      const lagMs = context.faults().consistencyLagMs ?? 0;
      if (lagKind === undefined || lagMs <= 0) return;
      context.readLag.set(start.environmentId.toLowerCase(), {
        until: Date.now() + lagMs,
        created: lagKind === "created",
        updated: lagKind === "updated",
      });
    },
  });
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === "string" ? value : undefined;
}

/** Validates a Dataverse request (create or provisionInstance); returns the request or an error reply. */
function dataverseRequest(
  context: EmulatorContext,
  input: Record<string, unknown>,
  fallbackDomain: string,
  friendlyName: string,
  exceptId?: string,
): DataverseRequest | Reply {
  const domainName = (stringField(input, "domainName") ?? fallbackDomain).toLowerCase();
  if (!DOMAIN_PATTERN.test(domainName)) {
    return bapError(400, "InvalidDomainName", `The domain name '${domainName}' is not valid.`);
  }
  if (domainInUse(context, domainName, exceptId)) {
    return bapError(400, "DomainNameAlreadyInUse", `The domain name '${domainName}' is already in use.`);
  }
  const baseLanguage = typeof input.baseLanguage === "number" ? input.baseLanguage : 1033;
  const languageKnown = context.reference.languages.some(
    (language) => language.name === String(baseLanguage),
  );
  if (!languageKnown) {
    return bapError(400, "InvalidLanguage", `The base language '${baseLanguage}' is not supported.`);
  }
  const currency = isRecord(input.currency) ? stringField(input.currency, "code") : undefined;
  const currencyCode = currency ?? "USD";
  if (!context.reference.currencies.some((entry) => entry.name === currencyCode)) {
    return bapError(400, "InvalidCurrency", `The currency '${currencyCode}' is not supported.`);
  }
  const request: DataverseRequest = { domainName, baseLanguage, currencyCode, friendlyName };
  const securityGroupId = stringField(input, "securityGroupId");
  if (securityGroupId) request.securityGroupId = securityGroupId;
  return request;
}

function isReply(value: unknown): value is Reply {
  return isRecord(value) && typeof value.status === "number";
}

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
  const views = environments.map((env) => view(env, request.url, context, true));
  return page(views, { url: request.url, pageSize: context.pageSize, linkKey: "nextLink" });
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
    apply: () => {
      environment.properties.createdTime = timestamp();
      context.store.state.environments.push(environment);
      if (policyId && policyId !== ZERO_GUID) linkEnvironment(context, policyId, id);
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
    changes.push(() => {
      unlinkEnvironment(context, env.name);
      if (policyId !== ZERO_GUID && policyId !== "") linkEnvironment(context, policyId, env.name);
    });
  }
  const aiChanges = aiFeatureChanges(patch, env.properties);
  if (aiChanges.length === 0 && changes.length === 0 && hasOnlyAiKeys(patch)) {
    return json(204); // AI-features PATCH that changes nothing (§4.1)
  }
  changes.push(...aiChanges);
  const operation = startOperation(context, {
    environmentId: env.name,
    type: "Update",
    apply: () => {
      for (const change of changes) change(env.properties);
      env.properties.lastModifiedTime = timestamp();
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
    apply: () => {
      const state = context.store.state;
      state.environments = state.environments.filter((candidate) => candidate !== env);
      unlinkEnvironment(context, env.name);
      delete state.allocations[env.name];
      delete state.allocations[env.name.toLowerCase()];
    },
  });
  return operationReply(request, operation);
}

function modifySku(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const env = findEnvironment(context, id);
  if (!env) return notFound(id);
  if (context.lifecycle.isBusy(env.name)) return busy(env.name);
  const sku = isRecord(request.body) ? stringField(request.body, "environmentSku") : undefined;
  if (!sku || !CREATABLE_SKUS.includes(sku)) {
    return bapError(400, "InvalidEnvironmentSku", `The environment SKU '${String(sku)}' is not valid.`);
  }
  if (env.properties.isDefault === true) {
    return bapError(400, "InvalidEnvironmentSku", "The SKU of the default environment cannot be changed.");
  }
  const operation = startOperation(context, {
    environmentId: env.name,
    type: "ModifySku",
    typeDisplayName: "Modify SKU",
    apply: () => {
      env.properties.environmentSku = sku;
      env.properties.lastModifiedTime = timestamp();
    },
  });
  return operationReply(request, operation, "Operation-Location");
}

function provisionInstance(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const env = findEnvironment(context, id);
  if (!env) return notFound(id);
  if (context.lifecycle.isBusy(env.name)) return busy(env.name);
  if (isRecord(env.properties.linkedEnvironmentMetadata)) {
    return bapError(
      400,
      "EnvironmentAlreadyHasDatabase",
      `The environment ${env.name} already has a Dataverse database.`,
    );
  }
  const input = isRecord(request.body) ? request.body : {};
  const displayName = typeof env.properties.displayName === "string" ? env.properties.displayName : env.name;
  const fallback =
    displayName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "")
      .slice(0, 20) || `org${env.name.slice(0, 8)}`;
  const result = dataverseRequest(context, input, fallback, displayName, env.name);
  if (isReply(result)) return result;
  const operation = startOperation(context, {
    environmentId: env.name,
    type: "ProvisionInstance",
    typeDisplayName: "Provision Instance",
    pollsEnvironment: true,
    apply: () => {
      env.properties.linkedEnvironmentMetadata = linkedMetadata(env.location, result, new Date());
      env.properties.databaseType = "CommonDataService";
    },
  });
  return operationReply(request, operation);
}

function governanceConfiguration(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const env = findEnvironment(context, id);
  if (!env) return notFound(id);
  if (context.lifecycle.isBusy(env.name)) return busy(env.name);
  const body = isRecord(request.body) ? request.body : {};
  const level = stringField(body, "protectionLevel");
  if (level !== "Standard" && level !== "Basic") {
    return bapError(400, "InvalidProtectionLevel", `The protection level '${String(level)}' is not valid.`);
  }
  const extended =
    isRecord(body.settings) && isRecord(body.settings.extendedSettings) ? body.settings.extendedSettings : {};
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(extended)) {
    if (typeof value !== "string") {
      return bapError(400, "InvalidGovernanceConfiguration", `The setting '${key}' must be a string.`);
    }
    settings[key] = value;
  }
  const enable = level === "Standard";
  const operation = startOperation(context, {
    environmentId: env.name,
    type: enable ? "EnableGovernanceConfiguration" : "DisableGovernanceConfiguration",
    typeDisplayName: enable ? "Enable Managed Environment" : "Disable Managed Environment",
    apply: () => {
      env.properties.governanceConfiguration = enable
        ? { protectionLevel: "Standard", settings: { extendedSettings: settings } }
        : { protectionLevel: "Basic" };
    },
  });
  return operationReply(request, operation);
}

function getLifecycleOperation(request: RouteRequest, context: EmulatorContext): Reply {
  const operation = context.lifecycle.get(request.params[0] ?? "");
  if (!operation)
    return bapError(404, "LifecycleOperationNotFound", "The lifecycle operation could not be found.");
  const retryAfter = Math.max(1, Math.ceil(context.lifecycleDelayMs / 1000));
  const headers: Record<string, string> | undefined =
    operation.state === "Running" && context.lifecycleDelayMs >= 1000
      ? { "Retry-After": String(retryAfter) }
      : undefined;
  if (!operation.pollsEnvironment)
    return json(200, lifecycleBody(operation, context.store.state.tenantId), headers);
  // provisionInstance polls answer the environment itself (§3.1 exception).
  const env = findEnvironment(context, operation.environmentId);
  if (!env) return bapError(404, "EnvironmentNotFound", "The environment no longer exists.");
  const copy = view(env, new URL(request.url.href), context);
  const provisioning = {
    Running: "LinkedDatabaseProvisioning",
    Succeeded: "Succeeded",
    Failed: "Failed",
  } as const;
  copy.properties.provisioningState = provisioning[operation.state];
  return json(operation.state === "Running" ? 202 : 200, copy, headers);
}

function validateEnvironmentDetails(request: RouteRequest, context: EmulatorContext): Reply {
  const body = isRecord(request.body) ? request.body : {};
  const domainName = stringField(body, "domainName") ?? "";
  if (!DOMAIN_PATTERN.test(domainName)) {
    return bapError(400, "InvalidDomainName", `The domain name '${domainName}' is not valid.`);
  }
  if (domainInUse(context, domainName, stringField(body, "environmentName"))) {
    return bapError(400, "DomainNameAlreadyInUse", `The domain name '${domainName}' is already in use.`);
  }
  return json(200);
}

function referenceList(kind: "currencies" | "languages") {
  return (request: RouteRequest, context: EmulatorContext): Reply => {
    const location = (request.params[0] ?? "").toLowerCase();
    if (!context.reference.locations.some((entry) => entry.name === location)) {
      return bapError(404, "LocationNotFound", `The location '${location}' could not be found.`);
    }
    const segment = kind === "currencies" ? "environmentCurrencies" : "environmentLanguages";
    const value = context.reference[kind].map((entry) => ({
      ...entry,
      id: `${BAP}/locations/${location}/${segment}/${typeof entry.name === "string" ? entry.name : ""}`,
    }));
    return json(200, { value });
  };
}

export function environmentRoutes(): Route[] {
  return [
    route("GET", `${BAP}/scopes/admin/environments`, "bap", listEnvironments),
    route("GET", `${BAP}/scopes/admin/environments/{id}`, "bap", getEnvironment),
    route("GET", `${BAP}/environments/{id}`, "bap", getEnvironment),
    route("POST", `${BAP}/environments`, "bap", createEnvironment),
    route("PATCH", `${BAP}/scopes/admin/environments/{id}`, "bap", patchEnvironment),
    route("DELETE", `${BAP}/scopes/admin/environments/{id}`, "bap", deleteEnvironment),
    route("POST", `${BAP}/scopes/admin/environments/{id}/modifySku`, "bap", modifySku),
    route("POST", `${BAP}/environments/{id}/provisionInstance`, "bap", provisionInstance),
    route("POST", `${BAP}/environments/{id}/governanceConfiguration`, "bap", governanceConfiguration),
    route("GET", `${LIFECYCLE_PATH}/{id}`, "bap", getLifecycleOperation),
    route("POST", `${BAP}/validateEnvironmentDetails`, "bap", validateEnvironmentDetails, { mutates: false }),
    route("GET", `${BAP}/locations`, "bap", (_request, context) =>
      json(200, { value: context.reference.locations }),
    ),
    route("GET", `${BAP}/locations/{location}/environmentCurrencies`, "bap", referenceList("currencies")),
    route("GET", `${BAP}/locations/{location}/environmentLanguages`, "bap", referenceList("languages")),
  ];
}
