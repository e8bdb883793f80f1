import { dlpPolicyKind, resolveConnectorGroups, type DlpPolicyCanonical } from "../kinds/dlp-policy.js";
import { escapeSegment } from "../kinds/json.js";
import {
  DLP_GROUPS,
  type ConnectorRule,
  type DlpGroup,
  type DlpPolicySpec,
  type DlpScope,
  type EndpointRule,
} from "../policy/types.js";
import type { WireDlpPolicy } from "../wire/types.js";
import { envRefComment, type Built, type ExportContext } from "./context.js";
import { isConnectorName, oneLine } from "./format.js";
import type { ExportComment } from "./types.js";

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
