import { simpleGit } from "simple-git";

export interface GitHead {
  commit?: string;
  /** True when the work tree has uncommitted changes. */
  dirty?: boolean;
}

/**
 * The head commit of the repository holding `dir` and whether its work tree is dirty, for the plan's
 * `git` field. Outside a repository (or without git installed) the answer is empty, never an error.
 */
export async function readGitHead(dir: string): Promise<GitHead> {
  try {
    const git = simpleGit({ baseDir: dir, timeout: { block: 10_000 } });
    if (!(await git.checkIsRepo())) return {};
    const commit = (await git.revparse(["HEAD"])).trim();
    const status = await git.status(["--porcelain", "--untracked-files=normal", "--", "."]);
    return { ...(commit === "" ? {} : { commit }), dirty: !status.isClean() };
  } catch {
    return {};
  }
}
