import type { GithubClient } from "./client.js";

export const PLAN_LABELS = {
  noChanges: "ppgov/no-changes",
  changes: "ppgov/changes",
  destroy: "ppgov/destroy",
} as const;

export const DRIFT_LABEL = "ppgov/drift";

export interface PlanCounts {
  add: number;
  change: number;
  destroy: number;
  replace: number;
}

/** The labels a plan earns: destroy (including replace) also carries changes, so rules can match either. */
export function planLabels(counts: PlanCounts): string[] {
  if (counts.destroy + counts.replace > 0) return [PLAN_LABELS.changes, PLAN_LABELS.destroy];
  if (counts.add + counts.change > 0) return [PLAN_LABELS.changes];
  return [PLAN_LABELS.noChanges];
}

/** Makes the PR carry exactly `wanted` among ppgov's plan labels; other labels are left alone. */
export async function syncPlanLabels(
  client: GithubClient,
  issue: number,
  wanted: readonly string[],
): Promise<{ added: string[]; removed: string[] }> {
  const current = new Set(await client.listLabelsOnIssue(issue));
  const ours = Object.values(PLAN_LABELS) as string[];
  const removed = ours.filter((label) => current.has(label) && !wanted.includes(label));
  const added = wanted.filter((label) => !current.has(label));
  for (const label of removed) await client.removeLabel(issue, label);
  if (added.length > 0) await client.addLabels(issue, added);
  return { added, removed };
}
