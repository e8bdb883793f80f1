/**
 * `ppgov show PLANFILE`: a saved plan, as plan printed it (text, markdown) or as its JSON, with where it
 * came from and whether it is intact. Reads only the file: no tenant, no credentials.
 */
import { Option } from "commander";
import { createPlanValidator, readPlanFile } from "../../adapters/fs/plan-file.js";
import { checkPlanSignature, verifyPlanDigest, type Plan } from "../../core/plan/index.js";
import { renderPlanJson } from "../../render/plan-json.js";
import type { CliContext } from "../context.js";
import type { CommandRegistrar } from "../program.js";
import { PLAN_FORMATS, planKeyOf, renderPlan, resolvePath, type PlanFormat } from "./plan.js";

export interface ShowCommandOptions {
  format: PlanFormat;
}

export const registerShow: CommandRegistrar = (program, context, setExitCode) => {
  program
    .command("show <planfile>")
    .description("print a saved plan (ppgov plan -o FILE) without contacting the tenant")
    .addOption(new Option("--format <format>", "output format").choices(PLAN_FORMATS).default("text"))
    .action(async (planFile: string, options: ShowCommandOptions) => {
      setExitCode(await runShowCommand(planFile, options, context()));
    });
};

/** "Plan made 2026-12-07T… from policies at commit 1a2b3c4d5e6f for tenant …; digest intact, signed." */
export function planOrigin(plan: Plan, env: NodeJS.ProcessEnv): string {
  const from = plan.git.dir === undefined ? "" : ` from ${plan.git.dir}`;
  const commit =
    plan.git.commit === undefined
      ? ""
      : ` at commit ${plan.git.commit.slice(0, 12)}${plan.git.dirty === true ? " (with uncommitted changes)" : ""}`;
  const tenant = plan.tenantId === null ? "" : ` for tenant ${plan.tenantId}`;
  const digest = verifyPlanDigest(plan)
    ? "digest intact"
    : "digest does NOT match: the file was altered, apply refuses it";
  const key = planKeyOf(env);
  const signature =
    plan.signature === undefined
      ? key === undefined
        ? "unsigned"
        : "unsigned: apply with PPGOV_PLAN_KEY set refuses it"
      : key === undefined
        ? "signed (set PPGOV_PLAN_KEY to check the signature)"
        : checkPlanSignature(plan, key) === "valid"
          ? "signature valid"
          : "signature does NOT match PPGOV_PLAN_KEY";
  return `${plan.mode === "drift" ? "Drift report" : "Plan"} made ${plan.createdAt}${from}${commit}${tenant}; ${digest}, ${signature}.`;
}

export async function runShowCommand(
  planFile: string,
  options: ShowCommandOptions,
  context: CliContext,
): Promise<number> {
  const plan = await readPlanFile(resolvePath(context, planFile), createPlanValidator());
  if (options.format === "json") {
    context.stdout.write(renderPlanJson(plan));
    return 0;
  }
  const origin = planOrigin(plan, context.env);
  context.stdout.write(
    options.format === "markdown"
      ? `_${origin}_\n\n`
      : `${origin}\n${"".padEnd(Math.min(origin.length, 72), "─")}\n`,
  );
  context.stdout.write(renderPlan(plan, options.format, context));
  return 0;
}
