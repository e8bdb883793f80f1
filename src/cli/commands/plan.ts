import { isAbsolute, join } from "node:path";
import { writeFileAtomic } from "../../adapters/fs/plan-file.js";
import { assertPolicyDirectory } from "../../adapters/fs/policy-loader.js";
import type { LoadedPolicies } from "../../core/policy/load-policies.js";
import { runPlan, type TenantUsage } from "../../app/plan.js";
import { UsageError } from "../../core/errors.js";
import type { Diagnostic } from "../../core/diagnostics.js";
import { planHasChanges, signPlan, PLAN_DIAGNOSTIC_CODES, type Plan } from "../../core/plan/index.js";
import { renderDiagnostics, summaryLine } from "../../render/diagnostics.js";
import { renderErrorJson } from "../../render/error-json.js";
import { renderPlanJson } from "../../render/plan-json.js";
import { renderPlanMarkdown } from "../../render/plan-markdown.js";
import { renderPlanText } from "../../render/plan-text.js";
import { compose } from "../compose.js";
import type { CliContext } from "../context.js";
import { createInventoryReader } from "../../adapters/tenant/inventory-api.js";
import type { TenantClient } from "../../adapters/tenant/index.js";
import { MAX_READ_CONCURRENCY } from "../../adapters/tenant/concurrency.js";
import { withImpact } from "../../app/impact.js";

export const PLAN_FORMATS = ["text", "markdown", "json"] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export interface PlanCommandOptions {
  dir: string;
  output?: string;
  format: PlanFormat;
  detailedExitcode?: boolean;
  allowProtectedDeletes?: boolean;
  concurrency?: string;
  /** False for `--no-cache`: read every DLP policy from the service. */
  cache?: boolean;
  /** GitHub Actions: sticky PR comment, labels, job summary, step outputs (plan-github.ts). */
  githubComment?: boolean;
  /** DLP impact analysis: apps and flows using the connectors that move (src/app/impact.ts). */
  impact?: boolean;
  impactBudget?: string;
}

/** `--impact`: adds the apps and flows that use moved connectors, within a time budget (default 120 s). */
export async function addImpact(
  plan: Plan,
  options: Pick<PlanCommandOptions, "impact" | "impactBudget" | "concurrency">,
  client: TenantClient,
): Promise<Plan> {
  if (options.impact !== true || plan.effect === undefined) return plan;
  const seconds = Number(options.impactBudget ?? "120");
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(
      `--impact-budget must be a positive number of seconds, got "${options.impactBudget ?? ""}"`,
    );
  const reader = createInventoryReader(client.http, {
    concurrency: Math.min(
      parseConcurrency(options.concurrency, "--concurrency", MAX_READ_CONCURRENCY) ?? 8,
      64,
    ),
    budgetMs: seconds * 1000,
  });
  return withImpact(plan, reader);
}

/** `--concurrency N`: a positive integer up to `max` (64 for parallel steps). */
export function parseConcurrency(
  value: string | undefined,
  name = "--concurrency",
  max = 64,
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1 || parsed > max)
    throw new UsageError(`${name} must be an integer between 1 and ${max}, got "${value}"`);
  return parsed;
}

/**
 * Read concurrency ceiling per API: `--concurrency`, else PPGOV_CONCURRENCY, else undefined (the
 * reader's default: start at 16, adapt up to 128).
 */
export function readConcurrency(flag: string | undefined, env: NodeJS.ProcessEnv): number | undefined {
  if (flag !== undefined) return parseConcurrency(flag, "--concurrency", MAX_READ_CONCURRENCY);
  const fromEnv = env.PPGOV_CONCURRENCY?.trim();
  return fromEnv === undefined || fromEnv === ""
    ? undefined
    : parseConcurrency(fromEnv, "PPGOV_CONCURRENCY", MAX_READ_CONCURRENCY);
}

/** PPGOV_PLAN_KEY: the shared key plans are signed with (plan) and checked against (apply). */
export function planKeyOf(env: NodeJS.ProcessEnv): string | undefined {
  const key = env.PPGOV_PLAN_KEY;
  return key === undefined || key === "" ? undefined : key;
}

