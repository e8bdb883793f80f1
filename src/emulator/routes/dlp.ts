import { randomUUID } from "node:crypto";
import { bapError, isRecord, json, page, timestamp, type Reply } from "../http.js";
import { route, type EmulatorContext, type Route, type RouteRequest } from "../routing.js";
import type { JsonObject, JsonValue, WireDlpPolicy } from "../types.js";

const GOV = "/providers/PowerPlatform.Governance";
const CLASSIFICATIONS = ["Confidential", "General", "Blocked"] as const;
const ENVIRONMENT_TYPES = ["AllEnvironments", "OnlyEnvironments", "ExceptEnvironments"];
const URL_CLASSIFICATIONS = ["General", "Confidential", "Blocked", "Ignore"];
const API_PREFIX = "/providers/Microsoft.PowerApps/apis/";
/** Fields the list leaves out: it returns summaries only (TF internal/services/dlp_policy). */
const SUMMARY_OMITS = ["connectorGroups"];

function findPolicy(context: EmulatorContext, name: string): WireDlpPolicy | undefined {
  const wanted = name.toLowerCase();
  return context.store.state.dlpPolicies.find(
    (policy) => policy.policyDefinition.name.toLowerCase() === wanted,
  );
}

function policyNotFound(name: string): Reply {
  return bapError(404, "PolicyNotFound", `The policy '${name}' could not be found.`);
}

function invalid(message: string): Reply {
  return bapError(400, "InvalidPolicy", message);
}

function lastSegment(id: string): string {
  return id.split("/").filter(Boolean).pop() ?? id;
}

/**
 * The service echoes the connector's display name in `name` when it knows it (TF
 * internal/services/dlp_policy).
 */
function connectorName(context: EmulatorContext, id: string): string {
  const short = lastSegment(id).toLowerCase();
  const known = context.store.state.connectors.find((connector) => connector.name.toLowerCase() === short);
  const display = isRecord(known?.properties) ? known.properties.displayName : undefined;
  return typeof display === "string" ? display : lastSegment(id);
}

type Normalised = { policy: WireDlpPolicy } | { error: Reply };

/**
 * Turns a request body into the stored document: all three groups in order, `endPoint` spelling,
 * sorted URL patterns with the default `*` rule when none are given, rule sections omitted when empty.
 */
