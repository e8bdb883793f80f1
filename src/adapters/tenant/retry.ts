/** Retry policy: which failures are retried, how long to wait, and the per-run budget. */

/**
 * Statuses worth retrying: timeouts, throttling and transient gateway/server failures (TF
 * internal/api/client.go).
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * Answers that say the service is overloaded: the read pools halve their concurrency on them. 503 is
 * included because the admin APIs also shed load with it (the TF provider retries both).
 */
export const THROTTLE_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * Whether an answer with `status` (already known retryable) may be replayed. Idempotent requests
 * always may. A non-idempotent one (a create's POST) only on 429: a throttled request was refused
 * before it was processed, so sending it again after Retry-After cannot create a second object (Azure
 * SDKs' throttling policy replays every method on 429 for the same reason). A 500/503 may have come
 * after the work was done, so those stay unreplayed.
 */
export function mayReplay(status: number, idempotent: boolean): boolean {
  return idempotent || status === 429;
}

export interface RetryPolicy {
  /** Attempts per request, first one included. */
  maxAttempts: number;
  /** Backoff base (first retry waits up to this long when the service gives no Retry-After). */
  baseDelayMs: number;
  /** Backoff cap. */
  maxDelayMs: number;
  /** Longest wait ppgov accepts from a Retry-After header; longer → fail with a clear error. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/**
 * Capped exponential backoff with full jitter: a uniform wait in [0, min(cap, base·2^(retry-1))].
 * Full jitter spreads parallel readers that were throttled together.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * The wait a `Retry-After` header asks for, in ms: integer seconds or an HTTP-date (RFC 9110, section
 * 10.2.3). Undefined when absent or unparseable. A date in the past means "now" (0).
 */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * One budget shared by every request of a run, so a throttling storm ends the run with a clear error
 * instead of spinning for hours.
 */
export class RetryBudget {
  private used = 0;
  private last: string | undefined;

  constructor(readonly limit: number) {}

  /** Takes one retry; false when the budget is spent. `what` describes the failure, for the error. */
  take(what: string): boolean {
    this.last = what;
    if (this.used >= this.limit) return false;
    this.used += 1;
    return true;
  }

  get spent(): number {
    return this.used;
  }

  get lastFailure(): string | undefined {
    return this.last;
  }
}
