/**
 * The controller loop: keeps the repository clone current, reconciles on every new commit and on the
 * interval, backs off exponentially on failures, and stops cleanly: `stop()` lets the cycle in flight
 * finish (the apply stops before its next step) and then `run()` resolves.
 */
import { PpgovError } from "../core/errors.js";
import type { ControllerMetrics } from "./controller-metrics.js";
import type { LoadedPolicies } from "../core/policy/load-policies.js";

export type ControllerMode = "detect" | "apply";

export interface ReconcileResult {
  /** Resources differing from the policies before this cycle acted. */
  drifted: number;
  /** Their addresses (the cycle's log line names the first few). */
  driftedAddresses?: string[];
  /** Steps sent (apply mode). */
  applied: number;
  apiCalls: number;
  throttled: number;
}

export interface ControllerDeps {
  /** Brings the clone up to date; returns the commit checked out. */
  sync(): Promise<string>;
  /** One reconcile of the checked-out commit; `stopping()` turns true after a stop request. */
  reconcile(commit: string, mode: ControllerMode, stopping: () => boolean): Promise<ReconcileResult>;
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
  log(level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>): void;
  metrics: ControllerMetrics;
}

export interface ControllerOptions {
  mode: ControllerMode;
  /** Reconcile at least this often even without a new commit. */
  intervalMs: number;
  /** How often the clone is fetched for new commits. */
  pollMs: number;
  /** Ceiling of the failure backoff. */
  maxBackoffMs: number;
}

export interface ControllerStatus {
  commit?: string;
  lastSuccessAt?: number;
  consecutiveFailures: number;
  lastError?: string;
  running: boolean;
}

/** Errors after which retrying cannot help: another controller holds the tenant. */
const FATAL_CODES = new Set(["LOCKED"]);

export class Controller {
  private stopping = false;
  private readonly wake = new AbortController();
  readonly status: ControllerStatus = { consecutiveFailures: 0, running: false };

  constructor(
    private readonly options: ControllerOptions,
    private readonly deps: ControllerDeps,
  ) {}

  stop(): void {
    this.stopping = true;
    this.wake.abort();
  }

  /** Delay before retrying after `failures` consecutive failures: doubling, capped, with jitter. */
  backoffMs(failures: number): number {
    const base = Math.min(this.options.maxBackoffMs, this.options.pollMs * 2 ** Math.max(0, failures - 1));
    return Math.round(base * (0.5 + this.deps.random() / 2));
  }

  async run(): Promise<void> {
    const { deps, options } = this;
    this.status.running = true;
    let reconciledCommit: string | undefined;
    let lastReconcileAt = Number.NEGATIVE_INFINITY;
    try {
      while (!this.stopping) {
        let waitMs = options.pollMs;
        let failed = false;
        const started = deps.now();
        try {
          const commit = await deps.sync();
          this.status.commit = commit;
          const due = commit !== reconciledCommit || started - lastReconcileAt >= options.intervalMs;
          if (due && !this.stopping) {
            const reason = commit !== reconciledCommit ? "new commit" : "interval";
            const result = await deps.reconcile(commit, options.mode, () => this.stopping);
            const seconds = (deps.now() - started) / 1000;
            deps.metrics.recordReconcile(options.mode, "success", seconds);
            deps.metrics.apiCalls += result.apiCalls;
            deps.metrics.throttled += result.throttled;
            deps.metrics.driftedResources = options.mode === "apply" && !this.stopping ? 0 : result.drifted;
            deps.metrics.lastSuccessSeconds = Math.floor(deps.now() / 1000);
            reconciledCommit = commit;
            lastReconcileAt = started;
            this.status.lastSuccessAt = deps.now();
            this.status.consecutiveFailures = 0;
            delete this.status.lastError;
            const { driftedAddresses: _addresses, ...counts } = result;
            deps.log("info", cycleLine(commit, reason, options.mode, result, seconds, this.stopping), {
              commit,
              mode: options.mode,
              reason,
              ...counts,
              seconds,
            });
          }
        } catch (error: unknown) {
          if (error instanceof PpgovError && FATAL_CODES.has(error.code)) throw error;
          this.status.consecutiveFailures += 1;
          this.status.lastError = error instanceof Error ? error.message : String(error);
          deps.metrics.recordReconcile(options.mode, "failure", (deps.now() - started) / 1000);
          waitMs = this.backoffMs(this.status.consecutiveFailures);
          failed = true;
          deps.log(
            "warn",
            `cycle at ${this.status.commit?.slice(0, 12) ?? "(no commit yet)"} failed (${this.status.consecutiveFailures} in a row): ${this.status.lastError}; retrying in ${formatSeconds(waitMs / 1000)}`,
            {
              error: this.status.lastError,
              failures: this.status.consecutiveFailures,
              retryInMs: waitMs,
            },
          );
        }
        if (this.stopping) break;
        // After a failure wait out the backoff; otherwise poll, waking early for the interval.
        const untilInterval = lastReconcileAt + options.intervalMs - deps.now();
        const sleepMs = failed ? waitMs : Math.max(0, Math.min(waitMs, untilInterval));
        await deps.sleep(sleepMs, this.wake.signal);
      }
    } finally {
      this.status.running = false;
    }
  }

