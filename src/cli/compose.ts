/**
 * Composition root of the tenant-facing commands: builds the tenant client from the environment
 * (PPGOV_ENDPOINT, PPGOV_TOKEN, AZURE_*), counts its requests, and wires the plan and apply use cases to
 * files, git, the clock, the lock and the journal.
 */
import { createHash } from "node:crypto";
import { hostname, tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { JournalFile } from "../adapters/fs/journal-file.js";
import { acquireLock } from "../adapters/fs/lock-file.js";
import { createPolicyLoaderDeps } from "../adapters/fs/policy-loader.js";
import { readGitHead } from "../adapters/git/head.js";
import { planReadCache } from "../adapters/cache/index.js";
import { createProgress, reportWhile, type Progress } from "../adapters/progress/index.js";
import {
  createTenantClient,
  createTokenProvider,
  executeStep,
  readLiveTenant,
  resumeStep,
  tenantIoFor,
  type FetchLike,
  type Transport,
  type TenantClient,
  type TenantIo,
} from "../adapters/tenant/index.js";
import type { TokenProvider } from "../adapters/tenant/token-provider.js";
import type { ApplyDeps } from "../app/apply.js";
import { loadPolicies } from "../app/load-desired.js";
import type { PlanDeps, TenantGateway, TenantUsage } from "../app/plan.js";
import type { CliContext } from "./context.js";

export interface ComposeOptions {
  /** Ceiling of parallel reads per API (default: the read pools' adaptive default). */
  concurrency?: number;
  /** Plan and drift reads reuse cached DLP policy documents (`--no-cache` turns it off); never apply. */
  readCache?: boolean;
  /** Environment overrides (the demo points the client at its emulator). */
  env?: NodeJS.ProcessEnv;
  /** Apply journal path; default PPGOV_JOURNAL or .ppgov/journal.jsonl under the working directory. */
  journalPath?: string;
  command?: string;
  /**
   * Connections and credential to reuse (the controller keeps one of each for its lifetime: a new
   * keep-alive agent and token cache per cycle would hold sockets and re-acquire tokens every cycle).
   */
  shared?: SharedTenantIo;
}

/** What a long-running process keeps across composed runs. */
export interface SharedTenantIo {
  io: TenantIo;
  tokens: TokenProvider;
}

/** The connections and credential of `env`, for `ComposeOptions.shared`. */
export function sharedTenantIo(context: CliContext, env: NodeJS.ProcessEnv = context.env): SharedTenantIo {
  const io = tenantIoFor(env, context.logger);
  return { io, tokens: createTokenProvider({ env, secrets: context.secrets, fetch: io.fetch }) };
}

export interface Composed {
  plan: PlanDeps;
  apply: ApplyDeps;
  client: TenantClient;
  usage(): TenantUsage;
  progress: Progress;
  journalPath: string;
}

/** Sends one request, counting it and, when the answer is 429, the throttling. */
async function counted<R extends { status: number }>(usage: TenantUsage, send: () => Promise<R>): Promise<R> {
  usage.apiCalls += 1;
  const response = await send();
  if (response.status === 429) usage.throttled += 1;
  return response;
}

/** The credential's token requests (fetch), counted. */
function countingFetch(usage: TenantUsage, inner: FetchLike): FetchLike {
  return (input, init) => counted(usage, () => inner(input, init));
}

/** The tenant APIs' transport, counted. */
function countingTransport(usage: TenantUsage, inner: Transport): Transport {
  return (request) => counted(usage, () => inner(request));
}

/** The tenant lock of this machine: one file per endpoint and tenant. */
export function lockPath(env: NodeJS.ProcessEnv, tenantId: string): string {
  const target = env.PPGOV_ENDPOINT?.trim() || `cloud:${env.PPGOV_CLOUD?.trim() || "public"}`;
  const key = createHash("sha256").update(`${target}\n${tenantId.toLowerCase()}`).digest("hex").slice(0, 32);
  const dir = env.PPGOV_LOCK_DIR?.trim() || join(tmpdir(), "ppgov", "locks");
  return join(dir, `${key}.lock`);
}

export function compose(context: CliContext, options: ComposeOptions = {}): Composed {
  const env = options.env ?? context.env;
  const usage: TenantUsage = { apiCalls: 0, throttled: 0 };
  const concurrency = options.concurrency;
  const io = options.shared?.io ?? tenantIoFor(env, context.logger);
  const client = createTenantClient({
    env,
    logger: context.logger,
    secrets: context.secrets,
    fetch: countingFetch(usage, io.fetch),
    transport: countingTransport(usage, io.transport),
    ...(options.shared === undefined ? {} : { tokens: options.shared.tokens }),
    ...(concurrency === undefined ? {} : { concurrency }),
  });
  const progress = createProgress({ stream: context.stderr, env });
  const tenant: TenantGateway = {
    tenantId: async () => (await client.admin.getTenant()).tenantId.toLowerCase(),
    readLive: (requirements, tenantId) => {
      const cache = planReadCache({
        env,
        cwd: context.cwd,
        tenantId,
        enabled: options.readCache === true,
        logger: context.logger,
      });
      const read = readLiveTenant(client, requirements, {
        tenantId,
        ...(concurrency === undefined ? {} : { concurrency }),
        ...(cache === undefined ? {} : { cache }),
        onPoolStats: (pools) => context.logger.info({ pools }, "tenant read pools"),
      });
      const before = usage.apiCalls;
      return reportWhile(progress, () => `  …${usage.apiCalls - before} API calls so far`, read);
    },
    readAllocationAvailability: (environmentIds, entitlementIds) =>
      client.licensing.getAllocationAvailabilityForEnvironments(environmentIds, entitlementIds),
    usage: () => ({ ...usage }),
  };
  const loaderDeps = createPolicyLoaderDeps({ cwd: context.cwd, env: context.env });
  const resolve = (path: string): string => (isAbsolute(path) ? path : join(context.cwd, path));
  const plan: PlanDeps = {
    loadPolicies: (dir) => loadPolicies(dir, loaderDeps, { allowEmpty: context.allowEmpty }),
    tenant,
    now: () => new Date(),
    gitHead: (dir) => readGitHead(resolve(dir)),
    progress,
  };
  const journalPath = resolve(
    options.journalPath ?? (env.PPGOV_JOURNAL?.trim() || join(".ppgov", "journal.jsonl")),
  );
  const journal = new JournalFile(journalPath);
  const apply: ApplyDeps = {
    ...plan,
    runStep: async (step, tenantId, hooks) => {
      const outcome = await executeStep(client, step, { tenantId, ...hooks });
      context.logger.info({ step: step.id, status: outcome.status }, "step done");
      return outcome.producedId === undefined ? {} : { producedId: outcome.producedId };
    },
    resumeStep: (step, location) => resumeStep(client, step, location),
    journal,
    lock: (tenantId) =>
      acquireLock(lockPath(env, tenantId), {
        pid: process.pid,
        host: hostname(),
        command: options.command ?? "apply",
        startedAt: new Date().toISOString(),
      }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  return { plan, apply, client, usage: () => ({ ...usage }), progress, journalPath };
}
