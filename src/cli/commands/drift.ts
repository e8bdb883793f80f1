import { Option } from "commander";
import { writeFileAtomic } from "../../adapters/fs/plan-file.js";
import { assertPolicyDirectory } from "../../adapters/fs/policy-loader.js";
import { runDrift } from "../../app/drift.js";
import { renderPlanJson } from "../../render/plan-json.js";
import { compose } from "../compose.js";
import type { CliContext } from "../context.js";
import type { CommandRegistrar } from "../program.js";
import { publishDriftRun } from "./drift-github.js";
import {
  readConcurrency,
  PLAN_FORMATS,
  printDiagnostics,
  printWarnings,
  renderPlan,
  resolvePath,
  type PlanFormat,
} from "./plan.js";

export interface DriftCommandOptions {
  dir: string;
  output?: string;
  format: PlanFormat;
  concurrency?: string;
  /** False for `--no-cache`. */
  cache?: boolean;
  /** GitHub Actions: one drift issue per scope (drift-github.ts). */
  githubIssue?: boolean;
}

export const registerDrift: CommandRegistrar = (program, context, setExitCode) => {
  program
    .command("drift")
    .description("report where the live tenant differs from the policies (exit 2 on drift)")
    .option("-d, --dir <dir>", "policy directory", "policies")
    .option("-o, --output <file>", "also write the drift plan as JSON to FILE")
    .addOption(new Option("--format <format>", "output format").choices(PLAN_FORMATS).default("text"))
    .option(
      "--concurrency <n>",
      "most reads in flight per API, 1-256 (adaptive from 16; default 128, or PPGOV_CONCURRENCY)",
    )
    .option("--no-cache", "read every DLP policy from the service instead of the read cache")
    .option(
      "--github-issue",
      "in GitHub Actions: open, update or close this scope's drift issue; heartbeat in the job summary",
    )
    .action(async (options: DriftCommandOptions) => {
      setExitCode(await runDriftCommand(options, context()));
    });
};

/** Exit 0 no drift, 2 drift, 1 error. */
export async function runDriftCommand(options: DriftCommandOptions, context: CliContext): Promise<number> {
  await assertPolicyDirectory(options.dir, context.cwd);
  const concurrency = readConcurrency(options.concurrency, context.env);
  const composed = compose(context, {
    command: "drift",
    readCache: options.cache !== false,
    ...(concurrency === undefined ? {} : { concurrency }),
  });
  const outcome = await runDrift(options.dir, composed.plan);
  if (outcome.status === "invalid") {
    printDiagnostics(context, options.dir, outcome.loaded, outcome.loaded.diagnostics);
    return 1;
  }
  if (outcome.status === "rejected") {
    printDiagnostics(context, options.dir, outcome.loaded, outcome.diagnostics);
    return 1;
  }
  printWarnings(context, [...outcome.loaded.diagnostics, ...outcome.planned.diagnostics]);
  context.stdout.write(renderPlan(outcome.planned.plan, options.format, context, outcome.usage));
  if (options.output !== undefined)
    await writeFileAtomic(resolvePath(context, options.output), renderPlanJson(outcome.planned.plan));
  if (options.githubIssue === true) await publishDriftRun(context, options.dir, outcome.planned);
  context.logger.info(
    { drifted: outcome.report.resources.map((resource) => resource.address) },
    "drift check done",
  );
  return outcome.report.drifted ? 2 : 0;
}
