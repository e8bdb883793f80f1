/**
 * The plan's DLP effect and impact: which environments change effective classification (always, for
 * plans that change DLP policies), and with `--impact` which apps and flows use the moved connectors.
 */
import { canonicalFromChanges, planDlpEffect, type DlpEffect } from "../core/effective/index.js";
import { impactOf } from "../core/impact/index.js";
import type { Inventory, PlanImpact } from "../core/impact/index.js";
import { computePlanDigest, type LiveTenant, type Plan, type ResourceChange } from "../core/plan/index.js";

/**
 * The effect of a plan's DLP changes; [] when the simulation cannot model a step (the plan still
 * stands). `changes`, the planner's, spare building the live policies' canonical forms again.
 */
export function safeDlpEffect(plan: Plan, live: LiveTenant, changes?: readonly ResourceChange[]): DlpEffect {
  try {
    return planDlpEffect(plan, live, changes === undefined ? undefined : canonicalFromChanges(changes));
  } catch {
    return [];
  }
}

/** The plan with `effect` (and `impact`) added and its digest recomputed; the same plan when there is neither. */
export function annotatePlan(plan: Plan, additions: { effect: DlpEffect; impact?: PlanImpact }): Plan {
  if (additions.effect.length === 0 && additions.impact === undefined) return plan;
  const { planDigest: _previous, effect: _effect, impact: _impact, ...rest } = plan;
  const annotated: Omit<Plan, "planDigest"> = {
    ...rest,
    ...(additions.effect.length > 0 ? { effect: additions.effect } : {}),
    ...(additions.impact === undefined ? {} : { impact: additions.impact }),
  };
  return { ...annotated, planDigest: computePlanDigest(annotated) };
}

/** Adds the DLP effect to a plan (mode plan only: a drift report reads the other way round). */
export function withDlpEffect(plan: Plan, live: LiveTenant, changes?: readonly ResourceChange[]): Plan {
  return plan.mode === "plan" ? annotatePlan(plan, { effect: safeDlpEffect(plan, live, changes) }) : plan;
}

/** What reads the app and flow inventory of some environments (src/adapters/tenant/inventory-api.ts). */
export interface InventoryReader {
  read(environmentIds: readonly string[]): Promise<Inventory>;
}

/** `plan --impact`: reads the inventory of the affected environments and adds the impact to the plan. */
export async function withImpact(plan: Plan, reader: InventoryReader): Promise<Plan> {
  const effect = plan.effect ?? [];
  const inventory = await reader.read(effect.map((environment) => environment.environmentId));
  return annotatePlan(plan, { effect, impact: impactOf(effect, inventory) });
}
