/**
 * The Action's step outputs and job summary when the command's own GitHub publishing is off
 * (`github-comment: false`): they do not depend on it. With it on, plan-github / apply-github write them.
 */
import { readFile, stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { appendJobSummary, writeStepOutputs } from "../adapters/github/actions-files.js";
import { planOutputs } from "../app/publish-plan.js";
import { applyResultMarkdown } from "../cli/commands/apply-github.js";
import type { Plan } from "../core/plan/index.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import type { ActionInputs } from "./inputs.js";

export interface ActionRun {
  inputs: ActionInputs;
  /** Where the CLI ran. */
  cwd: string;
  exitCode: number;
  /** What the CLI printed on stdout. */
  stdout: string;
  /** When the run started (ms): an older plan file is a previous run's, not this one's. */
  startedAt: number;
}

/** The plan file this run wrote, or undefined when it wrote none (invalid policies, a failed read). */
async function planOfRun(run: ActionRun): Promise<Plan | undefined> {
  const path = isAbsolute(run.inputs.planFile) ? run.inputs.planFile : join(run.cwd, run.inputs.planFile);
  const info = await stat(path).catch(() => undefined);
  // mtime has a coarse resolution on some file systems: a second of slack.
  if (info === undefined || info.mtimeMs < run.startedAt - 1_000) return undefined;
  try {
    return JSON.parse(await readFile(path, "utf8")) as Plan;
  } catch {
    return undefined;
  }
}

/** Writes the outputs (besides exit_code) and the job summary that the command itself did not. */
export async function writeActionReport(run: ActionRun, env: NodeJS.ProcessEnv): Promise<void> {
  const { inputs } = run;
  const outputPath = env.GITHUB_OUTPUT;
  const summaryPath = env.GITHUB_STEP_SUMMARY;
  if (inputs.command === "plan" && !inputs.githubComment) {
    const plan = await planOfRun(run);
    if (outputPath) {
      const outputs = planOutputs({
        ...(plan === undefined ? {} : { plan, planPath: inputs.planFile }),
        diagnostics: [],
      });
      // Without the plan (exit 1) whether the policies were valid is not known here: no `valid` then.
      if (plan === undefined) delete outputs.valid;
      await writeStepOutputs(outputPath, outputs);
    }
    if (summaryPath)
      await appendJobSummary(
        summaryPath,
        plan === undefined
          ? `## ppgov plan\n\n❌ The plan did not complete (exit ${run.exitCode}); the step's log says why.\n`
          : renderPlanMarkdown(plan),
      );
  }
  if (inputs.command === "apply" && !inputs.githubComment && summaryPath)
    await appendJobSummary(
      summaryPath,
      `## ppgov apply\n\n${applyResultMarkdown(run.exitCode, run.stdout)}\n`,
    );
  if (inputs.command === "drift" && !inputs.githubIssue && outputPath && run.exitCode !== 1)
    await writeStepOutputs(outputPath, { has_drift: run.exitCode === 2 });
}