/** The plan as it is saved or printed for apply: signed when PPGOV_PLAN_KEY is set. */
export function planForSaving(plan: Plan, env: NodeJS.ProcessEnv): Plan {
  const key = planKeyOf(env);
  return key === undefined ? plan : signPlan(plan, key);
}

export function colorFor(context: CliContext): boolean {
  return context.color;
}

export function resolvePath(context: CliContext, path: string): string {
  return isAbsolute(path) ? path : join(context.cwd, path);
}

/**
 * Diagnostics in validate's text format (stdout), for invalid policies or a rejected plan; under
 * `--format json` the JSON error envelope instead, so stdout stays JSON.
 */
export function printDiagnostics(
  context: CliContext,
  dir: string,
  loaded: LoadedPolicies,
  diagnostics: readonly Diagnostic[],
  stream: NodeJS.WritableStream = context.stdout,
): void {
  const summary = { directory: dir, fileCount: loaded.fileCount, documentCount: loaded.documentCount };
  if (context.jsonOutput) {
    const code = diagnostics.some((d) => d.code in PLAN_DIAGNOSTIC_CODES)
      ? "PLAN_REJECTED"
      : "POLICIES_INVALID";
    stream.write(renderErrorJson(code, summaryLine(diagnostics, summary), diagnostics));
    return;
  }
  stream.write(
    renderDiagnostics(diagnostics, "text", summary, {
      color: colorFor(context),
      codes: PLAN_DIAGNOSTIC_CODES,
    }),
  );
}

/** Warnings that did not stop the plan, to stderr (stdout holds the plan). */
export function printWarnings(context: CliContext, diagnostics: readonly Diagnostic[]): void {
  for (const diagnostic of diagnostics)
    context.stderr.write(
      `${diagnostic.file === "" ? "" : `${diagnostic.file}:${diagnostic.line}: `}warning ${diagnostic.code} ${diagnostic.message}\n`,
    );
}

export function renderPlan(plan: Plan, format: PlanFormat, context: CliContext, usage?: TenantUsage): string {
  const footer = usage === undefined ? undefined : { apiCalls: usage.apiCalls, throttled: usage.throttled };
  switch (format) {
    case "json":
      return renderPlanJson(plan);
    case "markdown":
      return renderPlanMarkdown(plan, footer === undefined ? {} : { footer });
    case "text":
      return renderPlanText(plan, { color: colorFor(context), ...(footer === undefined ? {} : { footer }) });
  }
}

export async function runPlanCommand(
  options: PlanCommandOptions,
  context: CliContext,
  env?: NodeJS.ProcessEnv,
): Promise<number> {
  await assertPolicyDirectory(options.dir, context.cwd);
  const concurrency = readConcurrency(options.concurrency, env ?? context.env);
  const composed = compose(context, {
    command: "plan",
    readCache: options.cache !== false,
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(env === undefined ? {} : { env }),
  });
  const started = Date.now();
  const outcome = await runPlan(
    { dir: options.dir, allowProtectedDeletes: options.allowProtectedDeletes === true },
    composed.plan,
  );
  if (outcome.status === "invalid") {
    printDiagnostics(context, options.dir, outcome.loaded, outcome.loaded.diagnostics);
    return 1;
  }
  if (outcome.status === "rejected") {
    printDiagnostics(context, options.dir, outcome.loaded, outcome.diagnostics);
    return 1;
  }
  const { diagnostics } = outcome.planned;
  const plan = planForSaving(
    await addImpact(outcome.planned.plan, options, composed.client),
    env ?? context.env,
  );
  printWarnings(context, [...outcome.loaded.diagnostics, ...diagnostics]);
  context.logger.info(
    {
      durationMs: Date.now() - started,
      apiCalls: outcome.usage.apiCalls,
      throttled: outcome.usage.throttled,
    },
    "plan made",
  );
  context.stdout.write(renderPlan(plan, options.format, context, outcome.usage));
  if (options.output !== undefined) {
    await writeFileAtomic(resolvePath(context, options.output), renderPlanJson(plan));
    if (options.format !== "json")
      context.stdout.write(
        `\nSaved the plan to ${options.output}. To apply exactly it: ppgov apply ${options.output}\n`,
      );
  }
  return options.detailedExitcode === true && planHasChanges(plan) ? 2 : 0;
}
