/**
 * The effect of a DLP change: for every environment (before or after the change), which connectors
 * change effective group. Computed from the tenant before and after the plan (simulateApply), so
 * creates, deletes, scope moves and reclassifications are all seen the same way.
 */
import type { LiveTenant } from "../plan/live-tenant.js";
import { simulateApply } from "../plan/simulate.js";
import type { PlanStep, ResourceChange } from "../plan/types.js";
import type { DlpPolicyCanonical } from "../kinds/dlp-policy.js";
import type { WireDlpPolicy } from "../wire/types.js";
import { applyReason, combineGroups, effectivePolicy, type EffectiveGroup } from "./combine.js";
import type { ConnectorMove, DlpEffect } from "./effect-types.js";
import {
  compare,
  environmentViewsOf,
  policyViewsOf,
  type EnvironmentView,
  type KnownCanonical,
  type PolicyView,
} from "./policy-view.js";

export type { ConnectorMove, DlpEffect, EnvironmentEffect } from "./effect-types.js";

/** Views shared by the two tenants (unchanged policies) are the same objects: no need to serialise them. */
function sameViews(a: readonly PolicyView[], b: readonly PolicyView[]): boolean {
  return (
    a.length === b.length &&
    a.every((view, index) => view === b[index] || JSON.stringify(view) === JSON.stringify(b[index]))
  );
}

/**
 * The connectors whose group a changed policy may move, per policy id: "all" when the policy appears,
 * disappears, or changes its default group or scope; otherwise the connectors it classifies differently.
 */
function changedConnectors(
  before: readonly PolicyView[],
  after: readonly PolicyView[],
): Map<string, Set<string> | "all"> {
  const beforeById = new Map(before.map((view) => [view.id, view]));
  const afterById = new Map(after.map((view) => [view.id, view]));
  const changed = new Map<string, Set<string> | "all">();
  for (const id of new Set([...beforeById.keys(), ...afterById.keys()])) {
    const was = beforeById.get(id);
    const now = afterById.get(id);
    if (was === now) continue;
    if (was === undefined || now === undefined || was.defaultGroup !== now.defaultGroup) {
      changed.set(id, "all");
      continue;
    }
    if (JSON.stringify(was.scope) !== JSON.stringify(now.scope)) {
      changed.set(id, "all");
      continue;
    }
    const moved = new Set<string>();
    for (const name of new Set([...Object.keys(was.connectors), ...Object.keys(now.connectors)]))
      if (was.connectors[name] !== now.connectors[name]) moved.add(name);
    if (moved.size > 0) changed.set(id, moved);
  }
  return changed;
}

/**
 * The combined group of each of `names` in one environment: what `effectivePolicy(...).connectors`
 * gives, without its per-policy detail, which a tenant-wide effect would build for every environment.
 * Needs unique policy ids (the detail is keyed by id, so a repeated id would count once there).
 */
function combinedGroups(applying: readonly PolicyView[], names: readonly string[]): EffectiveGroup[] {
  return names.map((name) =>
    combineGroups(applying.map((policy) => policy.connectors[name] ?? policy.defaultGroup)),
  );
}

function hasUniqueIds(views: readonly PolicyView[]): boolean {
  return new Set(views.map((view) => view.id)).size === views.length;
}

/** The policies that apply to one environment, in `views` order. */
function applyingTo(views: readonly PolicyView[], scopes: ScopeIndex, environmentId: string): PolicyView[] {
  return views.filter((view) => scopes.applies(view, environmentId));
}

/** `applyReason(...) !== undefined`, with each policy's environments in a set. */
interface ScopeIndex {
  applies(view: PolicyView, environmentId: string): boolean;
}

function scopeIndex(views: readonly PolicyView[]): ScopeIndex {
  const listed = new Map(views.map((view) => [view, new Set(view.scope.environments)] as const));
  return {
    applies(view, environmentId) {
      const set = listed.get(view);
      if (set === undefined) return applyReason(view, environmentId) !== undefined;
      switch (view.scope.type) {
        case "all":
          return true;
        case "only":
          return set.has(environmentId);
        case "except":
          return !set.has(environmentId);
      }
    },
  };
}

/**
 * For each environment, a key naming the "only" and "except" policies that list it ("" when none do):
 * whether a policy applies to an environment depends on nothing else.
 */
function scopeSignatures(views: readonly PolicyView[]): (environmentId: string) => string {
  const listedBy = new Map<string, number[]>();
  views.forEach((view, index) => {
    if (view.scope.type === "all") return;
    for (const environmentId of view.scope.environments) {
      let listing = listedBy.get(environmentId);
      if (listing === undefined) listedBy.set(environmentId, (listing = []));
      // A policy listing an environment twice still lists it once.
      if (listing[listing.length - 1] !== index) listing.push(index);
    }
  });
  return (environmentId) => listedBy.get(environmentId)?.join(",") ?? "";
}

/**
 * `canonical`: canonical forms of `before`'s policies that the caller already built under its catalogue
 * (the planner's `before` of each DLP change).
 */
