import type { WireEnvironment } from "../wire/types.js";
import type { ConnectorCatalogue } from "../kinds/connector-catalogue.js";
import type { EnvironmentCanonical } from "../kinds/environment.js";
import { deleteRuleSetStep, removeFromGroupStep } from "../kinds/environment-group.js";
import type { WireRuleSet } from "../kinds/rule-set.js";
import { normalizeId } from "../kinds/ids.js";
import { isPlaceholder, placeholder } from "../kinds/placeholder.js";
import type { KindChange, ResourceKind, ResourceRef, StepRequest } from "../kinds/resource-kind.js";
import { KIND_REGISTRY, kindRank } from "../kinds/registry.js";
import { unitKey, type StepUnit, type UnitEdge } from "./order.js";
import type { ResourceChange } from "./types.js";

type AnyKind = ResourceKind<unknown, unknown, object>;

function kindOf(change: ResourceChange): AnyKind {
  return KIND_REGISTRY[change.kind];
}

function kindChange(
  change: ResourceChange,
  action: KindChange<unknown, object>["action"],
): KindChange<unknown, object> {
  const paths = change.changedPaths.map((entry) => entry.path);
  if (action === "create")
    return {
      action,
      address: change.address,
      id: placeholder(change.address),
      after: change.after!,
      changedPaths: paths,
    };
  return {
    action,
    address: change.address,
    id: change.id!,
    ...(change.before === undefined ? {} : { before: change.before }),
    ...(change.after === undefined ? {} : { after: change.after }),
    live: change.live,
    changedPaths: paths,
  };
}

/** The steps of every change, split in a destroy and an apply phase (a replace has both). */
export function buildUnits(
  changes: readonly ResourceChange[],
  catalogue: ConnectorCatalogue,
  liveEnvironments: readonly WireEnvironment[],
  ruleSets: Readonly<Record<string, WireRuleSet>> = {},
): StepUnit[] {
  const ruleSetOf = new Map(
    Object.entries(ruleSets).map(([group, ruleSet]) => [group.toLowerCase(), ruleSet]),
  );
  const units: StepUnit[] = [];
  const ctx = { catalogue };
  const add = (change: ResourceChange, phase: StepUnit["phase"], steps: StepRequest[]): void => {
    if (steps.length > 0) units.push({ address: change.address, phase, rank: kindRank(change.kind), steps });
  };
  const groupsBeingDeleted = new Map<string, ResourceChange>();
  for (const change of changes)
    if (change.kind === "EnvironmentGroup" && change.action === "delete" && change.id !== undefined)
      groupsBeingDeleted.set(change.id, change);
  const membersToRemove = groupMembersStaying(changes, groupsBeingDeleted, liveEnvironments);
  for (const change of changes) {
    const kind = kindOf(change);
    switch (change.action) {
      case "no-op":
        break;
      case "create":
        add(change, "apply", kind.buildSteps(kindChange(change, "create"), ctx));
        break;
      case "update":
        add(change, "apply", kind.buildSteps(kindChange(change, "update"), ctx));
        break;
      case "replace":
        add(change, "destroy", kind.buildSteps(kindChange(change, "delete"), ctx));
        add(change, "apply", kind.buildSteps(kindChange(change, "create"), ctx));
        break;
      case "delete": {
        // A group goes only once it is empty and has no rule set; other kinds have neither.
        const removals = (membersToRemove.get(change.id!) ?? []).map((env) =>
          removeFromGroupStep(change.id!, env),
        );
        const ruleSet = change.kind === "EnvironmentGroup" ? ruleSetOf.get(change.id!) : undefined;
        const cleanup = ruleSet === undefined ? removals : [...removals, deleteRuleSetStep(ruleSet.id)];
        add(change, "destroy", [...cleanup, ...kind.buildSteps(kindChange(change, "delete"), ctx)]);
        break;
      }
    }
  }
  return units;
}

/** Live environments that stay in a group being deleted (not deleted, not moved by this plan): taken out first. */
function groupMembersStaying(
  changes: readonly ResourceChange[],
  groups: ReadonlyMap<string, ResourceChange>,
  liveEnvironments: readonly WireEnvironment[],
): Map<string, string[]> {
  const result = new Map<string, string[]>();
  if (groups.size === 0) return result;
  const environmentChanges = new Map<string, ResourceChange>();
  for (const change of changes)
    if (change.kind === "Environment" && change.id !== undefined) environmentChanges.set(change.id, change);
  for (const environment of liveEnvironments) {
    const id = normalizeId(environment.name);
    const group = normalizeId(environment.properties.parentEnvironmentGroup?.id);
    if (id === null || group === null || !groups.has(group)) continue;
    const change = environmentChanges.get(id);
    if (change?.action === "delete" || change?.action === "replace") continue;
    const after = change?.after as EnvironmentCanonical | undefined;
    if (change?.action === "update" && after !== undefined && after.group !== group) continue;
    const list = result.get(group);
    if (list) list.push(id);
    else result.set(group, [id]);
  }
  return result;
}

/** Ordering constraints between units, from the references in canonical forms. */
export function buildEdges(changes: readonly ResourceChange[], units: readonly StepUnit[]): UnitEdge[] {
  const hasUnit = new Set(units.map((unit) => unitKey(unit.address, unit.phase)));
  const addressById = new Map<string, string>();
  const deleted = new Set(
    changes.filter((change) => change.action === "delete").map((change) => change.address),
  );
  for (const change of changes)
    if (change.id !== undefined) addressById.set(`${change.kind}:${change.id}`, change.address);
  const addressOf = (ref: ResourceRef): string | undefined =>
    isPlaceholder(ref.id) ? ref.id.$ref.replace(/#id$/, "") : addressById.get(`${ref.kind}:${ref.id}`);
  const edges: UnitEdge[] = [];
  const push = (before: string, after: string): void => {
    if (hasUnit.has(before) && hasUnit.has(after)) edges.push({ before, after });
  };
  for (const change of changes) {
    if (change.action === "no-op") continue;
    const kind = kindOf(change);
    const apply = unitKey(change.address, "apply");
    const destroy = unitKey(change.address, "destroy");
    push(destroy, apply);
    if (change.after !== undefined && change.action !== "delete")
      for (const ref of kind.dependsOn(change.after)) {
        const target = addressOf(ref);
        if (target !== undefined && target !== change.address) push(unitKey(target, "apply"), apply);
      }
    if (change.before !== undefined)
      for (const ref of kind.dependsOn(change.before)) {
        const target = addressOf(ref);
        if (target === undefined || target === change.address) continue;
        // Whatever releases the reference (this object's delete, or its update) comes before the
        // target's delete. A replaced target is re-created first and referenced by its new id instead.
        push(destroy, unitKey(target, "destroy"));
        if (deleted.has(target)) push(apply, unitKey(target, "destroy"));
      }
  }
  return edges;
}
