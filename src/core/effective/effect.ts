/**
 * The effect of a DLP change: for every environment (before or after the change), which connectors
 * change effective group. Computed from the tenant before and after the plan (simulateApply), so
 * creates, deletes, scope moves and reclassifications are all seen the same way.
 */
import type { LiveTenant } from "../plan/live-tenant.js";
import { simulateApply } from "../plan/simulate.js";
import type { PlanStep } from "../plan/types.js";
import { effectivePolicy, type EffectiveGroup } from "./combine.js";
import { compare, environmentViewsOf, policyViewsOf, type PolicyView } from "./policy-view.js";

export interface ConnectorMove {
  connector: string;
  before: EffectiveGroup;
  after: EffectiveGroup;
}

export interface EnvironmentEffect {
  environmentId: string;
  environmentName: string;
  moves: ConnectorMove[];
}

/** Environments whose effective classification changes, sorted by name; [] when nothing moves. */
export type DlpEffect = EnvironmentEffect[];

function sameViews(a: readonly PolicyView[], b: readonly PolicyView[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function dlpEffect(before: LiveTenant, after: LiveTenant): DlpEffect {
  const beforeViews = policyViewsOf(before);
  const afterViews = policyViewsOf(after);
  if (sameViews(beforeViews, afterViews)) return [];
  const connectorNames = new Set<string>();
  for (const view of [...beforeViews, ...afterViews])
    for (const name of Object.keys(view.connectors)) connectorNames.add(name);
  const names = [...connectorNames].sort(compare);
  // Environments the plan creates hold no apps or flows yet: only existing ones can be affected.
  const remaining = new Set(environmentViewsOf(after).map((view) => view.id));
  const environments = environmentViewsOf(before).filter((view) => remaining.has(view.id));
  const effect: DlpEffect = [];
  for (const environment of environments) {
    const was = effectivePolicy(beforeViews, environment, names);
    const now = effectivePolicy(afterViews, environment, names);
    const moves: ConnectorMove[] = [];
    now.connectors.forEach((entry, index) => {
      const previous = was.connectors[index]?.group ?? "unrestricted";
      if (previous !== entry.group)
        moves.push({ connector: entry.connector, before: previous, after: entry.group });
    });
    if (moves.length > 0)
      effect.push({ environmentId: environment.id, environmentName: environment.displayName, moves });
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
export function planDlpEffect(plan: { steps: readonly PlanStep[] }, live: LiveTenant): DlpEffect {
  if (!plan.steps.some((step) => step.address.startsWith("DlpPolicy/"))) return [];
  return dlpEffect(live, simulateApply({ steps: plan.steps.filter(shapesDlpEffect) }, live));
}
