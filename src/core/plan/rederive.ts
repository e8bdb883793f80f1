/**
 * A saved plan is an approval, not a script: apply re-derives the steps from the plan's policies and
 * the live state, and executes the saved steps only when they are the derived ones. Pure comparison and
 * counting; the app layer reads the policies and the tenant.
 */
import { stableStringify } from "../kinds/json.js";
import type { Plan, PlanStep } from "./types.js";

/** At most this many differences are spelled out; the rest are counted. */
const SHOWN_DIFFERENCES = 5;

function describeStep(step: PlanStep): string {
  return `${step.method} ${step.path}`;
}

/**
 * How the saved plan's steps (and the actions of the resources they change) differ from the derived
 * ones, one line each for people; empty when they are the same.
 */
export function planDifferences(
  saved: Pick<Plan, "steps" | "resources">,
  derived: Pick<Plan, "steps" | "resources">,
): string[] {
  const differences: string[] = [];
  const derivedById = new Map(derived.steps.map((step) => [step.id, step]));
  const savedIds = new Set<string>();
  for (const [index, step] of saved.steps.entries()) {
    savedIds.add(step.id);
    const expected = derivedById.get(step.id);
    if (expected === undefined) {
      differences.push(`step ${step.id} (${describeStep(step)}) is not one the policies lead to`);
      continue;
    }
    if (stableStringify(step) === stableStringify(expected)) {
      if (derived.steps[index]?.id !== step.id)
        differences.push(`step ${step.id} is out of the order the policies lead to`);
      continue;
    }
    const fields = (Object.keys({ ...step, ...expected }) as (keyof PlanStep)[])
      .filter((field) => stableStringify(step[field] ?? null) !== stableStringify(expected[field] ?? null))
      .sort();
    const what =
      step.method !== expected.method || step.path !== expected.path
        ? `: the plan says ${describeStep(step)}, the policies lead to ${describeStep(expected)}`
        : `: its ${fields.join(", ")} differ${fields.length === 1 ? "s" : ""} from what the policies lead to`;
    differences.push(`step ${step.id}${what}`);
  }
  for (const step of derived.steps)
    if (!savedIds.has(step.id))
      differences.push(`step ${step.id} (${describeStep(step)}) is missing from the plan`);
  const actionOf = (plan: Pick<Plan, "resources">): Map<string, string> =>
    new Map(
      plan.resources
        .filter((resource) => resource.action !== "no-op")
        .map((resource) => [resource.address, resource.action]),
    );
  const savedActions = actionOf(saved);
  const derivedActions = actionOf(derived);
  for (const address of new Set([...savedActions.keys(), ...derivedActions.keys()]))
    if (savedActions.get(address) !== derivedActions.get(address))
      differences.push(
        `${address}: the plan says ${savedActions.get(address) ?? "no-op"}, the policies lead to ${derivedActions.get(address) ?? "no-op"}`,
      );
  if (differences.length <= SHOWN_DIFFERENCES) return differences;
  return [...differences.slice(0, SHOWN_DIFFERENCES), `… and ${differences.length - SHOWN_DIFFERENCES} more`];
}

export interface StepSummary {
  add: number;
  change: number;
  destroy: number;
}

/**
 * "N added, N changed, N destroyed" counted from the steps: each address that has a step counts once,
 * by the action of its resource (a replace is one added and one destroyed). Never the stored summary.
 */
export function summarizeSteps(
  plan: Pick<Plan, "steps" | "resources">,
  steps: readonly Pick<PlanStep, "address">[] = plan.steps,
): StepSummary {
  const actions = new Map(plan.resources.map((resource) => [resource.address, resource.action]));
  const summary: StepSummary = { add: 0, change: 0, destroy: 0 };
  for (const address of new Set(steps.map((step) => step.address))) {
    const action = actions.get(address);
    if (action === "create") summary.add += 1;
    else if (action === "delete") summary.destroy += 1;
    else if (action === "replace") {
      summary.add += 1;
      summary.destroy += 1;
    } else summary.change += 1;
  }
  return summary;
}