export function dlpEffect(before: LiveTenant, after: LiveTenant, canonical?: KnownCanonical): DlpEffect {
  // A simulated tenant shares the catalogue and the unchanged policy objects with the live one
  // (simulateApply): their views are the same, so build them once.
  const sameCatalogue =
    before.connectors === after.connectors &&
    before.virtualConnectors === after.virtualConnectors &&
    before.unblockableConnectorIds === after.unblockableConnectorIds;
  const known = sameCatalogue ? new Map<WireDlpPolicy, PolicyView>() : undefined;
  const beforeViews = policyViewsOf(before, known, canonical);
  const afterViews = policyViewsOf(after, known);
  if (sameViews(beforeViews, afterViews)) return [];
  const connectorNames = new Set<string>();
  for (const view of [...beforeViews, ...afterViews])
    for (const name of Object.keys(view.connectors)) connectorNames.add(name);
  const names = [...connectorNames].sort(compare);
  // Only a changed policy can move a connector, and only in an environment it applies to (before or
  // after), and only the connectors it changed: comparing just those keeps a plan of a large tenant
  // linear (environments x changed policies x changed connectors, not x every connector of every policy).
  const changed = changedConnectors(beforeViews, afterViews);
  const changedViews = [...beforeViews, ...afterViews].filter((view) => changed.has(view.id));
  // Environments the plan creates hold no apps or flows yet: only existing ones can be affected.
  const remaining = new Set(environmentViewsOf(after).map((view) => view.id));
  const environments = environmentViewsOf(before).filter((view) => remaining.has(view.id));
  const scopes = scopeIndex([...beforeViews, ...afterViews]);
  const fast = hasUniqueIds(beforeViews) && hasUniqueIds(afterViews);
  const groupsIn = (views: readonly PolicyView[], environment: EnvironmentView, compared: string[]) =>
    fast
      ? combinedGroups(applyingTo(views, scopes, environment.id), compared)
      : effectivePolicy(views, environment, compared).connectors.map((entry) => entry.group);
  const movesIn = (environment: EnvironmentView): ConnectorMove[] => {
    const candidates = new Set<string>();
    let all = false;
    for (const view of changedViews) {
      if (!scopes.applies(view, environment.id)) continue;
      const moved = changed.get(view.id);
      if (moved === "all") all = true;
      else if (moved !== undefined) for (const name of moved) candidates.add(name);
    }
    if (!all && candidates.size === 0) return [];
    const compared = all ? names : names.filter((name) => candidates.has(name));
    const was = groupsIn(beforeViews, environment, compared);
    const now = groupsIn(afterViews, environment, compared);
    const moves: ConnectorMove[] = [];
    now.forEach((group, index) => {
      const previous = was[index] ?? "unrestricted";
      if (previous !== group) moves.push({ connector: compared[index]!, before: previous, after: group });
    });
    return moves;
  };
  // An environment's moves depend only on which policies list it: environments listed by the same
  // policies (most often by none) share one answer, computed once.
  const signatureOf = scopeSignatures([...beforeViews, ...afterViews]);
  const movesBySignature = new Map<string, ConnectorMove[]>();
  const effect: DlpEffect = [];
  for (const environment of environments) {
    const signature = signatureOf(environment.id);
    let moves = movesBySignature.get(signature);
    if (moves === undefined) {
      moves = movesIn(environment);
      movesBySignature.set(signature, moves);
    }
    if (moves.length > 0)
      effect.push({
        environmentId: environment.id,
        environmentName: environment.displayName,
        moves: moves.map((move) => ({ ...move })),
      });
  }
  return effect.sort(
    (a, b) => compare(a.environmentName, b.environmentName) || compare(a.environmentId, b.environmentId),
  );
}

/**
 * Steps that change which DLP policies exist, what they classify, or which environments they cover.
 * Only those are simulated: the DLP picture does not depend on licences or settings.
 */
export function shapesDlpEffect(step: { address: string }): boolean {
  return /^(DlpPolicy|Environment|EnvironmentGroup)\//.test(step.address);
}

/** The effect of a plan's DLP changes on the existing environments ([] when it changes no DLP policy). */
export function planDlpEffect(
  plan: { steps: readonly PlanStep[] },
  live: LiveTenant,
  canonical?: KnownCanonical,
): DlpEffect {
  if (!plan.steps.some((step) => step.address.startsWith("DlpPolicy/"))) return [];
  return dlpEffect(live, simulateApply({ steps: plan.steps.filter(shapesDlpEffect) }, live), canonical);
}

/** The live canonical form of each DLP policy the planner matched (`before` of its change). */
export function canonicalFromChanges(changes: readonly ResourceChange[]): KnownCanonical {
  const forms = new Map<unknown, DlpPolicyCanonical>();
  for (const change of changes)
    if (change.kind === "DlpPolicy" && change.live !== undefined && change.before !== undefined)
      forms.set(change.live, change.before as DlpPolicyCanonical);
  return (policy) => forms.get(policy);
}
