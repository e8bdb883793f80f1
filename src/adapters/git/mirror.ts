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
 * Brings a clone of `branch` up to date (clone on first use, then fetch + hard reset to the remote
 * branch, so local edits never pile up) and returns the commit checked out.
 */
export async function syncMirror(options: MirrorOptions): Promise<string> {
  if (!existsSync(join(options.dir, ".git"))) {
    await mkdir(dirname(options.dir), { recursive: true });
    await simpleGit().clone(options.repo, options.dir, ["--branch", options.branch, "--single-branch"]);
  } else {
    const git = simpleGit(options.dir);
    await git.fetch("origin", options.branch);
    await git.reset(["--hard", `origin/${options.branch}`]);
  }
  return (await simpleGit(options.dir).revparse(["HEAD"])).trim();
}
