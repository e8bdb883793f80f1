import { createInterface } from "node:readline/promises";
import { Option } from "commander";
import { LOCK_BACKENDS } from "../../adapters/lock/index.js";
import { assertPolicyDirectory } from "../../adapters/fs/policy-loader.js";
import { createPlanValidator, readPlanFile } from "../../adapters/fs/plan-file.js";
import { applySavedPlan, planAndApply, savedPlanDir, type ApplyOutcome } from "../../app/apply.js";
import { PpgovError, UsageError } from "../../core/errors.js";
import type { PlanStep } from "../../core/plan/index.js";
import { compose } from "../compose.js";
import { writeLine, type CliContext } from "../context.js";
import type { CommandRegistrar } from "../program.js";
import { runApplyForGithub } from "./apply-github.js";
import {
  parseConcurrency,
  planKeyOf,
  printDiagnostics,
  printWarnings,
  readConcurrency,
  renderPlan,
  resolvePath,
} from "./plan.js";

export const APPLY_FORMATS = ["text", "json"] as const;
export type ApplyFormat = (typeof APPLY_FORMATS)[number];

export interface ApplyCommandOptions {
  /** Undefined: `policies`, or for a saved plan the directory the plan recorded. */
  dir?: string;
  format?: ApplyFormat;
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
    .option(
      "-d, --dir <dir>",
      "policy directory (default: for a plan file, the one it was made from; else policies)",
    )
    .addOption(
      new Option("--format <format>", "output format; json prints one result object on stdout")
        .choices(APPLY_FORMATS)
        .default("text"),
    )
    .option("--auto-approve", "do not ask for confirmation (needed without a terminal)")
    .option("--allow-protected-deletes", "allow deleting or replacing resources with deletion protection")
    .option("--journal <file>", "apply journal (default PPGOV_JOURNAL or .ppgov/journal.jsonl)")
    .option(
      "--concurrency <n>",
      "steps sent at once (default 4; steps waiting on a long-running operation do not count); reads adapt as in plan, up to PPGOV_CONCURRENCY",
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
          ? await runApplyForGithub(context(), options.dir ?? "policies", (ctx) =>
              runApplyCommand(planFile, options, ctx),
            )
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
  const planKey = planKeyOf(env ?? context.env);
  const settings = {
    ...(options.dir === undefined ? {} : { dir: options.dir }),
    ...(planKey === undefined ? {} : { planKey }),
    concurrency,
    allowProtectedDeletes: options.allowProtectedDeletes === true,
    ...(settleSeconds === undefined ? {} : { interruptedCreateSettleMs: settleSeconds * 1000 }),
  };
  let outcome: ApplyOutcome;
  let dir = options.dir ?? "policies";
  const json = options.format === "json";
  if (planFile !== undefined) {
    const plan = await readPlanFile(resolvePath(context, planFile), createPlanValidator());
    if (planKey === undefined && plan.signature !== undefined)
      context.logger.warn(
        "the plan is signed, but PPGOV_PLAN_KEY is not set: its signature was not checked (its steps still are)",
      );
    dir = savedPlanDir(plan, options.dir);
    await assertPolicyDirectory(dir, context.cwd).catch((error: unknown) => {
      if (options.dir !== undefined || !(error instanceof PpgovError)) throw error;
      throw new UsageError(
        `${error.message}: the plan was made from it (relative to the directory ppgov ran in); run apply there, or pass -d with the plan's policies`,
      );
    });
    outcome = await applySavedPlan(plan, settings, composed.apply);
  } else {
    await assertPolicyDirectory(dir, context.cwd);
    outcome = await planAndApply(
      settings,
      {
        show: (planned) => {
          printWarnings(context, planned.diagnostics);
          // Under --format json stdout holds only the result object; the plan goes to stderr.
          (json ? context.stderr : context.stdout).write(
            renderPlan(planned.plan, "text", context, composed.usage()),
          );
        },
        confirm: async () => {
          if (options.autoApprove === true) return true;
          return askYes(context);
        },
      },
      composed.apply,
    );
  }
  return json
    ? reportOutcomeJson(outcome, dir, context, composed.journalPath)
    : reportOutcome(outcome, dir, context, composed.journalPath);
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
      return reportApplied(outcome, context, journalPath);
  }
}

