import type { GithubClient, IssueComment } from "./client.js";
import { formatMarker, parseMarker, type MarkerData, type MarkerKey } from "./marker.js";
import { GITHUB_COMMENT_LIMIT, splitMarkdown } from "./markdown-split.js";

export interface StickyCommentResult {
  /** Comment ids in part order. */
  commentIds: number[];
  created: number;
  updated: number;
  deleted: number;
}

/** The most parts ppgov posts; beyond it the plan file and job summary carry the rest. */
export const MAX_COMMENT_PARTS = 10;

/**
 * Posts `body` as ppgov's one comment for `key` on an issue or pull request, updating the earlier
 * comment(s) in place. A body over GitHub's limit becomes several parts; surplus parts from an earlier,
 * longer body are deleted, so the PR never shows two versions. Comments carrying the marker that another
 * identity wrote are never touched (see GithubClient.isOwn).
 */
export async function upsertStickyComment(
  client: GithubClient,
  issue: number,
  key: MarkerKey,
  body: string,
  extra: Record<string, unknown> = {},
): Promise<StickyCommentResult> {
  const markerRoom = formatMarker({ ...key, ...extra, part: 99 }).length + 2;
  let parts = splitMarkdown(body, GITHUB_COMMENT_LIMIT, markerRoom);
  if (parts.length > MAX_COMMENT_PARTS) {
    const kept = parts.slice(0, MAX_COMMENT_PARTS);
    kept[MAX_COMMENT_PARTS - 1] =
      `${(kept[MAX_COMMENT_PARTS - 1] ?? "").slice(0, GITHUB_COMMENT_LIMIT - markerRoom - 200)}\n\n_Cut here: ${parts.length - MAX_COMMENT_PARTS + 1} more parts are in the job summary and the plan file._`;
    parts = kept;
  }
  // Only comments this token's identity wrote: anyone who may comment can copy the marker.
  const own: IssueComment[] = [];
  for (const comment of await client.listIssueComments(issue))
    if (parseMarker(comment.body) !== undefined && (await client.isOwn(comment))) own.push(comment);
  const existing = own
    .map((comment) => ({ comment, marker: parseMarker(comment.body) }))
    .filter(
      (entry): entry is { comment: (typeof entry)["comment"]; marker: MarkerData } =>
        entry.marker !== undefined && entry.marker.kind === key.kind && entry.marker.target === key.target,
    )
    .sort((a, b) => (a.marker.part ?? 1) - (b.marker.part ?? 1) || a.comment.id - b.comment.id);

  const result: StickyCommentResult = { commentIds: [], created: 0, updated: 0, deleted: 0 };
  for (const [index, text] of parts.entries()) {
    const marked = `${formatMarker({ ...key, ...extra, part: index + 1 })}\n${text}`;
    const previous = existing[index];
    if (previous) {
      if (previous.comment.body !== marked) {
        await client.updateIssueComment(previous.comment.id, marked);
        result.updated += 1;
      }
      result.commentIds.push(previous.comment.id);
    } else {
      const created = await client.createIssueComment(issue, marked);
      result.created += 1;
      result.commentIds.push(created.id);
    }
  }
  for (const surplus of existing.slice(parts.length)) {
    await client.deleteIssueComment(surplus.comment.id);
    result.deleted += 1;
  }
  return result;
}
