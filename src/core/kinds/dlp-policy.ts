import type { DlpGroup, DlpPolicySpec, UrlPatternGroup } from "../policy/types.js";
import type {
  DlpConnectorActionConfiguration,
  DlpConnectorConfigurationsDefinition,
  DlpConnectorGroup,
  DlpEndpointConfiguration,
  DlpPolicyWriteBody,
  WireDlpPolicy,
} from "../wire/types.js";
import { endpointOf } from "../wire/types.js";
import { CONNECTOR_TYPE, connectorIdFor, type ConnectorCatalogue } from "./connector-catalogue.js";
import {
  actionBehaviorFromWire,
  actionBehaviorToWire,
  DLP_SCOPE_TO_WIRE,
  endpointBehaviorFromWire,
  endpointBehaviorToWire,
  groupFromWire,
  groupToWire,
  scopeTypeFromWire,
  urlGroupFromWire,
  urlGroupToWire,
  WIRE_GROUP_ORDER,
  type DlpScopeType,
} from "./dlp-vocabulary.js";
import { normalizeId } from "./ids.js";
import { pointerSegments, type Json } from "./json.js";
import { DLP_V2 } from "./paths.js";
import { idInPath, idSortKey, placeholderText, type IdOrPlaceholder } from "./placeholder.js";
import type { CanonContext, KindChange, ResourceKind, StepRequest } from "./resource-kind.js";

export interface DlpActionRulesCanonical {
  default: "allow" | "block";
  /** actionId → behaviour. */
  rules: Record<string, "allow" | "block">;
}

export interface DlpEndpointRuleCanonical {
  behavior: "allow" | "deny";
  endpoint: string;
}

export interface DlpUrlPatternCanonical {
  pattern: string;
  group: UrlPatternGroup;
}

export interface DlpPolicyCanonical {
  displayName: string;
  scope: { type: DlpScopeType; environments: IdOrPlaceholder[] };
  defaultGroup: DlpGroup;
  /** Every catalogue connector (plus any the policy lists that the catalogue lacks) → its resolved group. */
  connectors: Record<string, DlpGroup>;
  actionRules: Record<string, DlpActionRulesCanonical>;
  /** Ordered, as the rules apply. */
  endpointRules: Record<string, DlpEndpointRuleCanonical[]>;
  /** Ordered, as the patterns apply. */
  urlPatterns: DlpUrlPatternCanonical[];
}

/**
 * The service answers a policy sent without URL patterns with the single catch-all rule
 * "* → ignore", which is what no patterns means: both read as [].
 */
function normalizeUrlPatterns(patterns: DlpUrlPatternCanonical[]): DlpUrlPatternCanonical[] {
  const only = patterns.length === 1 ? patterns[0] : undefined;
  return only !== undefined && only.pattern === "*" && only.group === "ignore" ? [] : patterns;
}

/** The name canonical forms key a connector by: the catalogue's spelling when it knows the connector. */
function connectorKey(name: string, catalogue: ConnectorCatalogue): string {
  return catalogue.find(name)?.name ?? name;
}

/** The group an unlisted connector falls into: the default, except that unblockable ones cannot be blocked. */
function defaultGroupFor(unblockable: boolean, defaultGroup: DlpGroup): DlpGroup {
  return unblockable && defaultGroup === "blocked" ? "nonBusiness" : defaultGroup;
}

/** Resolves the effect of every connector: listed ones keep their group, the rest take the default. */
export function resolveConnectorGroups(
  listed: ReadonlyMap<string, DlpGroup>,
  defaultGroup: DlpGroup,
  catalogue: ConnectorCatalogue,
): Record<string, DlpGroup> {
  const resolved = defaultConnectorGroups(defaultGroup, catalogue);
  for (const [name, group] of listed) resolved[name] = group;
  return resolved;
}

/**
 * Every catalogue connector → the group it falls into when unlisted, in key order. Callers then set
 * the listed ones in place (a connector the catalogue lacks is added at the end).
 */
function defaultConnectorGroups(
  defaultGroup: DlpGroup,
  catalogue: ConnectorCatalogue,
): Record<string, DlpGroup> {
  const resolved: Record<string, DlpGroup> = {};
  const connectors = catalogue.connectorsInKeyOrder;
  for (let index = 0; index < connectors.length; index += 1) {
    const connector = connectors[index]!;
    resolved[connector.name] = defaultGroupFor(connector.unblockable, defaultGroup);
  }
  return resolved;
}

