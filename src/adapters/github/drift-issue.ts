import type { GithubClient, Issue } from "./client.js";
import { DRIFT_LABEL } from "./labels.js";
import { formatMarker, markerMatches, parseMarker } from "./marker.js";
import { GITHUB_COMMENT_LIMIT, splitMarkdown } from "./markdown-split.js";

export interface DriftReport {
  /** The scope (tenant directory): one issue each. */
  scope: string;
  drifted: boolean;
  /** Markdown describing the drift (what changed, who and when). */
  details: string;
  /** ISO time of this run. */
  at: string;
  runUrl?: string;
}

export type DriftIssueAction = "created" | "updated" | "reopened" | "closed" | "none";

export interface DriftIssueResult {
  action: DriftIssueAction;
  issueNumber?: number;
  issueUrl?: string;
}

/**
 * Keeps one issue per scope in step with the drift: created when drift appears, its body updated in place
 * while it lasts (reopened if it comes back), closed with a comment when it is gone. The issue is found
 * by its hidden marker among issues labelled ppgov/drift that this token's identity opened, never by its
 * title.
 */
export async function reconcileDriftIssue(
  client: GithubClient,
  report: DriftReport,
): Promise<DriftIssueResult> {
  const key = { kind: "drift", target: report.scope } as const;
  // Only issues this token's identity opened: a user's issue carrying the marker is not ours to edit.
  const candidates: Issue[] = [];
  for (const issue of await client.listIssuesWithLabel(DRIFT_LABEL))
    if (markerMatches(issue.body, key) && (await client.isOwn(issue))) candidates.push(issue);
  // Prefer an open one; among equals the oldest, so a duplicate made by hand does not take over.
  candidates.sort((a, b) => Number(b.state === "open") - Number(a.state === "open") || a.number - b.number);
  const issue: Issue | undefined = candidates[0];

  if (!report.drifted) {
    if (issue?.state !== "open")
      return issue ? { action: "none", issueNumber: issue.number } : { action: "none" };
    const link = report.runUrl ? ` ([run](${report.runUrl}))` : "";
    await client.createIssueComment(
      issue.number,
      `No drift in \`${report.scope}\` at ${report.at}${link}: the tenant matches the policies again. Closing.`,
    );
    await client.updateIssue(issue.number, { state: "closed", state_reason: "completed" });
    return { action: "closed", issueNumber: issue.number, ...url(issue) };
  }

  const previous = issue ? parseMarker(issue.body) : undefined;
  const firstSeen =
    issue?.state === "open" && typeof previous?.firstSeen === "string" ? previous.firstSeen : report.at;
  const body = driftIssueBody(report, firstSeen);
  const title = `ppgov: drift in ${report.scope}`;
  if (!issue) {
    const created = await client.createIssue(title, body, [DRIFT_LABEL]);
    return { action: "created", issueNumber: created.number, ...url(created) };
  }
  if (issue.state === "closed") {
    await client.updateIssue(issue.number, { body, state: "open", state_reason: "reopened" });
    await client.createIssueComment(issue.number, `Drift is back in \`${report.scope}\` (${report.at}).`);
    return { action: "reopened", issueNumber: issue.number, ...url(issue) };
  }
  await client.updateIssue(issue.number, { body });
  return { action: "updated", issueNumber: issue.number, ...url(issue) };
}

function url(issue: Issue): { issueUrl?: string } {
  return issue.html_url ? { issueUrl: issue.html_url } : {};
}

export function driftIssueBody(report: DriftReport, firstSeen: string): string {
  const marker = formatMarker({ kind: "drift", target: report.scope, firstSeen });
  const run = report.runUrl ? ` · [latest run](${report.runUrl})` : "";
  const head = [
    marker,
    `The live tenant no longer matches the policies in \`${report.scope}\`.`,
    "",
    `First seen ${firstSeen} · last seen ${report.at}${run}`,
    "",
    "Fix it by reverting the change in the admin center, by running apply, or by changing the policies to accept it. This issue closes itself when a scheduled run finds no drift.",
    "",
  ].join("\n");
  const room = GITHUB_COMMENT_LIMIT - head.length - 200;
  // Cut on a line boundary with fences and <details> closed, so the issue still renders.
  const details =
    report.details.length <= room
      ? report.details
      : `${splitMarkdown(report.details, room)[0] ?? ""}\n\n_Cut at GitHub's issue size limit: see the job summary._`;
  return `${head}${details}`;
}
