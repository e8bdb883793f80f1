import { createInterface } from "node:readline/promises";
import { Option } from "commander";
import { LOCK_BACKENDS } from "../../adapters/lock/index.js";
import { assertPolicyDirectory } from "../../adapters/fs/policy-loader.js";
import { createPlanValidator, readPlanFile } from "../../adapters/fs/plan-file.js";
import type { ApplyReport } from "../../app/apply-engine.js";
import { applySavedPlan, planAndApply, type ApplyOutcome, type Convergence } from "../../app/apply.js";
import { PpgovError, UsageError } from "../../core/errors.js";
import type { Plan } from "../../core/plan/index.js";
import { compose } from "../compose.js";
import { writeLine, type CliContext } from "../context.js";
import type { CommandRegistrar } from "../program.js";
import { runApplyForGithub } from "./apply-github.js";
import {
  parseConcurrency,
  printDiagnostics,
  printWarnings,
  readConcurrency,
  renderPlan,
  resolvePath,
} from "./plan.js";

export interface ApplyCommandOptions {
  dir: string;
  autoApprove?: boolean;
  allowProtectedDeletes?: boolean;
  journal?: string;
  concurrency?: string;
  /** GitHub Actions: report to the job summary and the merged pull request (apply-github.ts). */
  githubComment?: boolean;
  /** The apply lock's backend: file, github or azblob (default PPGOV_LOCK, else file). */
  lock?: string;
}

export const registerApply: CommandRegistrar = (program, context, setExitCode) => {
  program
    .command("apply [planfile]")
    .description("apply a saved plan (refused if stale), or plan and apply after confirmation")
    .option("-d, --dir <dir>", "policy directory", "policies")
    .option("--auto-approve", "do not ask for confirmation (needed without a terminal)")
    .option("--allow-protected-deletes", "allow deleting or replacing resources with deletion protection")
    .option("--journal <file>", "apply journal (default PPGOV_JOURNAL or .ppgov/journal.jsonl)")
    .option(
      "--concurrency <n>",
      "parallel steps within a wave (default 4); reads adapt as in plan, up to PPGOV_CONCURRENCY",
    )
    .addOption(
      new Option(
        "--lock <backend>",
        "where the tenant's apply lock lives: file (this machine), github (a ref), azblob (a blob lease); default PPGOV_LOCK, else file",
      ).choices(LOCK_BACKENDS),
    )
    .option(
      "--github-comment",
      "in GitHub Actions: report the result in the job summary and on the merged pull request",
    )
    .action(async (planFile: string | undefined, options: ApplyCommandOptions) => {
      setExitCode(
        options.githubComment === true
          ? await runApplyForGithub(context(), options.dir, (ctx) => runApplyCommand(planFile, options, ctx))
          : await runApplyCommand(planFile, options, context()),
      );
    });
};

/** Asks on the terminal; only the word "yes" goes ahead (Terraform's rule). */
async function askYes(context: CliContext): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: context.stderr });
  try {
    const answer = await prompt.question(
      "\nApply these changes? Only 'yes' will be accepted.\n  Enter a value: ",
    );
    return answer.trim() === "yes";
  } finally {
    prompt.close();
  }
}