function sortedEnvironments(ids: IdOrPlaceholder[]): IdOrPlaceholder[] {
  const unique = new Map(ids.map((id) => [idSortKey(id), id] as const));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, id]) => id);
}

function canonicalizeDesired(spec: DlpPolicySpec, ctx: CanonContext): DlpPolicyCanonical {
  const { catalogue } = ctx;
  const connectors = defaultConnectorGroups(spec.defaultGroup, catalogue);
  // Indexed loops: these run 200 times per plan, mostly before the optimising compiler steps in, and
  // for-of would allocate an iterator result per connector there.
  for (const group of WIRE_GROUP_ORDER) {
    const names = spec.connectors?.[group] ?? [];
    for (let index = 0; index < names.length; index += 1)
      connectors[connectorKey(names[index]!, catalogue)] = group;
  }
  const scope = spec.scope;
  const [type, refs]: [DlpScopeType, string[]] =
    "only" in scope ? ["only", scope.only] : "except" in scope ? ["except", scope.except] : ["all", []];
  const actionRules: Record<string, DlpActionRulesCanonical> = {};
  const endpointRules: Record<string, DlpEndpointRuleCanonical[]> = {};
  for (const [name, rule] of Object.entries(spec.connectorRules ?? {})) {
    const key = connectorKey(name, catalogue);
    if (rule.actions) {
      const rules: Record<string, "allow" | "block"> = {};
      for (const action of rule.actions.allow ?? []) rules[action] = "allow";
      for (const action of rule.actions.block ?? []) rules[action] = "block";
      actionRules[key] = { default: rule.actions.default, rules };
    }
    if (rule.endpoints && rule.endpoints.length > 0)
      endpointRules[key] = rule.endpoints.map((endpoint) =>
        "allow" in endpoint
          ? { behavior: "allow", endpoint: endpoint.allow }
          : { behavior: "deny", endpoint: endpoint.deny },
      );
  }
  return {
    displayName: spec.displayName,
    scope: { type, environments: sortedEnvironments(refs.map((ref) => ctx.resolveEnvRef(ref))) },
    defaultGroup: spec.defaultGroup,
    connectors,
    actionRules,
    endpointRules,
    urlPatterns: normalizeUrlPatterns(
      (spec.customConnectorUrlPatterns ?? []).map((rule) => ({ pattern: rule.pattern, group: rule.group })),
    ),
  };
}

function canonicalizeLive(policy: WireDlpPolicy, ctx: CanonContext): DlpPolicyCanonical {
  const { catalogue } = ctx;
  const definition = policy.policyDefinition;
  const defaultGroup = groupFromWire(definition.defaultConnectorsClassification);
  const connectors = defaultConnectorGroups(defaultGroup, catalogue);
  for (const group of definition.connectorGroups ?? []) {
    if (group.connectors.length === 0) continue;
    const classification = groupFromWire(group.classification);
    const listed = group.connectors;
    for (let index = 0; index < listed.length; index += 1)
      connectors[catalogue.keyForId(listed[index]!.id)] = classification;
  }
  const actionRules: Record<string, DlpActionRulesCanonical> = {};
  const endpointRules: Record<string, DlpEndpointRuleCanonical[]> = {};
  const configurations = policy.connectorConfigurationsDefinition ?? {};
  for (const configuration of configurations.connectorActionConfigurations ?? []) {
    const rules: Record<string, "allow" | "block"> = {};
    for (const rule of configuration.actionRules ?? [])
      rules[rule.actionId] = actionBehaviorFromWire(rule.behavior);
    actionRules[catalogue.keyForId(configuration.connectorId)] = {
      default: actionBehaviorFromWire(configuration.defaultConnectorActionRuleBehavior ?? "Allow"),
      rules,
    };
  }
  for (const configuration of configurations.endpointConfigurations ?? []) {
    if (configuration.endpointRules.length === 0) continue;
    endpointRules[catalogue.keyForId(configuration.connectorId)] = [...configuration.endpointRules]
      .sort((a, b) => a.order - b.order)
      .map((rule) => ({ behavior: endpointBehaviorFromWire(rule.behavior), endpoint: endpointOf(rule) }));
  }
  const urlRules = [...(policy.customConnectorUrlPatternsDefinition?.rules ?? [])].sort(
    (a, b) => a.order - b.order,
  );
  const type = scopeTypeFromWire(definition.environmentType);
  return {
    displayName: definition.displayName,
    scope: {
      type,
      environments:
        type === "all"
          ? []
          : sortedEnvironments(
              (definition.environments ?? []).map(
                (environment) => normalizeId(environment.name) ?? environment.name,
              ),
            ),
    },
    defaultGroup,
    connectors,
    actionRules,
    endpointRules,
    urlPatterns: normalizeUrlPatterns(
      urlRules.map((rule) => ({
        pattern: rule.pattern,
        group: urlGroupFromWire(rule.customConnectorRuleClassification),
      })),
    ),
  };
}

