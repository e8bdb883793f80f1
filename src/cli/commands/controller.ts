/**
 * `ppgov controller`: the continuous reconcile loop without GitHub. Wires the loop (src/app/controller.ts)
 * to a git clone, the plan/apply use cases against the tenant, the per-tenant controller lock, and the
 * /healthz + /metrics server; SIGTERM/SIGINT finish the cycle in flight and exit 0.
 */
import { isAbsolute, join } from "node:path";
import { Option } from "commander";
import { LOCK_BACKENDS } from "../../adapters/lock/index.js";
import type { HeldLock } from "../../core/ports/lock.js";
import { syncMirror } from "../../adapters/git/mirror.js";
import { parseListen, startMetricsServer } from "../../adapters/http/metrics-server.js";
import { planAndApply } from "../../app/apply.js";
import {
  CommitPolicies,
  Controller,
  parseDuration,
  type ControllerMode,
  type ReconcileResult,
} from "../../app/controller.js";
import { ControllerMetrics } from "../../app/controller-metrics.js";
import { runDrift } from "../../app/drift.js";
import { loadDesired, resolveTenantId } from "../../app/plan.js";
import { PpgovError, UsageError } from "../../core/errors.js";
import { compose, lockBackendFor, lockName, policiesLoader, sharedTenantIo, takeLock } from "../compose.js";
import { writeLine, type CliContext } from "../context.js";
import type { CommandRegistrar } from "../program.js";

interface ControllerCommandOptions {
  repo: string;
  branch: string;
  interval: string;
  poll?: string;
  mode: ControllerMode;
  listen?: string;
  tenantDir: string;
  workDir: string;
  concurrency?: string;
  lock?: string;
}

export const registerController: CommandRegistrar = (program, context, setExitCode) => {
  program
    .command("controller")
    .description(
      "keep a tenant reconciled with a git branch: apply or report drift on every commit and interval",
    )
    .requiredOption("--repo <url|path>", "repository to follow (URL or local path)")
    .option("--branch <name>", "branch to follow", "main")
    .option("--interval <duration>", "reconcile at least this often (e.g. 5m, 30s)", "5m")
    .option("--poll <duration>", "how often to look for new commits (default: the interval, at most 1m)")
    .addOption(
      new Option("--mode <mode>", "apply changes or only report drift")
        .choices(["detect", "apply"])
        .default("detect"),
    )
    .option("--listen <host:port>", "serve /healthz and /metrics here (e.g. 127.0.0.1:9464)")
    .option("--tenant-dir <dir>", "policy directory inside the repository", "policies")
    .option("--work-dir <dir>", "where the clone and the journal live", ".ppgov/controller")
    .addOption(
      new Option(
        "--lock <backend>",
        "where the apply and controller locks live (default PPGOV_LOCK, else file)",
      ).choices(LOCK_BACKENDS),
    )
    .action(async (options: ControllerCommandOptions) => {
      setExitCode(await runController(options, context()));
    });
};

function duration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 100)
    throw new UsageError(`${flag} must be a duration such as 5m, 30s or 500ms (got "${text}")`);
  return ms;
}

