import type { GithubClient } from "../adapters/github/client.js";
import { GithubApiError } from "../adapters/github/client.js";
import type { GithubContext } from "../adapters/github/context.js";
import { appendJobSummary, writeStepOutputs } from "../adapters/github/actions-files.js";
import { planLabels, syncPlanLabels } from "../adapters/github/labels.js";
import { GITHUB_COMMENT_LIMIT } from "../adapters/github/markdown-split.js";
import { upsertStickyComment } from "../adapters/github/sticky-comment.js";
import type { IntentDiff } from "../adapters/git/intent-diff.js";
import type { Diagnostic } from "../core/diagnostics.js";
import { hasErrors } from "../core/diagnostics.js";
import type { Plan } from "../core/plan/index.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import { escapeGithubData, escapeGithubProperty } from "../render/diagnostics.js";
import { intentDiffMarkdown, validationMarkdown } from "./publish-markdown.js";

export interface PlanPublication {
  /** The scope: the policy directory as given (one sticky comment per scope). */
  scope: string;
  diagnostics: readonly Diagnostic[];
  /** "policies: 14 documents in 6 files are valid". */
  validationSummary: string;
  /** The live plan, when the tenant could be read. */
  plan?: Plan;
  /** Why there is no live plan (fork PR without credentials, validation errors…). */
  planUnavailable?: string;
  intentDiff?: IntentDiff;
  planPath?: string;
  apiCalls?: number;
  throttled?: number;
}

export interface PublishPlanDeps {
  context: GithubContext;
  /** Absent when GITHUB_TOKEN is not set: nothing is posted, the rest still happens. */
  client?: GithubClient;
  /** Where warnings and workflow commands go (stdout in Actions). */
  write: (line: string) => void;
}

export interface PublishPlanResult {
  body: string;
  commented: boolean;
  commentIds: number[];
  labels: string[];
  summaryTruncated: boolean;
  /** Why nothing was posted on the PR, when so. */
  skipped?: string;
}

const FOOTER_WITH_PLAN =
  "Merging applies the policies of the merged commit: the apply workflow re-plans `main` at run time in its protected environment, applies, then checks for drift, and reports here.";
const FOOTER_WITHOUT_PLAN =
  "No live plan here, so review the intent above; after merge the apply workflow plans against the tenant, applies in its protected environment and reports here.";

/** The comment body: validation, intent diff, live plan (or why there is none), what merge does. */
export function planCommentBody(publication: PlanPublication, maxLength = GITHUB_COMMENT_LIMIT * 3): string {
  const out: string[] = [`## ppgov plan · \`${publication.scope.replace(/`/g, "")}\``, ""];
  out.push(...validationMarkdown(publication.diagnostics, publication.validationSummary));
  if (publication.intentDiff) out.push(...intentDiffMarkdown(publication.intentDiff));
  out.push("### Live plan", "");
  if (publication.plan) {
    const rendered = renderPlanMarkdown(publication.plan, {
      footer: {
        ...(publication.apiCalls === undefined ? {} : { apiCalls: publication.apiCalls }),
        ...(publication.throttled === undefined ? {} : { throttled: publication.throttled }),
      },
      maxLength: Math.max(10_000, maxLength - out.join("\n").length - 2_000),
    });
    // The renderer's own "## ppgov plan" heading is replaced by ours.
    out.push(rendered.replace(/^## ppgov (plan|drift)\n\n/, ""));
  } else {
    out.push(`_${publication.planUnavailable ?? "No live plan was made."}_`, "");
  }
  out.push("---", publication.plan ? FOOTER_WITH_PLAN : FOOTER_WITHOUT_PLAN, "");
  return out.join("\n");
}

/** Annotations for the diagnostics: files the PR changed first, at most 10 per severity (GitHub's per-step cap). */
export function annotationLines(
  diagnostics: readonly Diagnostic[],
  changedFiles: readonly string[] = [],
): string[] {
  const changed = new Set(changedFiles);
  const ordered = [...diagnostics].sort(
    (a, b) =>
      Number(changed.has(b.file)) - Number(changed.has(a.file)) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line,
  );
  const counts = { error: 0, warning: 0 };
  const lines: string[] = [];
  for (const d of ordered) {
    if (counts[d.severity] >= 10) continue;
    counts[d.severity] += 1;
    const properties = [`file=${escapeGithubProperty(d.file)}`];
    if (d.line > 0) properties.push(`line=${d.line}`);
    if (d.column > 0) properties.push(`col=${d.column}`);
    properties.push(`title=${escapeGithubProperty(d.code)}`);
    lines.push(`::${d.severity} ${properties.join(",")}::${escapeGithubData(d.message)}`);
  }
  return lines;
}

/**
 * Publishes a plan run on GitHub: annotations, the sticky PR comment, labels, the job summary and the
 * step outputs. A token without write access (a fork PR) degrades to a warning; it never fails the run.
 */
export async function publishPlan(
  deps: PublishPlanDeps,
  publication: PlanPublication,
): Promise<PublishPlanResult> {
  const { context, client, write } = deps;
  const body = planCommentBody(publication);
  for (const line of annotationLines(publication.diagnostics, publication.intentDiff?.changedFiles))
    write(line);

  const result: PublishPlanResult = {
    body,
    commented: false,
    commentIds: [],
    labels: [],
    summaryTruncated: false,
  };
  const pr = context.pullRequest;
  if (!pr) result.skipped = "this run is not for a pull request (no pull_request in GITHUB_EVENT_PATH)";
  else if (!client) result.skipped = "GITHUB_TOKEN is not set";
  else {
    try {
      const posted = await upsertStickyComment(
        client,
        pr.number,
        { kind: "plan", target: publication.scope },
        body,
        {
          ...(pr.headSha ? { head: pr.headSha } : {}),
          ...(publication.plan ? { plan: publication.plan.planDigest } : {}),
        },
      );
      result.commented = true;
      result.commentIds = posted.commentIds;
      if (publication.plan) {
        result.labels = planLabels(publication.plan.summary);
        await syncPlanLabels(client, pr.number, result.labels);
      }
    } catch (error: unknown) {
      if (!(error instanceof GithubApiError) || (error.status !== 403 && error.status !== 404)) throw error;
      // Fork PRs get a read-only token: the job summary still carries everything.
      result.skipped = `the token may not write to the pull request (${error.status}); the plan is in the job summary`;
    }
  }
  if (result.skipped)
    write(
      `::warning title=ppgov::${escapeGithubData(`not commenting on the pull request: ${result.skipped}`)}`,
    );

  if (context.stepSummaryPath)
    result.summaryTruncated = (await appendJobSummary(context.stepSummaryPath, body)).truncated;
  if (context.outputPath) await writeStepOutputs(context.outputPath, planOutputs(publication));
  return result;
}

/** The step outputs: has_changes, add, change, destroy, plan_path (PRODUCT C1/C8). */
export function planOutputs(
  publication: Pick<PlanPublication, "plan" | "planPath" | "diagnostics">,
): Record<string, string | number | boolean> {
  const summary = publication.plan?.summary;
  const add = summary ? summary.add + summary.replace : 0;
  const destroy = summary ? summary.destroy + summary.replace : 0;
  const change = summary?.change ?? 0;
  return {
    has_changes: add + change + destroy > 0,
    add,
    change,
    destroy,
    plan_path: publication.planPath ?? "",
    plan_digest: publication.plan?.planDigest ?? "",
    valid: !hasErrors(publication.diagnostics),
  };
}