// --- request body (§7.3) ----------------------------------------------------------------------------

// Source: TF provider internal/services/dlp_policy/dto.go (environments[].id of a policy definition)
const ENVIRONMENT_PATH = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/";

function environmentRef(id: IdOrPlaceholder): Json {
  return {
    id: `${ENVIRONMENT_PATH}${typeof id === "string" ? id : placeholderText(id)}`,
    name: id,
    type: "Microsoft.BusinessAppPlatform/scopes/environments",
  };
}

/**
 * The whole-policy body for POST and PATCH. Only connectors whose group differs from the default are
 * listed: the service puts unlisted connectors in the default group, so the effect is the same and
 * the body stays small. All three groups are always sent, in the wire order.
 */
export function dlpWriteBody(
  canonical: DlpPolicyCanonical,
  catalogue: ConnectorCatalogue,
  policyName?: string,
): Json {
  const groups = new Map<DlpGroup, DlpConnectorGroup>(
    WIRE_GROUP_ORDER.map((group) => [group, { classification: groupToWire(group), connectors: [] }]),
  );
  for (const name of Object.keys(canonical.connectors).sort()) {
    const group = canonical.connectors[name]!;
    if (group === canonical.defaultGroup) continue;
    const entry = catalogue.find(name);
    groups.get(group)!.connectors.push({
      id: entry?.id ?? connectorIdFor(name, catalogue),
      name: entry?.name ?? name,
      type: entry?.type ?? CONNECTOR_TYPE,
    });
  }
  const actionConfigurations: DlpConnectorActionConfiguration[] = Object.keys(canonical.actionRules)
    .sort()
    .map((name) => {
      const rules = canonical.actionRules[name]!;
      return {
        connectorId: connectorIdFor(name, catalogue),
        defaultConnectorActionRuleBehavior: actionBehaviorToWire(rules.default),
        actionRules: Object.keys(rules.rules)
          .sort()
          .map((actionId) => ({ actionId, behavior: actionBehaviorToWire(rules.rules[actionId]!) })),
      };
    });
  const endpointConfigurations: DlpEndpointConfiguration[] = Object.keys(canonical.endpointRules)
    .sort()
    .map((name) => ({
      connectorId: connectorIdFor(name, catalogue),
      endpointRules: canonical.endpointRules[name]!.map((rule, index) => ({
        order: index + 1,
        behavior: endpointBehaviorToWire(rule.behavior),
        endPoint: rule.endpoint,
      })),
    }));
  const configurations: DlpConnectorConfigurationsDefinition = {};
  if (actionConfigurations.length > 0) configurations.connectorActionConfigurations = actionConfigurations;
  if (endpointConfigurations.length > 0) configurations.endpointConfigurations = endpointConfigurations;
  const body: DlpPolicyWriteBody = {
    policyDefinition: {
      ...(policyName === undefined ? {} : { name: policyName }),
      displayName: canonical.displayName,
      defaultConnectorsClassification: groupToWire(canonical.defaultGroup),
      connectorGroups: [...groups.values()],
      environmentType: DLP_SCOPE_TO_WIRE[canonical.scope.type],
      environments: [],
    },
    customConnectorUrlPatternsDefinition: {
      rules:
        canonical.urlPatterns.length === 0
          ? null
          : canonical.urlPatterns.map((rule, index) => ({
              order: index + 1,
              customConnectorRuleClassification: urlGroupToWire(rule.group),
              pattern: rule.pattern,
            })),
    },
  };
  if (Object.keys(configurations).length > 0) body.connectorConfigurationsDefinition = configurations;
  // Environment refs may hold placeholders, which the typed body cannot express: set them as JSON.
  const json = body as unknown as { policyDefinition: { environments: Json[] } };
  json.policyDefinition.environments = canonical.scope.environments.map(environmentRef);
  return json;
}

