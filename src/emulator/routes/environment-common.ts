/** Helpers shared by the environment routes: lookups, the GET view, validation, operation replies. */
import { capacityOf, lifecycleEnforcement, type DataverseRequest } from "../environment-factory.js";
import { bapError, isRecord, json, timestamp, type Reply } from "../http.js";
import {
  LIFECYCLE_PATH,
  type LifecycleOperation,
  type OperationEffect,
  type StartOperation,
} from "../lifecycle.js";
import type { EmulatorContext, RouteRequest } from "../routing.js";
import type { JsonObject, WireEnvironment } from "../types.js";
import { billingProjection, linkEnvironment, unlinkEnvironment } from "./licensing.js";

export const BAP = "/providers/Microsoft.BusinessAppPlatform";
export const CREATABLE_SKUS = ["Production", "Sandbox", "Trial", "Developer"];
export const CADENCES = ["Frequent", "Moderate"];
export const RUNTIME_STATES = ["Enabled", "AdminMode"];
export const DOMAIN_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export function findEnvironment(context: EmulatorContext, id: string): WireEnvironment | undefined {
  const wanted = id.toLowerCase();
  return context.store.state.environments.find((env) => env.name.toLowerCase() === wanted);
}

export function notFound(id: string): Reply {
  return bapError(404, "EnvironmentNotFound", `The environment '${id}' could not be found in the tenant.`);
}

export function busy(id: string): Reply {
  return bapError(
    409,
    "OperationNotStartable",
    `This operation cannot be performed because there is an active lifecycle operation on the environment ${id}.`,
  );
}

export function expands(url: URL, what: string): boolean {
  return (url.searchParams.get("$expand") ?? "").toLowerCase().includes(what.toLowerCase());
}

/**
 * The environment as a GET shows it: the billing projection and capacity only when expanded (list
 * items always carry capacity, as recorded), operation enforcement derived from the current state.
 */
export function view(
  env: WireEnvironment,
  url: URL,
  context: EmulatorContext,
  inList = false,
): WireEnvironment {
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

export function domainInUse(context: EmulatorContext, domain: string, exceptId?: string): boolean {
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

export function groupExists(context: EmulatorContext, id: string): boolean {
  return context.store.state.environmentGroups.some((group) => group.id.toLowerCase() === id.toLowerCase());
}

export function operationReply(
  request: RouteRequest,
  operation: LifecycleOperation,
  header = "Location",
): Reply {
  const headers: Record<string, string> = {
    [header]: `${request.baseUrl}${LIFECYCLE_PATH}/${operation.id}?api-version=2023-06-01`,
  };
  // Clients poll at the Retry-After of the 202 (TF internal/api/lifecycle.go); whole seconds only, so only
  // for slow operations.
  const delayMs = operation.dueAt - operation.createdAt.getTime();
  if (delayMs >= 1000) headers["Retry-After"] = String(Math.ceil(delayMs / 1000));
  return json(202, undefined, headers);
}

/**
 * Starts an operation whose effect is data (so the state file can carry it across a restart); when it
 * succeeds, reads of the environment may lag (fault `consistencyLagMs`).
 */
export function startOperation(
  context: EmulatorContext,
  start: Omit<StartOperation, "apply" | "effect"> & { effect: OperationEffect },
): LifecycleOperation {
  return context.lifecycle.start({ ...start, apply: operationApplier(context, start) });
}

/** The function that carries out an operation's effect when it succeeds (also for restored operations). */
export function operationApplier(
  context: EmulatorContext,
  operation: { environmentId: string; type: string; effect: OperationEffect },
): () => void {
  const lagKind =
    operation.type === "Create" ? "created" : operation.type === "Delete" ? undefined : "updated";
  return () => {
    applyEffect(context, operation.effect);
    const lagMs = context.faults().consistencyLagMs ?? 0;
    if (lagKind === undefined || lagMs <= 0) return;
    context.readLag.set(operation.environmentId.toLowerCase(), {
      until: Date.now() + lagMs,
      created: lagKind === "created",
      updated: lagKind === "updated",
    });
  };
}

function applyEffect(context: EmulatorContext, effect: OperationEffect): void {
  const state = context.store.state;
  switch (effect.kind) {
    case "addEnvironment": {
      const environment = structuredClone(effect.environment) as unknown as WireEnvironment;
      environment.properties.createdTime = timestamp();
      state.environments.push(environment);
      if (effect.billingPolicyId !== undefined)
        linkEnvironment(context, effect.billingPolicyId, environment.name);
      return;
    }
    case "setProperties": {
      const env = findEnvironment(context, effect.environmentId);
      if (env === undefined) return;
      for (const [key, value] of Object.entries(effect.set)) env.properties[key] = structuredClone(value);
      for (const key of effect.unset) delete env.properties[key];
      env.properties.lastModifiedTime = timestamp();
      if (effect.billingPolicyId !== undefined) {
        unlinkEnvironment(context, env.name);
        if (effect.billingPolicyId !== null) linkEnvironment(context, effect.billingPolicyId, env.name);
      }
      return;
    }
    case "removeEnvironment": {
      const id = effect.environmentId.toLowerCase();
      state.environments = state.environments.filter((candidate) => candidate.name.toLowerCase() !== id);
      unlinkEnvironment(context, effect.environmentId);
      delete state.allocations[effect.environmentId];
      delete state.allocations[id];
      return;
    }
  }
}

/** The `setProperties` effect that turns `before` into `after` (top-level keys; `after` is a changed copy). */
export function propertyChanges(before: JsonObject, after: JsonObject): { set: JsonObject; unset: string[] } {
  const set: JsonObject = {};
  for (const [key, value] of Object.entries(after))
    if (JSON.stringify(before[key]) !== JSON.stringify(value)) set[key] = value;
  const unset = Object.keys(before).filter((key) => !(key in after));
  return { set, unset };
}

export function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === "string" ? value : undefined;
}

/** Validates a Dataverse request (create or provisionInstance); returns the request or an error reply. */
export function dataverseRequest(
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

export function isReply(value: unknown): value is Reply {
  return isRecord(value) && typeof value.status === "number";
}
