/** Environment operations besides CRUD: SKU change, Dataverse, managed environment, lifecycle polls. */
import { linkedMetadata } from "../environment-factory.js";
import { bapError, isRecord, json, ZERO_GUID, type Reply } from "../http.js";
import { LIFECYCLE_PATH, lifecycleBody } from "../lifecycle.js";
import { route, type EmulatorContext, type Route, type RouteRequest } from "../routing.js";
import {
  findEnvironment,
  BAP,
  CREATABLE_SKUS,
  busy,
  dataverseRequest,
  isReply,
  notFound,
  operationReply,
  startOperation,
  stringField,
  view,
} from "./environment-common.js";

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
    effect: { kind: "setProperties", environmentId: env.name, set: { environmentSku: sku }, unset: [] },
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
    effect: {
      kind: "setProperties",
      environmentId: env.name,
      set: {
        linkedEnvironmentMetadata: linkedMetadata(env.location, result, new Date()),
        databaseType: "CommonDataService",
      },
      unset: [],
    },
  });
  return operationReply(request, operation);
}

/** Same protection level and, when managed, the same extended settings. */
function sameGovernance(
  current: unknown,
  requested: { protectionLevel: string; settings?: unknown },
): boolean {
  if (!isRecord(current) || current.protectionLevel !== requested.protectionLevel) return false;
  if (requested.protectionLevel !== "Standard") return true;
  return sameSettings(extendedSettingsOf(current), extendedSettingsOf(requested));
}

function extendedSettingsOf(configuration: Record<string, unknown>): Record<string, unknown> {
  const settings = configuration.settings;
  return isRecord(settings) && isRecord(settings.extendedSettings) ? settings.extendedSettings : {};
}

function sameSettings(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

function governanceConfiguration(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const env = findEnvironment(context, id);
  if (!env) return notFound(id);
  if (context.lifecycle.isBusy(env.name)) return busy(env.name);
  // The Terraform provider (environment models, managed_environment resource): the service refuses
  // every governanceConfiguration call for an environment in a group. The status is not recorded;
  // 400 is the emulator's choice (docs/emulator.md).
  const parent = env.properties.parentEnvironmentGroup;
  const group = isRecord(parent) && typeof parent.id === "string" ? parent.id : "";
  if (group !== "" && group !== ZERO_GUID)
    return bapError(
      400,
      "GovernanceConfigurationChangeBlockedByGroup",
      `The environment ${env.name} is in environment group ${group}; its governance configuration is set by the group.`,
    );
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
  const requested = enable
    ? { protectionLevel: "Standard", settings: { extendedSettings: settings } }
    : { protectionLevel: "Basic" };
  // TF internal/services/managed_environment: the service answers 409 when the environment already is as
  // asked (the Terraform provider then reads the environment to tell that from "busy"). The body of that 409
  // is not recorded; this one carries a generic code, and clients must not depend on it.
  if (sameGovernance(env.properties.governanceConfiguration, requested))
    return bapError(
      409,
      "Conflict",
      `The environment ${env.name} already has the requested managed-environment configuration.`,
    );
  const operation = startOperation(context, {
    environmentId: env.name,
    type: enable ? "EnableGovernanceConfiguration" : "DisableGovernanceConfiguration",
    typeDisplayName: enable ? "Enable Managed Environment" : "Disable Managed Environment",
    effect: {
      kind: "setProperties",
      environmentId: env.name,
      set: {
        governanceConfiguration: requested,
      },
      unset: [],
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
  // provisionInstance polls answer the environment itself (TF
  // internal/services/environment/api_environment.go).
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

export function environmentOperationRoutes(): Route[] {
  return [
    // Source: TF provider internal/services/environment/api_environment.go
    route("POST", `${BAP}/scopes/admin/environments/{id}/modifySku`, "bap", modifySku),
    // Source: TF provider internal/services/environment/api_environment.go
    route("POST", `${BAP}/environments/{id}/provisionInstance`, "bap", provisionInstance),
    // Source: TF provider internal/services/managed_environment/api_managed_environment.go
    route("POST", `${BAP}/environments/{id}/governanceConfiguration`, "bap", governanceConfiguration),
    // Source: TF provider internal/api/lifecycle.go; body: the provider's recorded lifecycle responses
    route("GET", `${LIFECYCLE_PATH}/{id}`, "bap", getLifecycleOperation),
  ];
}
