import { execFileSync } from "node:child_process";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./run-cli.js";

/** A real git repository on disk whose first commit holds a copy of the shipped policies/. */
export interface PolicyRepo {
  path: string;
  /** Runs git in the repository and returns its trimmed stdout. */
  git(...args: string[]): string;
}

/**
 * Copies policies/ into `path`, makes it a git repository on branch main with `author` as the configured
 * committer, and commits everything with `message`: what the controller and the GitHub e2e suites check out.
 */
export function policyRepo(
  path: string,
  author: { name: string; email: string },
  message: string,
): PolicyRepo {
  const git = (...args: string[]): string =>
    execFileSync("git", args, { cwd: path, encoding: "utf8" }).trim();
  cpSync(join(repoRoot, "policies"), join(path, "policies"), { recursive: true });
  git("init", "-q", "-b", "main");
  git("config", "user.email", author.email);
  git("config", "user.name", author.name);
  git("add", ".");
  git("commit", "-q", "-m", message);
  return { path, git };
}
