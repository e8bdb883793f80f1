/**
 * `ppgov apply --github-comment`: runs apply as usual, keeps a copy of its report, and publishes it to
 * the job summary and as a comment on the pull request merged by the pushed commit.
 */
import { PassThrough } from "node:stream";
import { readGithubContext } from "../../adapters/github/context.js";
import { publishApply } from "../../app/publish-apply.js";
import type { CliContext } from "../context.js";
import { githubClientFor } from "./plan-github.js";

/** A fence longer than any backtick run in the text. */
function fence(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

export function applyResultMarkdown(exitCode: number, output: string): string {
  const status =
    exitCode === 0
      ? "✅ Applied: the tenant matches the merged policies."
      : `❌ Apply did not complete (exit ${exitCode}).`;
  const marks = fence(output);
  return `${status}\n\n<details><summary>Apply output</summary>\n\n${marks}text\n${output.trimEnd()}\n${marks}\n\n</details>`;
}

export async function runApplyForGithub(
  context: CliContext,
  scope: string,
  apply: (context: CliContext) => Promise<number>,
): Promise<number> {
  const github = await readGithubContext(context.env);
  const captured: string[] = [];
  const tee = new PassThrough();
  tee.on("data", (chunk: Buffer) => {
    captured.push(chunk.toString("utf8"));
    context.stdout.write(chunk);
  });
  let exitCode = 1;
  let failure: Error | undefined;
  try {
    exitCode = await apply({ ...context, stdout: tee });
  } catch (error: unknown) {
    failure = error instanceof Error ? error : new Error(String(error));
    captured.push(`\nerror: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  const client = githubClientFor(github, context.env, context.logger);
  const pr = await publishApply(
    { context: github, ...(client ? { client } : {}) },
    { scope, markdown: applyResultMarkdown(exitCode, context.secrets.scrub(captured.join(""))) },
  );
  context.logger.info({ pullRequest: pr }, "published the apply result");
  if (failure !== undefined) throw failure;
  return exitCode;
}
