import type { GithubClient } from "../adapters/github/client.js";
import type { GithubContext } from "../adapters/github/context.js";
import { appendJobSummary } from "../adapters/github/actions-files.js";
import { upsertStickyComment } from "../adapters/github/sticky-comment.js";

export interface ApplyPublication {
  scope: string;
  /** Markdown of the apply result (what was applied, failures, post-apply drift check). */
  markdown: string;
  /** The pushed commit; defaults to GITHUB_SHA. */
  sha?: string;
}

/**
 * Reports an apply after merge: the job summary, and a comment on the merged pull request found from
 * the pushed commit (`GET /repos/{o}/{r}/commits/{sha}/pulls`). Returns the PR number commented on.
 */
export async function publishApply(
  deps: { context: GithubContext; client?: GithubClient },
  publication: ApplyPublication,
): Promise<number | undefined> {
  const body = `## ppgov apply · \`${publication.scope.replace(/`/g, "")}\`\n\n${publication.markdown}${deps.context.runUrl ? `\n\n[Workflow run](${deps.context.runUrl})` : ""}\n`;
  if (deps.context.stepSummaryPath) await appendJobSummary(deps.context.stepSummaryPath, body);
  const sha = publication.sha ?? deps.context.sha;
  if (!deps.client || !sha) return undefined;
  const pulls = await deps.client.listPullsForCommit(sha);
  const merged = pulls.find((pull) => pull.merged_at) ?? pulls[0];
  if (!merged) return undefined;
  await upsertStickyComment(deps.client, merged.number, { kind: "apply", target: publication.scope }, body, {
    sha,
  });
  return merged.number;
}
