import type { Diagnostic } from "../diagnostics.js";
import { buildConnectorCatalogue, type ConnectorCatalogue } from "../kinds/connector-catalogue.js";
import type { DlpPolicyCanonical } from "../kinds/dlp-policy.js";
import { isJsonObject, stableStringify, type Json } from "../kinds/json.js";
import { normalizeId } from "../kinds/ids.js";
import { KIND_ORDER, KIND_REGISTRY, type AnyKind } from "../kinds/registry.js";
import { buildSkuIndex } from "../kinds/sku-index.js";
import { isPrunableKind } from "../policy/types.js";
import { runPlanChecks } from "./checks.js";
import { planKind } from "./changes.js";
import type { DesiredState } from "./desired-state.js";
import { planDiagnostic } from "./diagnostic.js";
import { computePlanDigest, sha256, type HashFunction } from "./digest.js";
import { buildIgnoreList } from "./ignore.js";
import type { LiveTenant } from "./live-tenant.js";
import { orderSteps } from "./order.js";
import { buildResolver } from "./resolve.js";
import { buildEdges, buildUnits } from "./steps.js";
import {
  PLAN_FORMAT_VERSION,
  type NewConnector,
  type Plan,
  type PlanResource,
  type PlanStep,
  type PlanSummary,
  type ResourceChange,
} from "./types.js";

export interface BuildPlanOptions {
  /** ISO time the plan is made (the core reads no clock). */
  createdAt: string;
  tenantId?: string;
  git?: { commit?: string; dirty?: boolean; dir?: string };
  mode?: "plan" | "drift";
  /** The override for deleting protected environments. */
  allowProtectedDeletes?: boolean;
  hash?: HashFunction;
}

export interface PlanResult {
  plan: Plan;
  /** Errors mean the plan must not be shown as applicable. */
  diagnostics: Diagnostic[];
  /** The in-memory changes, with canonical before/after (for simulation and export). */
  changes: ResourceChange[];
}

/** Desired state + live tenant → plan. Pure: same inputs, same plan (and digest). */
export function buildPlan(desired: DesiredState, live: LiveTenant, options: BuildPlanOptions): PlanResult {
  const hash = options.hash ?? sha256;
  const catalogue = buildConnectorCatalogue(
    live.connectors,
    live.unblockableConnectorIds,
    live.virtualConnectors,
  );
  const resolver = buildResolver(
    live.environments,
    catalogue,
    buildSkuIndex(live.subscribedSkus),
    live.tenantDomains,
  );
  const ignore = buildIgnoreList(desired.tenant.ignore ?? []);
  const prune = desired.tenant.prune ?? {};
  const environmentNameOf = (kind: AnyKind, id: string | undefined, canonical: object | undefined) => {
    const environment = kind.environmentOf?.(id, canonical);
    return environment === undefined
      ? undefined
      : resolver.liveEnvironment(environment)?.properties.displayName;
  };

  const diagnostics: Diagnostic[] = [];
  const changes: ResourceChange[] = [];
  for (const kindName of KIND_ORDER) {
    const kind: AnyKind = KIND_REGISTRY[kindName];
    const result = planKind(kind, {
      resources: desired.byKind[kindName],
      live,
      resolver,
      ignore,
      prune: isPrunableKind(kindName) && prune[kindName] === true,
      hash,
      ...(kind.environmentOf === undefined
        ? {}
        : {
            displayNameForIgnore: (record: unknown) =>
              environmentNameOf(kind, kind.liveId(record), undefined),
          }),
    });
    if (kind.referencedAs !== undefined)
      for (const [name, id] of result.names) resolver[kind.referencedAs].set(name, id);
    changes.push(...result.changes);
    diagnostics.push(...result.diagnostics);
  }
  // A kind known by its environment shows that environment's name.
  for (const change of changes) {
    const kind: AnyKind = KIND_REGISTRY[change.kind];
    if (kind.environmentOf === undefined) continue;
    change.displayName =
      environmentNameOf(kind, change.id, change.after ?? change.before) ?? change.displayName;
  }

  diagnostics.push(
    ...runPlanChecks({
      desired,
      live,
      changes,
      resolver,
      allowProtectedDeletes: options.allowProtectedDeletes === true,
    }),
  );

  const units = buildUnits(changes, catalogue, live.environments, live.environmentGroupRuleSets);
  const ordered = orderSteps(units, buildEdges(changes, units));
  let steps: PlanStep[] = [];
  if (ordered.ok) steps = ordered.steps;
  else
    diagnostics.push(
      planDiagnostic("PPG413", `the changes depend on each other in a cycle: ${ordered.cycle.join(" → ")}`),
    );

  const withoutDigest: Omit<Plan, "planDigest"> = {
    formatVersion: PLAN_FORMAT_VERSION,
    mode: options.mode ?? "plan",
    createdAt: options.createdAt,
    tenantId: options.tenantId ?? desired.tenant.tenantId ?? live.tenantId ?? null,
    git: { ...options.git },
    desiredDigest: desiredDigest(desired, hash),
    resources: changes.map(planResource),
    steps,
    summary: summarize(changes),
    newConnectors: newConnectors(live, catalogue, changes),
    names: namesIn(changes, live),
  };
  const plan: Plan = { ...withoutDigest, planDigest: computePlanDigest(withoutDigest, hash) };
  return { plan, diagnostics, changes };
}