function normalise(context: EmulatorContext, body: unknown): Normalised {
  if (!isRecord(body) || !isRecord(body.policyDefinition)) {
    return { error: invalid("The request body must contain 'policyDefinition'.") };
  }
  const input = body.policyDefinition;
  const displayName = typeof input.displayName === "string" ? input.displayName.trim() : "";
  if (displayName === "") return { error: invalid("policyDefinition.displayName is required.") };
  const defaultClass = input.defaultConnectorsClassification ?? "General";
  if (typeof defaultClass !== "string" || !(CLASSIFICATIONS as readonly string[]).includes(defaultClass)) {
    return {
      error: invalid(`defaultConnectorsClassification ${JSON.stringify(defaultClass)} is not valid.`),
    };
  }
  const environmentType = input.environmentType ?? "AllEnvironments";
  if (typeof environmentType !== "string" || !ENVIRONMENT_TYPES.includes(environmentType)) {
    return { error: invalid(`environmentType ${JSON.stringify(environmentType)} is not valid.`) };
  }
  const environments: JsonObject[] = [];
  for (const entry of Array.isArray(input.environments) ? input.environments : []) {
    const raw = isRecord(entry) ? (entry.name ?? entry.id) : undefined;
    if (typeof raw !== "string" || raw === "")
      return { error: invalid("Every environment needs an id or a name.") };
    const envId = lastSegment(raw);
    environments.push({
      id: `/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${envId}`,
      name: envId,
      type: "Microsoft.BusinessAppPlatform/scopes/environments",
    });
  }
  if (environmentType !== "AllEnvironments" && environments.length === 0) {
    return { error: invalid(`A policy of type ${environmentType} must list at least one environment.`) };
  }
  const unblockable = new Set(
    context.store.state.unblockableConnectors.map((entry) => lastSegment(entry.id).toLowerCase()),
  );
  const groups = Array.isArray(input.connectorGroups) ? input.connectorGroups : [];
  const connectorGroups: JsonObject[] = [];
  const placed = new Map<string, string>();
  for (const classification of CLASSIFICATIONS) {
    const connectors: JsonObject[] = [];
    for (const group of groups) {
      if (!isRecord(group) || group.classification !== classification) continue;
      for (const connector of Array.isArray(group.connectors) ? group.connectors : []) {
        const raw = isRecord(connector) ? (connector.id ?? connector.name) : undefined;
        if (typeof raw !== "string" || raw === "") return { error: invalid("Every connector needs an id.") };
        const id = raw.startsWith("/") ? raw : `${API_PREFIX}${raw}`;
        if (classification === "Blocked" && unblockable.has(lastSegment(id).toLowerCase())) {
          return {
            error: invalid(
              `The connector '${lastSegment(id)}' cannot be blocked: it is an unblockable connector.`,
            ),
          };
        }
        const key = id.toLowerCase();
        const earlier = placed.get(key);
        if (earlier !== undefined) {
          return {
            error: invalid(
              `The connector '${lastSegment(id)}' is in both the ${earlier} and ${classification} groups.`,
            ),
          };
        }
        placed.set(key, classification);
        const type =
          isRecord(connector) && typeof connector.type === "string"
            ? connector.type
            : "Microsoft.PowerApps/apis";
        connectors.push({ id, name: connectorName(context, id), type });
      }
    }
    connectorGroups.push({ classification, connectors });
  }
  const definition: JsonObject & { name: string } = {
    name: "",
    displayName,
    defaultConnectorsClassification: defaultClass,
    connectorGroups,
    environmentType,
    environments,
    isLegacySchemaVersion: false,
  };
  const policy: WireDlpPolicy = { policyDefinition: definition };
  const configurations = normaliseConfigurations(body.connectorConfigurationsDefinition);
  if ("error" in configurations) return configurations;
  if (configurations.value) policy.connectorConfigurationsDefinition = configurations.value;
  const patterns = normaliseUrlPatterns(body.customConnectorUrlPatternsDefinition);
  if ("error" in patterns) return patterns;
  policy.customConnectorUrlPatternsDefinition = patterns.value;
  return { policy };
}

function normaliseConfigurations(input: unknown): { value: JsonObject | undefined } | { error: Reply } {
  if (!isRecord(input)) return { value: undefined };
  const actions: JsonObject[] = [];
  for (const entry of Array.isArray(input.connectorActionConfigurations)
    ? input.connectorActionConfigurations
    : []) {
    if (!isRecord(entry) || typeof entry.connectorId !== "string") {
      return { error: invalid("Every connector action configuration needs a connectorId.") };
    }
    const rules = Array.isArray(entry.actionRules) ? entry.actionRules : [];
    const actionRules: JsonObject[] = [];
    for (const rule of rules) {
      if (
        !isRecord(rule) ||
        typeof rule.actionId !== "string" ||
        (rule.behavior !== "Allow" && rule.behavior !== "Block")
      ) {
        return { error: invalid(`Invalid action rule for ${entry.connectorId}.`) };
      }
      actionRules.push({ actionId: rule.actionId, behavior: rule.behavior });
    }
    if (actionRules.length === 0) continue;
    const fallback = entry.defaultConnectorActionRuleBehavior;
    if (fallback !== "Allow" && fallback !== "Block") {
      return {
        error: invalid(`defaultConnectorActionRuleBehavior of ${entry.connectorId} must be Allow or Block.`),
      };
    }
    actions.push({
      connectorId: entry.connectorId,
      actionRules,
      defaultConnectorActionRuleBehavior: fallback,
    });
  }
  const endpoints: JsonObject[] = [];
  for (const entry of Array.isArray(input.endpointConfigurations) ? input.endpointConfigurations : []) {
    if (!isRecord(entry) || typeof entry.connectorId !== "string") {
      return { error: invalid("Every endpoint configuration needs a connectorId.") };
    }
    const endpointRules: JsonObject[] = [];
    for (const rule of Array.isArray(entry.endpointRules) ? entry.endpointRules : []) {
      // The provider sends `endpoint`, the service answers `endPoint` (TF
      // internal/services/dlp_policy/api_dlp_policy.go): accept both.
      const endPoint = isRecord(rule) ? (rule.endPoint ?? rule.endpoint) : undefined;
      if (
        !isRecord(rule) ||
        typeof endPoint !== "string" ||
        (rule.behavior !== "Allow" && rule.behavior !== "Deny")
      ) {
        return { error: invalid(`Invalid endpoint rule for ${entry.connectorId}.`) };
      }
      const order = typeof rule.order === "number" ? rule.order : endpointRules.length + 1;
      endpointRules.push({ order, behavior: rule.behavior, endPoint });
    }
    endpointRules.sort((a, b) => (a.order as number) - (b.order as number));
    if (endpointRules.length > 0) endpoints.push({ connectorId: entry.connectorId, endpointRules });
  }
  if (actions.length === 0 && endpoints.length === 0) return { value: undefined };
  const value: JsonObject = {};
  if (actions.length > 0) value.connectorActionConfigurations = actions;
  if (endpoints.length > 0) value.endpointConfigurations = endpoints;
  return { value };
}

