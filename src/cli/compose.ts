/**
 * Composition root of the tenant-facing commands: builds the tenant client from the environment
 * (PPGOV_ENDPOINT, PPGOV_TOKEN, AZURE_*), counts its requests, and wires the plan and apply use cases to
 * files, git, the clock, the lock and the journal.
 */
import { createHash } from "node:crypto";
import { hostname, tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { JournalFile } from "../adapters/fs/journal-file.js";
import { createLockBackend, lockBackendName, lockRequest } from "../adapters/lock/index.js";
import { createPolicyLoaderDeps } from "../adapters/fs/policy-loader.js";
import { readGitHead } from "../adapters/git/head.js";
import { planReadCache } from "../adapters/cache/index.js";
import { createProgress, formatElapsed, reportWhile, type Progress } from "../adapters/progress/index.js";
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
import type { HeldLock, LockBackend } from "../core/ports/lock.js";
import { PpgovError } from "../core/errors.js";
import { loadPolicies } from "../core/policy/load-policies.js";
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
  /** `--lock`: the apply lock's backend (file, github, azblob); default PPGOV_LOCK, else file. */
  lock?: string;
  /** Loads the policies instead of a loader made for this run (the controller loads each commit once). */
  loadPolicies?: PlanDeps["loadPolicies"];
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

/** Loads policies below the working directory with one validator (compiled or precompiled) for its life. */
export function policiesLoader(context: CliContext): PlanDeps["loadPolicies"] {
  const loaderDeps = createPolicyLoaderDeps({ cwd: context.cwd, env: context.env });
  return (dir) => loadPolicies(dir, loaderDeps, { allowEmpty: context.allowEmpty });
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

/** The name of a tenant's apply lock, the same on every machine: a hash of the endpoint and tenant. */
export function lockName(env: NodeJS.ProcessEnv, tenantId: string): string {
  const target = env.PPGOV_ENDPOINT?.trim() || `cloud:${env.PPGOV_CLOUD?.trim() || "public"}`;
  return createHash("sha256").update(`${target}\n${tenantId.toLowerCase()}`).digest("hex").slice(0, 32);
}

/** True when the lock is this machine's file (a bad PPGOV_LOCK is reported when the lock is taken). */
function sharedLockless(env: NodeJS.ProcessEnv, flag: string | undefined): boolean {
  try {
    return lockBackendName(env, flag) === "file";
  } catch {
    return true;
  }
}

/** The file backend's lock of a tenant (PPGOV_LOCK_DIR, default under the temp dir). */
export function lockPath(env: NodeJS.ProcessEnv, tenantId: string): string {
  const dir = env.PPGOV_LOCK_DIR?.trim() || join(tmpdir(), "ppgov", "locks");
  return join(dir, `${lockName(env, tenantId)}.lock`);
}

/** The lock backend a command asked for (`--lock`, PPGOV_LOCK), built on first use. */
export function lockBackendFor(
  context: CliContext,
  env: NodeJS.ProcessEnv,
  flag?: string,
): () => Promise<LockBackend> {
  let backend: Promise<LockBackend> | undefined;
  return () =>
    (backend ??= createLockBackend({
      env,
      ...(flag === undefined ? {} : { backend: flag }),
      secrets: context.secrets,
      onHeartbeatError: (error) =>
        context.logger.warn({ err: error }, "renewing the apply lock failed; trying again"),
    }));
}

/** Takes `name` on the backend for `command`, recording this run as its holder. */
export async function takeLock(
  backend: () => Promise<LockBackend>,
  env: NodeJS.ProcessEnv,
  name: string,
  command: string,
): Promise<HeldLock> {
  return (await backend()).acquire(name, lockRequest(env, command, hostname()));
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
    notices: context.stderr,
    fetch: countingFetch(usage, io.fetch),
    transport: countingTransport(usage, io.transport),
    ...(options.shared === undefined ? {} : { tokens: options.shared.tokens }),
    ...(concurrency === undefined ? {} : { concurrency }),
  });
  // Apply speaks in CI logs too: a line per step started and finished, and a heartbeat while it waits.
  const progress = createProgress({ stream: context.stderr, env, logLines: options.command === "apply" });
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
      const started = Date.now();
      return reportWhile(
        progress,
        () =>
          `  …reading the tenant: ${usage.apiCalls - before} API calls so far, ${formatElapsed(Date.now() - started)}`,
        read,
      );
    },
    readAllocationAvailability: (environmentIds, entitlementIds) =>
      client.licensing.getAllocationAvailabilityForEnvironments(environmentIds, entitlementIds),
    usage: () => ({ ...usage }),
  };
  const resolve = (path: string): string => (isAbsolute(path) ? path : join(context.cwd, path));
  const plan: PlanDeps = {
    loadPolicies: options.loadPolicies ?? policiesLoader(context),
    tenant,
    now: () => new Date(),
    gitHead: (dir) => readGitHead(resolve(dir)),
    progress,
  };
  const journalPath = resolve(
    options.journalPath ?? (env.PPGOV_JOURNAL?.trim() || join(".ppgov", "journal.jsonl")),
  );
  const journal = new JournalFile(journalPath);
  const backend = lockBackendFor(context, env, options.lock);
  let held: HeldLock | undefined;
  const apply: ApplyDeps = {
    ...plan,
    runStep: async (step, tenantId, hooks) => {
      // A hold lost while applying (broken with force-unlock, or taken over as stale) stops the writes.
      const lost = held?.lost();
      if (lost !== undefined)
        throw new PpgovError("LOCK_LOST", `${lost}; stopped before ${step.address}: ${step.description}`);
      const outcome = await executeStep(client, step, { tenantId, ...hooks });
      context.logger.info({ step: step.id, status: outcome.status }, "step done");
      return outcome.producedId === undefined ? {} : { producedId: outcome.producedId };
    },
    resumeStep: (step, location) => resumeStep(client, step, location),
    journal,
    // Without a shared lock, two writers may both create an object: names are re-checked around creates.
    guardCreates: sharedLockless(env, options.lock),
    lock: async (tenantId) => {
      const lock = await takeLock(backend, env, lockName(env, tenantId), options.command ?? "apply");
      held = lock;
      context.logger.info({ lock: lock.id, backend: (await backend()).kind }, "apply lock taken");
      return {
        id: lock.id,
        lost: () => lock.lost(),
        release: async () => {
          if (held === lock) held = undefined;
          await lock.release();
        },
      };
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  return { plan, apply, client, usage: () => ({ ...usage }), progress, journalPath };
}
