import {
  type DlpGroup,
  type DlpPolicySpec,
  type UrlPatternGroup,
  DLP_GROUPS,
  type ConnectorRule,
  type DlpScope,
  type EndpointRule,
} from "../policy/types.js";
import {
  type DlpConnectorActionConfiguration,
  type DlpConnectorConfigurationsDefinition,
  type DlpConnectorGroup,
  type DlpEndpointConfiguration,
  type DlpPolicyWriteBody,
  type WireDlpPolicy,
  endpointOf,
} from "../wire/types.js";
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
import { pointerSegments, type Json, escapeSegment } from "./json.js";
import { DLP_V2 } from "./paths.js";
import { idInPath, idSortKey, placeholderText, type IdOrPlaceholder } from "./placeholder.js";
import type { CanonContext, KindChange, ResourceKind, StepRequest } from "./resource-kind.js";
import { envRefComment, type Built, type ExportContext } from "../export/context.js";
import { isConnectorName, oneLine } from "../export/format.js";
import type { ExportComment } from "../export/types.js";

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

// --- request body (TF internal/services/dlp_policy/api_dlp_policy.go) --------------------------------------

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
  exporter: {
    folder: "dlp",
    fallbackName: "policy",
    pinsId: true,
    uniqueDisplayName: true,
    build: (policy, context) => dlpPolicySpec(policy, context),
  },
} satisfies ResourceKind<DlpPolicySpec, WireDlpPolicy, DlpPolicyCanonical>;

// Export: the live object as a document.

const GROUP_WORDS: Record<DlpGroup, string> = {
  business: "business",
  nonBusiness: "nonBusiness",
  blocked: "blocked",
};

type Step<T> = { value: T; comments: ExportComment[] } | { reason: string };

function scopeOf(canonical: DlpPolicyCanonical, context: ExportContext): Step<DlpScope> {
  const { type, environments } = canonical.scope;
  if (type === "all") return { value: { all: true }, comments: [] };
  if (environments.length === 0) return { reason: `its scope '${type}' lists no environment` };
  const entries: { ref: string; id: string }[] = [];
  for (const id of environments) {
    const ref = typeof id === "string" ? context.envRef(id) : undefined;
    if (ref === undefined || typeof id !== "string")
      return { reason: `its scope names environment ${JSON.stringify(id)}, which is not in the tenant` };
    entries.push({ ref, id });
  }
  // Sorted as the reader sees them; the planner compares scopes as sets.
  entries.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  const list = entries.map((entry) => entry.ref);
  const comments = entries.flatMap((entry, index) =>
    envRefComment(`/spec/scope/${type}/${index}`, entry.ref, entry.id, context),
  );
  return { value: type === "only" ? { only: list } : { except: list }, comments };
}

/**
 * Lists only the connectors whose group differs from where `defaultGroup` puts them: the planner
 * resolves every unlisted catalogue connector to the default, so the effect is the same and a
 * policy of 300 connectors reads as the handful of decisions it holds.
 */
function connectorsOf(
  canonical: DlpPolicyCanonical,
  context: ExportContext,
): Step<Partial<Record<DlpGroup, string[]>>> {
  const baseline = resolveConnectorGroups(new Map(), canonical.defaultGroup, context.catalogue);
  const listed: Partial<Record<DlpGroup, string[]>> = {};
  for (const name of Object.keys(canonical.connectors).sort()) {
    const group = canonical.connectors[name]!;
    const entry = context.catalogue.find(name);
    if (entry === undefined)
      return { reason: `it lists connector '${name}', which is not in the tenant's connector catalogue` };
    if (baseline[entry.name] === group) continue;
    if (group === "blocked" && entry.unblockable)
      return { reason: `it blocks connector '${entry.name}', which the service marks unblockable` };
    if (!isConnectorName(entry.name))
      return { reason: `connector '${entry.name}' has a name a document cannot write` };
    (listed[group] ??= []).push(entry.name);
  }
  const comments: ExportComment[] = [];
  const connectors: Partial<Record<DlpGroup, string[]>> = {};
  for (const group of DLP_GROUPS) {
    const names = listed[group];
    if (names === undefined) continue;
    connectors[group] = names;
    names.forEach((name, index) => {
      const displayName = oneLine(context.catalogue.find(name)?.displayName ?? "");
      if (displayName !== "" && displayName !== name)
        comments.push({
          pointer: `/spec/connectors/${group}/${index}`,
          text: displayName,
          position: "trailing",
        });
    });
  }
  return { value: connectors, comments };
}