/** `rules: null` (or no rules) reads back as the single default rule, as the recordings show. */
function normaliseUrlPatterns(input: unknown): { value: JsonObject } | { error: Reply } {
  const rawRules = isRecord(input) && Array.isArray(input.rules) ? input.rules : [];
  const rules: JsonObject[] = [];
  for (const rule of rawRules) {
    if (
      !isRecord(rule) ||
      typeof rule.pattern !== "string" ||
      typeof rule.customConnectorRuleClassification !== "string" ||
      !URL_CLASSIFICATIONS.includes(rule.customConnectorRuleClassification)
    ) {
      return { error: invalid("Invalid custom connector URL pattern rule.") };
    }
    const order = typeof rule.order === "number" ? rule.order : rules.length + 1;
    rules.push({
      order,
      customConnectorRuleClassification: rule.customConnectorRuleClassification,
      pattern: rule.pattern,
    });
  }
  rules.sort((a, b) => (a.order as number) - (b.order as number));
  if (rules.length === 0) rules.push({ order: 1, customConnectorRuleClassification: "Ignore", pattern: "*" });
  return { value: { rules } };
}

function stamp(definition: JsonObject, created: boolean): void {
  const now = timestamp();
  if (created) {
    definition.createdBy = { displayName: "ppgov emulator" };
    definition.createdTime = now;
  }
  definition.lastModifiedBy = { displayName: "ppgov emulator" };
  definition.lastModifiedTime = now;
  definition.etag = randomUUID();
}

/** Key order as the service writes it, so a stored document reads like a recorded one. */
function ordered(policy: WireDlpPolicy): WireDlpPolicy {
  const d = policy.policyDefinition;
  const keys = [
    "name",
    "displayName",
    "defaultConnectorsClassification",
    "connectorGroups",
    "environmentType",
    "environments",
    "createdBy",
    "createdTime",
    "lastModifiedBy",
    "lastModifiedTime",
    "etag",
    "isLegacySchemaVersion",
  ];
  const definition: JsonObject & { name: string } = { name: d.name };
  for (const key of keys) if (d[key] !== undefined) definition[key] = d[key];
  const result: WireDlpPolicy = { policyDefinition: definition };
  if (policy.connectorConfigurationsDefinition)
    result.connectorConfigurationsDefinition = policy.connectorConfigurationsDefinition;
  if (policy.customConnectorUrlPatternsDefinition) {
    result.customConnectorUrlPatternsDefinition = policy.customConnectorUrlPatternsDefinition;
  }
  return result;
}

function listPolicies(request: RouteRequest, context: EmulatorContext): Reply {
  const summaries: JsonValue[] = context.store.state.dlpPolicies.map((policy) => {
    const definition: JsonObject = { ...policy.policyDefinition };
    for (const key of SUMMARY_OMITS) delete definition[key];
    return { policyDefinition: definition };
  });
  return page(summaries, { url: request.url, pageSize: context.pageSize, linkKey: "nextLink" });
}