function buildSteps(
  change: KindChange<WireDlpPolicy, DlpPolicyCanonical>,
  ctx: { catalogue: ConnectorCatalogue },
): StepRequest[] {
  switch (change.action) {
    case "create":
      return [
        {
          label: "create",
          description: "create DLP policy",
          api: "bap",
          method: "POST",
          // Source: TF provider internal/services/dlp_policy/api_dlp_policy.go (CreatePolicy)
          path: DLP_V2,
          body: dlpWriteBody(change.after!, ctx.catalogue),
          expect: [200, 201, 202],
          async: "none",
          idempotent: false,
          produces: { ref: `${change.address}#id`, from: "body.policyDefinition.name" },
        },
      ];
    case "update": {
      const id = idInPath(change.id);
      return [
        {
          label: "update",
          description: "update DLP policy",
          api: "bap",
          method: "PATCH",
          // Source: TF provider internal/services/dlp_policy/api_dlp_policy.go (UpdatePolicy)
          path: `${DLP_V2}/${id}`,
          body: dlpWriteBody(change.after!, ctx.catalogue, id),
          expect: [200, 202, 204],
          async: "none",
          idempotent: true,
        },
      ];
    }
    case "delete":
      return [
        {
          label: "delete",
          description: "delete DLP policy",
          api: "bap",
          method: "DELETE",
          // Source: TF provider internal/services/dlp_policy/api_dlp_policy.go (DeletePolicy)
          path: `${DLP_V2}/${idInPath(change.id)}`,
          expect: [200, 202, 204, 404],
          async: "none",
          idempotent: true,
        },
      ];
  }
}

/** Explains a changed connector path: "via defaultGroup" when the document does not list the connector. */
export function dlpPathNote(
  spec: DlpPolicySpec,
  path: string,
  catalogue: ConnectorCatalogue,
): string | undefined {
  const [head, name] = pointerSegments(path);
  if (head !== "connectors" || name === undefined) return undefined;
  const lower = name.toLowerCase();
  for (const group of WIRE_GROUP_ORDER)
    for (const listed of spec.connectors?.[group] ?? [])
      if (connectorKey(listed, catalogue).toLowerCase() === lower) return undefined;
  return "via defaultGroup";
}

export const dlpPolicyKind = {
  kind: "DlpPolicy",
  noun: "DLP policy",
  liveCollections: ["dlpPolicies", "connectors", "unblockableConnectorIds", "virtualConnectors"],
  listLive: (live) => live.dlpPolicies,
  liveId: (policy) => normalizeId(policy.policyDefinition.name) ?? policy.policyDefinition.name,
  liveDisplayName: (policy) => policy.policyDefinition.displayName,
  liveCreatedAt: (policy) => policy.policyDefinition.createdTime,
  desiredDisplayName: (spec) => spec.displayName,
  ensure: (spec) => spec.ensure ?? "present",
  canonicalizeDesired,
  canonicalizeLive,
  partialPaths: [],
  atomicPaths: ["/scope/environments", "/endpointRules/*", "/urlPatterns"],
  ignorePaths: [],
  ignoreWhenLiveAbsent: [],
  createOnlyPaths: [],
  dependsOn: (canonical) => canonical.scope.environments.map((id) => ({ kind: "Environment" as const, id })),
  buildSteps,
  pathNote: (spec, path, ctx) => dlpPathNote(spec, path, ctx.catalogue),
  fingerprint: (policy) => policy.policyDefinition.etag ?? policy.policyDefinition.lastModifiedTime,
} satisfies ResourceKind<DlpPolicySpec, WireDlpPolicy, DlpPolicyCanonical>;
