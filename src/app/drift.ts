/**
 * Drift: the plan read the other way round. A resource the plan would change is one the tenant moved
 * away from the policies (or one the policies added since the last apply); the report lists them.
 */
import type { ChangedPath } from "../core/plan/diff.js";
import { planHasChanges, type Plan } from "../core/plan/index.js";
import type { RegisteredKind } from "../core/kinds/registry.js";
import { runPlan, type PlanDeps, type PlanOutcome } from "./plan.js";

export interface DriftedResource {
  address: string;
  kind: RegisteredKind;
  displayName: string;
  id: string | null;
  /** What applying the policies would do about it. */
  action: "create" | "update" | "replace" | "delete";
  changedPaths: ChangedPath[];
}

export interface DriftReport {
  drifted: boolean;
  resources: DriftedResource[];
}

export type DriftOutcome =
  | Exclude<PlanOutcome, { status: "planned" }>
  | (Extract<PlanOutcome, { status: "planned" }> & { report: DriftReport });

export function driftReport(plan: Plan): DriftReport {
  const resources = plan.resources.flatMap((resource): DriftedResource[] =>
    resource.action === "no-op"
      ? []
      : [
          {
            address: resource.address,
            kind: resource.kind,
            displayName: resource.displayName,
            id: resource.id,
            action: resource.action,
            changedPaths: resource.changedPaths,
          },
        ],
  );
  return { drifted: planHasChanges(plan), resources };
}

/** `ppgov drift` without the output: the plan in drift mode plus the list of drifted resources. */
export async function runDrift(dir: string, deps: PlanDeps): Promise<DriftOutcome> {
  const outcome = await runPlan({ dir, mode: "drift" }, deps);
  if (outcome.status !== "planned") return outcome;
  return { ...outcome, report: driftReport(outcome.planned.plan) };
}