/** sha256 over the desired documents in kind/name order with stable key order: independent of file layout. */
export function desiredDigest(desired: DesiredState, hash: HashFunction = sha256): string {
  const documents = [
    ...(desired.tenantDocument ? [desired.tenantDocument.document] : []),
    ...desired.resources.map((resource) => resource.loaded.document),
  ];
  return `sha256:${hash(stableStringify(documents))}`;
}

function planResource(change: ResourceChange): PlanResource {
  const notes = Object.keys(change.notes).length > 0 ? { notes: change.notes } : {};
  return {
    address: change.address,
    kind: change.kind,
    name: change.name,
    id: change.id ?? null,
    displayName: change.displayName,
    action: change.action,
    changedPaths: change.changedPaths,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
    fingerprint: change.fingerprint ?? null,
    ...notes,
  };
}

/** True when applying the plan would change something (for `--detailed-exitcode` and drift). */
export function planHasChanges(plan: Pick<Plan, "summary">): boolean {
  const { add, change, destroy, replace } = plan.summary;
  return add + change + destroy + replace > 0;
}

export function summarize(changes: readonly { action: string }[]): PlanSummary {
  const summary: PlanSummary = { add: 0, change: 0, destroy: 0, replace: 0, noop: 0 };
  for (const change of changes) {
    if (change.action === "create") summary.add += 1;
    else if (change.action === "update") summary.change += 1;
    else if (change.action === "delete") summary.destroy += 1;
    else if (change.action === "replace") summary.replace += 1;
    else summary.noop += 1;
  }
  return summary;
}

/** Connectors absent from the catalogue at the last apply, and where each lands in the planned DLP policies. */
function newConnectors(
  live: LiveTenant,
  catalogue: ConnectorCatalogue,
  changes: readonly ResourceChange[],
): NewConnector[] {
  if (live.previousCatalogue === undefined) return [];
  const known = new Set(live.previousCatalogue.map((name) => name.toLowerCase()));
  const fresh = catalogue.connectors.filter((connector) => !known.has(connector.name.toLowerCase()));
  if (fresh.length === 0) return [];
  const policies = changes.filter((change) => change.kind === "DlpPolicy" && change.action !== "delete");
  return fresh.map((connector) => ({
    name: connector.name,
    displayName: connector.displayName,
    effects: policies.flatMap((change) => {
      const canonical = (change.after ?? change.before) as DlpPolicyCanonical | undefined;
      const group = canonical?.connectors[connector.name];
      return group === undefined ? [] : [{ address: change.address, group }];
    }),
  }));
}

/** Display names of the environments, groups, SKUs and service plans whose ids appear in changed values. */
function namesIn(changes: readonly ResourceChange[], live: LiveTenant): Record<string, string> {
  const known = new Map<string, string>();
  for (const environment of live.environments)
    known.set(normalizeId(environment.name) ?? environment.name, environment.properties.displayName);
  for (const group of live.environmentGroups) known.set(normalizeId(group.id) ?? group.id, group.displayName);
  for (const sku of live.subscribedSkus) {
    known.set(sku.skuId.toLowerCase(), sku.skuPartNumber);
    for (const plan of sku.servicePlans) known.set(plan.servicePlanId.toLowerCase(), plan.servicePlanName);
  }
  const names: Record<string, string> = {};
  const visit = (value: Json | undefined): void => {
    if (typeof value === "string") {
      const name = known.get(value);
      if (name !== undefined) names[value] = name;
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (isJsonObject(value)) Object.values(value).forEach(visit);
  };
  for (const change of changes)
    for (const entry of change.changedPaths) {
      visit(entry.before);
      visit(entry.after);
    }
  return names;
}
