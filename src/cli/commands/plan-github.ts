/**
 * `ppgov plan --github-comment`: the plan run of a pull request in GitHub Actions. Validates, computes
 * the intent diff from git (no tenant access), plans against the tenant when credentials exist (a fork
 * PR gets none, and still receives validation and the intent diff), then publishes everything.
 */
import { isAbsolute, join, relative } from "node:path";
import { simpleGit } from "simple-git";
import { writeFileAtomic } from "../../adapters/fs/plan-file.js";
import { assertPolicyDirectory, createPolicyLoaderDeps } from "../../adapters/fs/policy-loader.js";
import { GithubClient } from "../../adapters/github/client.js";
import type { Logger } from "../../adapters/log/logger.js";
import { tenantIoFor } from "../../adapters/tenant/index.js";
import { readGithubContext, type GithubContext } from "../../adapters/github/context.js";
import { computeIntentDiff, type IntentDiff } from "../../adapters/git/intent-diff.js";
import { loadPolicies } from "../../core/policy/load-policies.js";
import { runPlan } from "../../app/plan.js";
import { publishPlan, type PlanPublication } from "../../app/publish-plan.js";
import { hasErrors, type Diagnostic } from "../../core/diagnostics.js";
import { PpgovError } from "../../core/errors.js";
import { planHasChanges } from "../../core/plan/index.js";
import { summaryLine } from "../../render/diagnostics.js";
import { renderPlanJson } from "../../render/plan-json.js";
import { compose } from "../compose.js";
import type { CliContext } from "../context.js";
import {
  addImpact,
  planForSaving,
  readConcurrency,
  printDiagnostics,
  renderPlan,
  resolvePath,
  type PlanCommandOptions,
} from "./plan.js";

/** Tenant credentials a run can use without an interactive login (a fork PR has none of them). */
export function hasTenantCredentials(env: NodeJS.ProcessEnv): boolean {
  const set = (name: string): boolean => (env[name]?.trim() ?? "") !== "";
  return set("PPGOV_TOKEN") || (set("AZURE_CLIENT_ID") && set("AZURE_TENANT_ID"));
}

/** The GitHub REST client of a run with a token; through the proxy of `env` when it names one. */
export function githubClientFor(
  context: GithubContext,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): GithubClient | undefined {
  if (!context.token) return undefined;
  const fetchVia = tenantIoFor(env, logger).fetch;
  const appSlug = env.PPGOV_GITHUB_APP_SLUG?.trim();
  return new GithubClient({
    apiUrl: context.apiUrl,
    token: context.token,
    owner: context.owner,
    repo: context.repo,
    ...(appSlug ? { appSlug } : {}),
    fetch: (url, init) => fetchVia(new URL(url), init),
  });
}

async function intentDiffFor(
  context: CliContext,
  github: GithubContext,
  dir: string,
): Promise<{ diff?: IntentDiff; note?: string }> {
  const pr = github.pullRequest;
  if (!pr?.baseSha || !pr.headSha) return {};
  try {
    const git = simpleGit(context.cwd);
    const top = (await git.revparse(["--show-toplevel"])).trim();
    const absolute = isAbsolute(dir) ? dir : join(context.cwd, dir);
    const policyDir = relative(top, absolute).split("\\").join("/") || ".";
    const diff = await computeIntentDiff({
      repoDir: top,
      base: pr.baseSha,
      head: pr.headSha,
      policyDir,
      git: simpleGit(top),
      loaderDeps: (cwd) => createPolicyLoaderDeps({ cwd, env: context.env }),
    });
    return { diff };
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    context.logger.warn({ err: message }, "intent diff unavailable");
    return { note: `The intent diff is unavailable (${message}); check out with \`fetch-depth: 0\`.` };
  }
}

export async function runPlanForGithub(options: PlanCommandOptions, context: CliContext): Promise<number> {
  await assertPolicyDirectory(options.dir, context.cwd);
  const concurrency = readConcurrency(options.concurrency, context.env);
  const github = await readGithubContext(context.env);
  const loaded = await loadPolicies(
    options.dir,
    createPolicyLoaderDeps({ cwd: context.cwd, env: context.env }),
    {
      allowEmpty: context.allowEmpty,
    },
  );
  const intent = await intentDiffFor(context, github, options.dir);
  const summary = {
    directory: options.dir,
    fileCount: loaded.fileCount,
    documentCount: loaded.documentCount,
  };
  let diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const publication: PlanPublication = {
    scope: options.dir,
    diagnostics,
    validationSummary: summaryLine(loaded.diagnostics, summary),
    ...(intent.diff ? { intentDiff: intent.diff } : {}),
  };
  let exitCode = 0;
  if (hasErrors(loaded.diagnostics)) {
    publication.planUnavailable = "The policies do not validate, so no live plan was made.";
    printDiagnostics(context, options.dir, loaded, loaded.diagnostics);
    exitCode = 1;
  } else if (!hasTenantCredentials(context.env)) {
    publication.planUnavailable =
      "No tenant credentials in this run (a pull request from a fork gets none), so there is no live plan: validation and the intent diff only.";
  } else {
    const composed = compose(context, {
      command: "plan",
      readCache: options.cache !== false,
      ...(concurrency === undefined ? {} : { concurrency }),
    });
    try {
      const outcome = await runPlan(
        { dir: options.dir, allowProtectedDeletes: options.allowProtectedDeletes === true },
        composed.plan,
      );
      if (outcome.status === "planned") {
        const plan = planForSaving(
          await addImpact(outcome.planned.plan, options, composed.client),
          context.env,
        );
        diagnostics = [...diagnostics, ...outcome.planned.diagnostics];
        publication.plan = plan;
        publication.apiCalls = outcome.usage.apiCalls;
        publication.throttled = outcome.usage.throttled;
        context.stdout.write(renderPlan(plan, options.format, context, outcome.usage));
        if (options.output !== undefined) {
          await writeFileAtomic(resolvePath(context, options.output), renderPlanJson(plan));
          publication.planPath = options.output;
        }
        if (options.detailedExitcode === true && planHasChanges(plan)) exitCode = 2;
      } else {
        diagnostics = [...diagnostics, ...(outcome.status === "rejected" ? outcome.diagnostics : [])];
        publication.planUnavailable = "The plan was refused by the plan-time checks listed above.";
        printDiagnostics(context, options.dir, loaded, diagnostics);
        exitCode = 1;
      }
    } catch (error: unknown) {
      if (!(error instanceof PpgovError)) throw error;
      publication.planUnavailable = `The live plan failed: ${context.secrets.scrub(error.message)}`;
      context.stderr.write(`${context.secrets.scrub(`error: ${error.message}`)}\n`);
      exitCode = 1;
    }
  }
  if (intent.note) publication.planUnavailable = `${publication.planUnavailable ?? ""} ${intent.note}`.trim();
  publication.diagnostics = diagnostics;
  if (publication.plan === undefined && !hasErrors(loaded.diagnostics))
    context.stdout.write(`${publication.validationSummary}\n${publication.planUnavailable ?? ""}\n`);
  const client = githubClientFor(github, context.env, context.logger);
  const result = await publishPlan(
    {
      context: github,
      ...(client ? { client } : {}),
      write: (line) => context.stdout.write(`${line}\n`),
    },
    publication,
  );
  context.logger.info(
    {
      commented: result.commented,
      comments: result.commentIds,
      labels: result.labels,
      skipped: result.skipped,
    },
    "published the plan on GitHub",
  );
  return exitCode;
}
