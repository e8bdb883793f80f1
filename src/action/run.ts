/**
 * The GitHub Action's body: maps the inputs to a CLI run in the same process, then writes the step
 * outputs and job summary (whatever `github-comment` says) and sets the exit code.
 * `main.ts` (bundled into action/ppgov-action.mjs, which action.yml runs) calls `runAction`.
 */
import { appendFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { PassThrough } from "node:stream";
import { main } from "../cli/main.js";
import { actionArgv, actionEnv, parseActionInputs, stepSucceeded } from "./inputs.js";
import { writeActionReport } from "./report.js";

export async function runAction(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let inputs;
  try {
    inputs = parseActionInputs(env);
  } catch (error: unknown) {
    process.stdout.write(`::error title=ppgov::${(error as Error).message}\n`);
    return 1;
  }
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const cwd = isAbsolute(inputs.workingDirectory)
    ? inputs.workingDirectory
    : join(workspace, inputs.workingDirectory);
  const argv = actionArgv(inputs);
  process.stdout.write(`ppgov ${argv.join(" ")}\n`);
  // The CLI's stdout goes to the log and is kept for the job summary.
  const captured: string[] = [];
  const stdout = new PassThrough();
  stdout.on("data", (chunk: Buffer) => {
    captured.push(chunk.toString("utf8"));
    process.stdout.write(chunk);
  });
  const startedAt = Date.now();
  // main() takes process.argv: the first two entries are node and the script.
  const code = await main([process.execPath, "ppgov", ...argv], { env: actionEnv(env), cwd, stdout });
  await writeActionReport({ inputs, cwd, exitCode: code, stdout: captured.join(""), startedAt }, env);
  if (env.GITHUB_OUTPUT) await appendFile(env.GITHUB_OUTPUT, `exit_code=${code}\n`, "utf8");
  return stepSucceeded(inputs, code) ? 0 : 1;
}
