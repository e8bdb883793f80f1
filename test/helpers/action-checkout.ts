/**
 * The Action as a runner downloads it (a checkout of the ppgov repository at the ref in `uses:`), in a
 * directory of its own with no node_modules and no dist/: only the files the bundle reads (action.yml,
 * package.json, the bundle, schemas/). Runs `runs.main` as GitHub does, in the workspace.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "./run-cli.js";

export interface ActionCheckout {
  dir: string;
  /** action.yml's `runs.main`, relative to `dir`. */
  main: string;
}

/** Copies the Action's files under `parent` (…/_actions/ppgov/ppgov/v1, as on a runner). */
export function actionCheckout(parent: string): ActionCheckout {
  const dir = join(parent, "_actions", "ppgov", "ppgov", "v1");
  mkdirSync(dir, { recursive: true });
  for (const file of ["action.yml", "package.json", "action", "schemas"])
    cpSync(join(repoRoot, file), join(dir, file), { recursive: true });
  const action = parse(readFileSync(join(dir, "action.yml"), "utf8")) as { runs: { main: string } };
  return { dir, main: action.runs.main };
}

/** Runs the Action's entry point with `env` (INPUT_* and GITHUB_*) in `workspace`; resolves with its exit and log. */
export function runActionEntry(
  checkout: ActionCheckout,
  workspace: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(checkout.dir, checkout.main)], {
      cwd: workspace,
      env: { ...env, PATH: process.env.PATH, GITHUB_WORKSPACE: workspace },
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout }));
  });
}
