import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { simpleGit } from "simple-git";

export interface MirrorOptions {
  /** URL or local path of the repository. */
  repo: string;
  branch: string;
  /** Where the clone lives (created on first use). */
  dir: string;
}

/**
 * Brings a clone of `branch` up to date (clone on first use, then fetch and, when the remote branch
 * is not what is checked out, a hard reset to it) and returns the commit checked out.
 *
 * The clone is the controller's own (under its work directory): nothing else writes to it. A fetch
 * that brought nothing leaves HEAD where the last reset put it, so the reset is skipped then: an
 * unchanged cycle costs two git processes (fetch, and one rev-parse of both HEAD and the remote
 * branch) instead of three.
 */
export async function syncMirror(options: MirrorOptions): Promise<string> {
  if (!existsSync(join(options.dir, ".git"))) {
    await mkdir(dirname(options.dir), { recursive: true });
    await simpleGit().clone(options.repo, options.dir, ["--branch", options.branch, "--single-branch"]);
    return (await simpleGit(options.dir).revparse(["HEAD"])).trim();
  }
  const git = simpleGit(options.dir);
  const remote = `origin/${options.branch}`;
  await git.fetch("origin", options.branch);
  const [head, fetched] = (await git.revparse(["HEAD", remote])).split("\n").map((line) => line.trim());
  if (fetched === undefined || fetched === "" || head === fetched) return head ?? "";
  await git.reset(["--hard", remote]);
  return fetched;
}