function reportApplied(
  { report, convergence, summary }: Extract<ApplyOutcome, { status: "applied" }>,
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
  out();
  out(
    `Apply complete! Resources: ${summary.add} added, ${summary.change} changed, ${summary.destroy} destroyed.`,
  );
  return 0;
}

/** One step of the JSON result: what ran, and how it ended. */
interface StepJson {
  id: string;
  address: string;
  description: string;
  outcome: string;
}

/**
 * `apply --format json`: one object on stdout. A run that ends 0 prints the result; one that ends 1
 * prints the JSON error envelope ({"error": {code, message, diagnostics}}) with the result under "apply".
 */
function reportOutcomeJson(
  outcome: ApplyOutcome,
  dir: string,
  context: CliContext,
  journalPath: string,
): number {
  const print = (value: object): void => void context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  const fail = (code: string, message: string, result: object): number => {
    print({ error: { code, message, diagnostics: [] }, apply: result });
    return 1;
  };
  switch (outcome.status) {
    case "invalid":
    case "rejected":
      // The error envelope with the diagnostics, as every command prints it under --format json.
      return reportOutcome(outcome, dir, context, journalPath);
    case "no-changes":
      print({
        status: "no-changes",
        planDigest: outcome.plan.planDigest,
        summary: { add: 0, change: 0, destroy: 0 },
        steps: [],
      });
      return 0;
    case "declined":
      return fail("APPLY_DECLINED", "apply cancelled; nothing was changed", {
        status: "declined",
        planDigest: outcome.plan.planDigest,
      });
    case "applied": {
      const { plan, report, convergence, summary } = outcome;
      const steps: StepJson[] = [
        ...report.done.map((result) => stepJson(result.step, result.outcome)),
        ...(report.failed === undefined ? [] : [stepJson(report.failed.step, "failed")]),
        ...report.notAttempted.map((step) => stepJson(step, "not-attempted")),
      ];
      const result = {
        planDigest: plan.planDigest,
        summary,
        steps,
        journal: journalPath,
        convergence: {
          converged: convergence.converged,
          pending: convergence.pending,
          ...(convergence.error === undefined ? {} : { error: convergence.error }),
        },
      };
      if (report.failed !== undefined)
        return fail(
          "APPLY_STEP_FAILED",
          `apply failed at ${report.failed.step.id} (${report.failed.step.description}): ${report.failed.code}: ${report.failed.message}`,
          { status: "failed", ...result },
        );
      if (convergence.error !== undefined)
        return fail(
          "APPLY_NOT_CONFIRMED",
          `apply sent every step, but checking that the tenant shows the result failed: ${convergence.error}`,
          { status: "unconfirmed", ...result },
        );
      if (!convergence.converged)
        return fail(
          "APPLY_NOT_CONVERGED",
          `apply sent every step, but the tenant does not show the result yet for: ${convergence.pending.join(", ")}`,
          { status: "unconfirmed", ...result },
        );
      print({ status: "applied", ...result });
      return 0;
    }
  }
}

function stepJson(step: PlanStep, outcome: string): StepJson {
  return { id: step.id, address: step.address, description: step.description, outcome };
}

/** PPGOV_CREATE_SETTLE_SECONDS: how long a re-run looks for the object of a create a killed run started. */
function createSettleSeconds(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.PPGOV_CREATE_SETTLE_SECONDS?.trim();
  if (text === undefined || text === "") return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new UsageError(`PPGOV_CREATE_SETTLE_SECONDS must be a whole number of seconds (got '${text}')`);
  return Number(text);
}
