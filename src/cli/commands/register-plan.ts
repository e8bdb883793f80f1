/**
 * `ppgov plan`: its options, and which runner takes them (the plain command in plan.ts, or the GitHub
 * Actions one in plan-github.ts, which reuses plan.ts's helpers: so the registration lives above both).
 */
import { Option } from "commander";
import type { CommandRegistrar } from "../program.js";
import { PLAN_FORMATS, runPlanCommand, type PlanCommandOptions } from "./plan.js";
import { runPlanForGithub } from "./plan-github.js";

export const registerPlan: CommandRegistrar = (program, context, setExitCode) => {
  program
    .command("plan")
    .description("compare the policies with the live tenant and show what apply would change")
    .option("-d, --dir <dir>", "policy directory", "policies")
    .option("-o, --output <file>", "also write the JSON plan to FILE (for ppgov apply FILE)")
    .addOption(new Option("--format <format>", "output format").choices(PLAN_FORMATS).default("text"))
    .option("--detailed-exitcode", "exit 2 when there are changes (0 none, 1 error)")
    .option("--allow-protected-deletes", "allow deleting or replacing resources with deletion protection")
    .option(
      "--concurrency <n>",
      "most reads in flight per API, 1-256 (or PPGOV_CONCURRENCY); each API starts at 16, rises to this while it answers without 429/503 and halves when it throttles (default 128)",
    )
    .option("--no-cache", "read every DLP policy from the service instead of the read cache")
    .option("--impact", "list the apps and flows that use connectors whose effective DLP group changes")
    .option("--impact-budget <seconds>", "time budget of the impact analysis (default 120)")
    .option(
      "--github-comment",
      "in GitHub Actions: post the plan on the pull request, label it, write the job summary and step outputs",
    )
    .action(async (options: PlanCommandOptions) => {
      setExitCode(
        options.githubComment === true
          ? await runPlanForGithub(options, context())
          : await runPlanCommand(options, context()),
      );
    });
};