function connectorRulesOf(
  canonical: DlpPolicyCanonical,
  context: ExportContext,
): Step<Record<string, ConnectorRule>> {
  const names = [
    ...new Set([...Object.keys(canonical.actionRules), ...Object.keys(canonical.endpointRules)]),
  ];
  const rules: Record<string, ConnectorRule> = {};
  const comments: ExportComment[] = [];
  for (const name of names.sort()) {
    const entry = context.catalogue.find(name);
    if (entry === undefined)
      return {
        reason: `it has rules for connector '${name}', which is not in the tenant's connector catalogue`,
      };
    if (!isConnectorName(entry.name))
      return { reason: `connector '${entry.name}' has a name a document cannot write` };
    const rule: ConnectorRule = {};
    const actions = canonical.actionRules[name];
    if (actions !== undefined) {
      const ids = Object.keys(actions.rules).sort();
      if (ids.some((id) => id === ""))
        return { reason: `connector '${name}' has an action rule without an action id` };
      const allow = ids.filter((id) => actions.rules[id] === "allow");
      const block = ids.filter((id) => actions.rules[id] === "block");
      rule.actions = {
        default: actions.default,
        ...(allow.length > 0 ? { allow } : {}),
        ...(block.length > 0 ? { block } : {}),
      };
    }
    const endpoints = canonical.endpointRules[name];
    if (endpoints !== undefined && endpoints.length > 0) {
      if (endpoints.some((endpoint) => endpoint.endpoint === ""))
        return { reason: `connector '${name}' has an endpoint rule without a pattern` };
      const last = endpoints[endpoints.length - 1]!;
      if (last.endpoint !== "*")
        return { reason: `the endpoint rules of connector '${name}' do not end with the catch-all "*"` };
      rule.endpoints = endpoints.map((endpoint): EndpointRule =>
        endpoint.behavior === "allow" ? { allow: endpoint.endpoint } : { deny: endpoint.endpoint },
      );
    }
    if (Object.keys(rule).length === 0) continue;
    rules[entry.name] = rule;
    const displayName = oneLine(entry.displayName);
    if (displayName !== "" && displayName !== entry.name)
      comments.push({
        pointer: `/spec/connectorRules/${escapeSegment(entry.name)}`,
        text: displayName,
        position: "before",
      });
  }
  return { value: rules, comments };
}

export function dlpPolicySpec(policy: WireDlpPolicy, context: ExportContext): Built<DlpPolicySpec> {
  const canonical = dlpPolicyKind.canonicalizeLive(policy, context.canon);
  if (canonical.displayName === "") return { reason: "it has no display name" };
  const scope = scopeOf(canonical, context);
  if ("reason" in scope) return scope;
  const connectors = connectorsOf(canonical, context);
  if ("reason" in connectors) return connectors;
  const rules = connectorRulesOf(canonical, context);
  if ("reason" in rules) return rules;
  const patterns = canonical.urlPatterns;
  if (patterns.length > 0) {
    if (patterns.some((rule) => rule.pattern === ""))
      return { reason: "a custom connector URL pattern is empty" };
    if (patterns[patterns.length - 1]!.pattern !== "*")
      return { reason: 'its custom connector URL patterns do not end with the catch-all "*"' };
  }
  const spec: DlpPolicySpec = {
    displayName: canonical.displayName,
    scope: scope.value,
    defaultGroup: canonical.defaultGroup,
  };
  const comments = [...scope.comments];
  if (Object.keys(connectors.value).length > 0) spec.connectors = connectors.value;
  comments.push(defaultGroupComment(canonical, countListed(connectors.value), spec.connectors !== undefined));
  comments.push(...connectors.comments);
  if (Object.keys(rules.value).length > 0) {
    spec.connectorRules = rules.value;
    comments.push(...rules.comments);
  }
  if (patterns.length > 0)
    spec.customConnectorUrlPatterns = patterns.map((rule) => ({ pattern: rule.pattern, group: rule.group }));
  return { spec, comments };
}

/** Says where the connectors the document does not list are, since the file no longer shows them. */
function defaultGroupComment(canonical: DlpPolicyCanonical, listed: number, hasList: boolean): ExportComment {
  const unlisted = Object.keys(canonical.connectors).length - listed;
  const group = GROUP_WORDS[canonical.defaultGroup];
  const unblockable =
    canonical.defaultGroup === "blocked" ? " (unblockable connectors among them are nonBusiness)" : "";
  return hasList
    ? {
        pointer: "/spec/connectors",
        text: `Only connectors outside the default group are listed; the other ${unlisted} are ${group}${unblockable}.`,
        position: "before",
      }
    : {
        pointer: "/spec/defaultGroup",
        text: `All ${unlisted} connectors of the catalogue are ${group}${unblockable}.`,
        position: "before",
      };
}

function countListed(connectors: Partial<Record<DlpGroup, string[]>>): number {
  return DLP_GROUPS.reduce((sum, group) => sum + (connectors[group]?.length ?? 0), 0);
}
