/** `ppgov drift --github-issue`: keeps the scope's drift issue in step and writes the heartbeat. */
import { readGithubContext } from "../../adapters/github/context.js";
import type { Planned } from "../../app/plan.js";
import { publishDrift } from "../../app/publish-drift.js";
import type { CliContext } from "../context.js";
import { githubClientFor } from "./plan-github.js";

export async function publishDriftRun(context: CliContext, scope: string, planned: Planned): Promise<void> {
  const github = await readGithubContext(context.env);
  const client = githubClientFor(github, context.env, context.logger);
  const result = await publishDrift(
    { context: github, ...(client ? { client } : {}), write: (line) => context.stdout.write(`${line}\n`) },
    { scope, plan: planned.plan, changes: planned.changes, at: new Date().toISOString() },
  );
  context.logger.info({ scope, issue: result.issueNumber, action: result.action }, "drift issue reconciled");
}