  /** /healthz: healthy while running and not failing for longer than three intervals. */
  healthy(): boolean {
    if (!this.status.running) return false;
    if (this.status.consecutiveFailures === 0) return true;
    const last = this.status.lastSuccessAt;
    return last !== undefined && this.deps.now() - last < 3 * this.options.intervalMs;
  }
}

/** Addresses named in a cycle's line; the rest are counted. */
const NAMED_ADDRESSES = 3;

function formatSeconds(seconds: number): string {
  return seconds < 10 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds)} s`;
}

/**
 * The one human line a cycle logs: what it saw and did. "cycle at 1a2b3c4d5e6f (new commit): drift in
 * 2 resources (DlpPolicy/a, Environment/b); applied 3 steps; 41 API calls, 0 throttled; 2.3 s".
 */
export function cycleLine(
  commit: string,
  reason: string,
  mode: ControllerMode,
  result: ReconcileResult,
  seconds: number,
  stopped = false,
): string {
  const addresses = result.driftedAddresses ?? [];
  const named =
    addresses.length === 0
      ? ""
      : ` (${addresses.slice(0, NAMED_ADDRESSES).join(", ")}${addresses.length > NAMED_ADDRESSES ? `, … and ${addresses.length - NAMED_ADDRESSES} more` : ""})`;
  const seen =
    result.drifted === 0
      ? "no drift"
      : `drift in ${result.drifted} resource${result.drifted === 1 ? "" : "s"}${named}`;
  const done =
    mode === "detect"
      ? "detect only, nothing applied"
      : `applied ${result.applied} step${result.applied === 1 ? "" : "s"}${stopped ? " (stopped early)" : ""}`;
  return `cycle at ${commit.slice(0, 12)} (${reason}): ${seen}; ${done}; ${result.apiCalls} API calls, ${result.throttled} throttled; ${formatSeconds(seconds)}`;
}

/** "5m", "30s", "500ms", "1h" → milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
  return Math.round(value * unit);
}

/**
 * The policies of the commit being reconciled, loaded (read, parsed, validated) once per commit and
 * directory: the clone is reset to the commit it reports, so an unchanged cycle would load the same
 * files again. A failed load is not kept; the next cycle tries again. The documents are shared by
 * the cycles of a commit, and frozen so that nothing can change them for the next cycle.
 */
export class CommitPolicies {
  private kept: { commit: string; dir: string; loaded: Promise<LoadedPolicies> } | undefined;

  constructor(private readonly load: (dir: string) => Promise<LoadedPolicies>) {}

  /** The loader for `commit`'s cycle. */
  loaderFor(commit: string): (dir: string) => Promise<LoadedPolicies> {
    return (dir) => {
      const kept = this.kept;
      if (kept !== undefined && kept.commit === commit && kept.dir === dir) return kept.loaded;
      const loaded = this.load(dir).then(deepFreeze);
      this.kept = { commit, dir, loaded };
      loaded.catch(() => {
        if (this.kept?.loaded === loaded) this.kept = undefined;
      });
      return loaded;
    };
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