export async function runApplyCommand(
  planFile: string | undefined,
  options: ApplyCommandOptions,
  context: CliContext,
  env?: NodeJS.ProcessEnv,
): Promise<number> {
  const concurrency = parseConcurrency(options.concurrency) ?? 4;
  // Steps are bounded by --concurrency; the reads before and after them (staleness, convergence) are
  // plan's reads and use its adaptive pools. Bounded by the step count, a large tenant's apply spent
  // minutes reading 5,000 allocations four at a time.
  const reads = readConcurrency(undefined, env ?? context.env);
  const interactive = process.stdin.isTTY === true && context.isTty;
  if (planFile === undefined && options.autoApprove !== true && !interactive)
    throw new PpgovError(
      "APPLY_NEEDS_APPROVAL",
      "apply without a plan file asks for confirmation, but there is no terminal to ask on; pass --auto-approve, or apply a saved plan (ppgov plan -o plan.json, then ppgov apply plan.json)",
    );
  const composed = compose(context, {
    command: "apply",
    ...(reads === undefined ? {} : { concurrency: reads }),
    ...(options.journal === undefined ? {} : { journalPath: options.journal }),
    ...(options.lock === undefined ? {} : { lock: options.lock }),
    ...(env === undefined ? {} : { env }),
  });
  const settleSeconds = createSettleSeconds(env ?? context.env);
  const settings = {
    dir: options.dir,
    concurrency,
    allowProtectedDeletes: options.allowProtectedDeletes === true,
    ...(settleSeconds === undefined ? {} : { interruptedCreateSettleMs: settleSeconds * 1000 }),
  };
  let outcome: ApplyOutcome;
  if (planFile !== undefined) {
    const plan = await readPlanFile(resolvePath(context, planFile), createPlanValidator());
    outcome = await applySavedPlan(plan, settings, composed.apply);
  } else {
    await assertPolicyDirectory(options.dir, context.cwd);
    outcome = await planAndApply(
      settings,
      {
        show: (planned) => {
          printWarnings(context, planned.diagnostics);
          context.stdout.write(renderPlan(planned.plan, "text", context, composed.usage()));
        },
        confirm: async () => {
          if (options.autoApprove === true) return true;
          return askYes(context);
        },
      },
      composed.apply,
    );
  }
  return reportOutcome(outcome, options.dir, context, composed.journalPath);
}

function reportOutcome(outcome: ApplyOutcome, dir: string, context: CliContext, journalPath: string): number {
  switch (outcome.status) {
    case "invalid":
      printDiagnostics(context, dir, outcome.loaded, outcome.loaded.diagnostics);
      return 1;
    case "rejected":
      printDiagnostics(
        context,
        dir,
        { fileCount: 0, documentCount: 0, documents: [], diagnostics: [] },
        outcome.diagnostics,
      );
      return 1;
    case "no-changes":
      writeLine(context.stdout, "No changes to apply. The tenant matches the policies.");
      return 0;
    case "declined":
      writeLine(context.stdout, "Apply cancelled; nothing was changed.");
      return 1;
    case "applied":
      return reportApplied(outcome.plan, outcome.report, outcome.convergence, context, journalPath);
  }
}

function reportApplied(
  plan: Plan,
  report: ApplyReport,
  convergence: Convergence,
  context: CliContext,
  journalPath: string,
): number {
  const out = (text = ""): void => writeLine(context.stdout, text);
  if (report.failed !== undefined) {
    const { step, code, message } = report.failed;
    out();
    out(`Apply failed at ${step.id} (${step.description}):`);
    out(`  ${code}: ${message}`);
    const done = report.done.filter((result) => result.outcome !== "skipped");
    out();
    out(`Done (${done.length}):`);
    for (const result of done) out(`  ✓ ${result.step.id}: ${result.step.description}`);
    out(`Not attempted (${report.notAttempted.length}):`);
    for (const step of report.notAttempted) out(`  · ${step.id}: ${step.description}`);
    out();
    out(`The journal is in ${journalPath}. Fix the cause, then run ppgov plan and apply again.`);
    return 1;
  }
  if (convergence.skipped !== undefined)
    context.logger.warn({ reason: convergence.skipped }, "convergence check skipped");
  if (convergence.error !== undefined) {
    out();
    out("Apply sent every step, but checking that the tenant shows the result failed:");
    out(`  ${convergence.error}`);
    out("Run ppgov plan to check; an empty plan means the apply took effect.");
    return 1;
  }
  if (!convergence.converged) {
    out();
    out(
      `Apply sent every step, but the tenant does not show the result yet for: ${convergence.pending.join(", ")}. Run ppgov plan in a few minutes to check.`,
    );
    return 1;
  }
  const { add, change, destroy, replace } = plan.summary;
  out();
  out(
    `Apply complete! Resources: ${add + replace} added, ${change} changed, ${destroy + replace} destroyed.`,
  );
  return 0;
}

/** PPGOV_CREATE_SETTLE_SECONDS: how long a re-run looks for the object of a create a killed run started. */
function createSettleSeconds(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.PPGOV_CREATE_SETTLE_SECONDS?.trim();
  if (text === undefined || text === "") return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new UsageError(`PPGOV_CREATE_SETTLE_SECONDS must be a whole number of seconds (got '${text}')`);
  return Number(text);
}