export async function runController(options: ControllerCommandOptions, context: CliContext): Promise<number> {
  const intervalMs = duration("--interval", options.interval);
  const pollMs = options.poll === undefined ? Math.min(intervalMs, 60_000) : duration("--poll", options.poll);
  const workDir = isAbsolute(options.workDir) ? options.workDir : join(context.cwd, options.workDir);
  const cloneDir = join(workDir, "repo");
  const journalPath = join(workDir, "journal.jsonl");
  const repo =
    /^[a-z][a-z0-9+.-]*:\/\//i.test(options.repo) || isAbsolute(options.repo)
      ? options.repo
      : join(context.cwd, options.repo);
  const metrics = new ControllerMetrics();
  let controllerLock: HeldLock | undefined;
  // One set of connections and one token cache for the controller's lifetime, and the DLP read cache
  // for detect cycles (as `ppgov drift`): an unchanged tenant then costs list pages only.
  const shared = sharedTenantIo(context);
  // One child logger for every cycle, not one per cycle.
  const quietLogger = context.logger.child({}, { level: "warn" });
  const cycleEnv = {
    ...context.env,
    PPGOV_CACHE_DIR: context.env.PPGOV_CACHE_DIR?.trim() || join(workDir, "cache"),
  };
  const lockBackend = lockBackendFor(context, context.env, options.lock);
  // One validator for the controller's lifetime, and each commit's policies loaded once.
  const policies = new CommitPolicies(policiesLoader({ ...context, cwd: cloneDir }));

  const reconcile = async (
    commit: string,
    mode: ControllerMode,
    stopping: () => boolean,
  ): Promise<ReconcileResult> => {
    // At info (the controller's default) the cycle's own line is the news: the reads' and steps' info
    // lines ("tenant read pools", "step done") are kept for debug.
    const cycleContext: CliContext = {
      ...context,
      cwd: cloneDir,
      env: cycleEnv,
      ...(context.logger.level === "info" ? { logger: quietLogger } : {}),
    };
    const composed = compose(cycleContext, {
      command: "controller",
      journalPath,
      shared,
      // Apply cycles read without the cache, as `ppgov apply` does.
      readCache: mode === "detect",
      loadPolicies: policies.loaderFor(commit),
      ...(options.lock === undefined ? {} : { lock: options.lock }),
    });
    if (controllerLock === undefined) {
      // One controller per tenant: a lock beside the apply lock, held for the controller's lifetime.
      const load = await loadDesired(options.tenantDir, composed.plan);
      if (!load.ok) throw new PpgovError("INVALID", `the policies at ${commit.slice(0, 12)} do not validate`);
      const tenantId = await resolveTenantId(load.desired, composed.plan.tenant);
      controllerLock = await takeLock(
        lockBackend,
        context.env,
        `${lockName(context.env, tenantId)}-controller`,
        "controller",
      );
    }
    if (mode === "detect") {
      const outcome = await runDrift(options.tenantDir, composed.plan);
      const usage = composed.usage();
      if (outcome.status !== "planned")
        throw new PpgovError(
          "INVALID",
          `the policies at ${commit.slice(0, 12)} cannot be planned (${outcome.status})`,
        );
      return {
        drifted: outcome.report.resources.length,
        driftedAddresses: outcome.report.resources.map((resource) => resource.address),
        applied: 0,
        ...usage,
      };
    }
    let sent = 0;
    const apply = {
      ...composed.apply,
      // A stop request lets the step in flight finish and refuses the next one; the journal records it.
      runStep: async (...args: Parameters<typeof composed.apply.runStep>) => {
        if (stopping())
          throw new PpgovError(
            "CONTROLLER_STOPPING",
            "the controller is stopping; the next cycle resumes here",
          );
        const result = await composed.apply.runStep(...args);
        sent += 1;
        return result;
      },
    };
    let drifted: string[] = [];
    const outcome = await planAndApply(
      { dir: options.tenantDir, concurrency: 4, convergeTimeoutMs: 30_000 },
      {
        show: (planned) => {
          drifted = planned.plan.resources
            .filter((resource) => resource.action !== "no-op")
            .map((resource) => resource.address);
        },
        confirm: () => Promise.resolve(!stopping()),
      },
      apply,
    );
    const usage = composed.usage();
    if (outcome.status === "invalid" || outcome.status === "rejected")
      throw new PpgovError(
        "INVALID",
        `the policies at ${commit.slice(0, 12)} cannot be applied (${outcome.status})`,
      );
    if (outcome.status === "applied" && outcome.report.failed !== undefined && !stopping())
      throw new PpgovError(
        "APPLY_FAILED",
        `apply failed at ${outcome.report.failed.step.id}: ${outcome.report.failed.message}`,
      );
    return { drifted: drifted.length, driftedAddresses: drifted, applied: sent, ...usage };
  };

  const controller = new Controller(
    { mode: options.mode, intervalMs, pollMs, maxBackoffMs: Math.max(intervalMs, 60_000) },
    {
      sync: () => syncMirror({ repo, branch: options.branch, dir: cloneDir }),
      reconcile,
      now: () => Date.now(),
      sleep: (ms, signal) =>
        new Promise((resolve) => {
          const timer = setTimeout(resolve, ms);
          signal.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve();
          });
        }),
      random: Math.random,
      log: (level, message, fields) => context.logger[level](fields ?? {}, message),
      metrics,
    },
  );

  const server =
    options.listen === undefined
      ? undefined
      : await startMetricsServer(parseListen(options.listen), {
          healthy: () => controller.healthy(),
          status: () => controller.status,
          metrics: () => metrics.render(),
        });
  if (server)
    writeLine(context.stdout, `ppgov controller serving ${server.url}/metrics and ${server.url}/healthz`);
  writeLine(
    context.stdout,
    `following ${options.branch} of ${options.repo} every ${options.interval} (mode ${options.mode})`,
  );

  const onSignal = (): void => {
    context.logger.info({}, "stop requested: finishing the cycle in flight");
    controller.stop();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    await controller.run();
    writeLine(context.stdout, "controller stopped");
    return 0;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await controllerLock?.release();
    await server?.close();
  }
}
