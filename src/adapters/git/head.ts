import { simpleGit } from "simple-git";

export interface GitHead {
  commit?: string;
  /** True when the work tree has uncommitted changes. */
  dirty?: boolean;
}

/**
 * The head commit of the repository holding `dir` and whether its work tree (below `dir`) is dirty,
 * for the plan's `git` field. Outside a repository, in one without a commit yet, or without git
 * installed the answer is empty, never an error.
 *
 * One git process: `status --porcelain=v2 --branch` prints the head commit (`# branch.oid <sha>`,
 * `(initial)` before the first commit) above one line per changed or untracked path
 * (https://git-scm.com/docs/git-status#_porcelain_format_version_2). The controller asks on every
 * cycle, so this replaced three (checkIsRepo, rev-parse HEAD, status).
 */
export async function readGitHead(dir: string): Promise<GitHead> {
  try {
    const git = simpleGit({ baseDir: dir, timeout: { block: 10_000 } });
    const output = await git.raw([
      "status",
      "--porcelain=v2",
      "--branch",
      "--untracked-files=normal",
      "--",
      ".",
    ]);
    return parseStatusV2(output);
  } catch {
    return {};
  }
}

/** The head commit and dirtiness from `git status --porcelain=v2 --branch` output. */
export function parseStatusV2(output: string): GitHead {
  const lines = output.split("\n").filter((line) => line !== "");
  const oid = lines
    .find((line) => line.startsWith("# branch.oid "))
    ?.slice("# branch.oid ".length)
    .trim();
  if (oid === undefined || !/^[0-9a-f]{40,64}$/i.test(oid)) return {};
  return { commit: oid, dirty: lines.some((line) => !line.startsWith("# ")) };
}