function getPolicy(request: RouteRequest, context: EmulatorContext): Reply {
  const name = request.params[0] ?? "";
  const policy = findPolicy(context, name);
  return policy ? json(200, policy) : policyNotFound(name);
}

function createPolicy(request: RouteRequest, context: EmulatorContext): Reply {
  const result = normalise(context, request.body);
  if ("error" in result) return result.error;
  const policy = result.policy;
  policy.policyDefinition.name = randomUUID();
  stamp(policy.policyDefinition, true);
  const stored = ordered(policy);
  context.store.state.dlpPolicies.push(stored);
  return json(201, stored);
}

function updatePolicy(request: RouteRequest, context: EmulatorContext): Reply {
  const name = request.params[0] ?? "";
  const existing = findPolicy(context, name);
  if (!existing) return policyNotFound(name);
  const result = normalise(context, request.body);
  if ("error" in result) return result.error;
  const definition = result.policy.policyDefinition;
  definition.name = existing.policyDefinition.name;
  definition.createdBy = existing.policyDefinition.createdBy ?? { displayName: "ppgov emulator" };
  definition.createdTime = existing.policyDefinition.createdTime ?? timestamp();
  stamp(definition, false);
  const stored = ordered(result.policy);
  const policies = context.store.state.dlpPolicies;
  policies[policies.indexOf(existing)] = stored;
  return json(200, stored);
}

function deletePolicy(request: RouteRequest, context: EmulatorContext): Reply {
  const name = request.params[0] ?? "";
  const existing = findPolicy(context, name);
  if (!existing) return policyNotFound(name);
  context.store.state.dlpPolicies = context.store.state.dlpPolicies.filter((policy) => policy !== existing);
  return json(200);
}

function listConnectors(request: RouteRequest, context: EmulatorContext): Reply {
  return page(context.store.state.connectors, {
    url: request.url,
    pageSize: context.pageSize,
    linkKey: "nextLink",
  });
}

function getConnector(request: RouteRequest, context: EmulatorContext): Reply {
  const name = (request.params[0] ?? "").toLowerCase();
  const connector = context.store.state.connectors.find((entry) => entry.name.toLowerCase() === name);
  return connector
    ? json(200, connector)
    : bapError(404, "ApiNotFound", `The API '${name}' could not be found.`);
}

export function dlpRoutes(): Route[] {
  return [
    // Source: TF provider internal/services/dlp_policy/api_dlp_policy.go
    route("GET", `${GOV}/v2/policies`, "bap", listPolicies),
    // Source: TF provider internal/services/dlp_policy/api_dlp_policy.go
    route("POST", `${GOV}/v2/policies`, "bap", createPolicy),
    // Source: TF provider internal/services/dlp_policy/api_dlp_policy.go
    route("GET", `${GOV}/v2/policies/{name}`, "bap", getPolicy),
    // Source: TF provider internal/services/dlp_policy/api_dlp_policy.go
    route("PATCH", `${GOV}/v2/policies/{name}`, "bap", updatePolicy),
    // Source: TF provider internal/services/dlp_policy/api_dlp_policy.go
    route("DELETE", `${GOV}/v2/policies/{name}`, "bap", deletePolicy),
    // Source: TF provider internal/services/connectors/api_connectors.go
    route("GET", `${GOV}/v1/connectors/metadata/unblockable`, "bap", (_r, context) =>
      json(200, context.store.state.unblockableConnectors),
    ),
    // Source: TF provider internal/services/connectors/api_connectors.go
    route("GET", `${GOV}/v1/connectors/metadata/virtual`, "bap", (_r, context) =>
      json(200, context.store.state.virtualConnectors),
    ),
    // Source: TF provider internal/services/connectors/api_connectors.go
    route("GET", "/providers/Microsoft.PowerApps/apis", "powerapps", listConnectors),
    // Source: unverified (no client reads one connector; docs/emulator.md)
    route("GET", "/providers/Microsoft.PowerApps/apis/{name}", "powerapps", getConnector),
  ];
}
