import type { GithubClient } from "../adapters/github/client.js";
import type { GithubContext } from "../adapters/github/context.js";
import { appendJobSummary, writeStepOutputs } from "../adapters/github/actions-files.js";
import { reconcileDriftIssue, type DriftIssueResult } from "../adapters/github/drift-issue.js";
import type { Plan, ResourceChange } from "../core/plan/index.js";
import { planHasChanges } from "../core/plan/index.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import { driftDetailsMarkdown } from "./publish-markdown.js";

export interface DriftPublication {
  scope: string;
  plan: Plan;
  /** The planner's in-memory changes (their `live` records carry who/when). */
  changes: readonly ResourceChange[];
  /** ISO time of the run. */
  at: string;
}

export interface PublishDriftDeps {
  context: GithubContext;
  client?: GithubClient;
  write: (line: string) => void;
}

/**
 * Publishes a drift run: keeps the scope's drift issue in step, writes the job summary (a heartbeat
 * line on clean runs, so silence can be told from a broken schedule) and the step outputs.
 */
export async function publishDrift(
  deps: PublishDriftDeps,
  publication: DriftPublication,
): Promise<DriftIssueResult> {
  const drifted = planHasChanges(publication.plan);
  const details = drifted ? driftDetailsMarkdown(publication.plan, publication.changes) : "";
  let result: DriftIssueResult = { action: "none" };
  if (deps.client) {
    result = await reconcileDriftIssue(deps.client, {
      scope: publication.scope,
      drifted,
      details,
      at: publication.at,
      ...(deps.context.runUrl ? { runUrl: deps.context.runUrl } : {}),
    });
  } else {
    deps.write("::warning title=ppgov::GITHUB_TOKEN is not set: the drift issue was not updated");
  }
  const issue = result.issueUrl ? ` ([issue](${result.issueUrl}))` : "";
  if (deps.context.stepSummaryPath) {
    const summary = drifted
      ? `## ppgov drift · \`${publication.scope}\`\n\n⚠️ Drift found at ${publication.at}${issue}.\n\n${details}\n\n${renderPlanMarkdown(publication.plan, { maxLength: 600_000 })}`
      : `ppgov drift heartbeat: \`${publication.scope}\` checked at ${publication.at}, no drift${result.action === "closed" ? ` (closed${issue})` : ""}.\n`;
    await appendJobSummary(deps.context.stepSummaryPath, summary);
  }
  if (deps.context.outputPath) {
    await writeStepOutputs(deps.context.outputPath, {
      has_drift: drifted,
      drift_issue: result.issueNumber ?? "",
      add: publication.plan.summary.add,
      change: publication.plan.summary.change,
      replace: publication.plan.summary.replace,
      destroy: publication.plan.summary.destroy,
    });
  }
  return result;
}
