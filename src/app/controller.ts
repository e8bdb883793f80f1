/**
 * The controller loop: keeps the repository clone current, reconciles on every new commit and on the
 * interval, backs off exponentially on failures, and stops cleanly: `stop()` lets the cycle in flight
 * finish (the apply stops before its next step) and then `run()` resolves.
 */
import { PpgovError } from "../core/errors.js";
import type { ControllerMetrics } from "./controller-metrics.js";

export type ControllerMode = "detect" | "apply";

export interface ReconcileResult {
  /** Resources differing from the policies before this cycle acted. */
  drifted: number;
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
            deps.log("info", "reconciling", { commit, mode: options.mode, reason });
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
            deps.log("info", "reconciled", { commit, ...result, seconds });
          }
        } catch (error: unknown) {
          if (error instanceof PpgovError && FATAL_CODES.has(error.code)) throw error;
          this.status.consecutiveFailures += 1;
          this.status.lastError = error instanceof Error ? error.message : String(error);
          deps.metrics.recordReconcile(options.mode, "failure", (deps.now() - started) / 1000);
          waitMs = this.backoffMs(this.status.consecutiveFailures);
          failed = true;
          deps.log("warn", "reconcile failed; backing off", {
            error: this.status.lastError,
            failures: this.status.consecutiveFailures,
            retryInMs: waitMs,
          });
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

/** "5m", "30s", "500ms", "1h" → milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
  return Math.round(value * unit);
}
