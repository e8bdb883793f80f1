/**
 * How long a tenant call may take: each attempt (headers and body) and the call as a whole, retries
 * and their waits included. Configurable by flag (`--request-timeout`, `--deadline`) or environment
 * (PPGOV_REQUEST_TIMEOUT, PPGOV_DEADLINE), as durations: "30s", "2m", "500ms", "1.5m", "1h".
 */
import { UsageError } from "../../core/errors.js";

/** Per attempt: a healthy admin API answers in well under a second, a large DLP policy in a few. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Per call, every attempt and backoff included: a hung tenant fails in 2 min, not 6 × 60 s. */
export const DEFAULT_DEADLINE_MS = 120_000;
/** A call still unanswered after this long says, once, on stderr, what it waits for. */
export const DEFAULT_WAIT_NOTICE_MS = 10_000;

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
/** Above this a timer fires at once (Node clamps delays over 2^31-1 ms to 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Milliseconds of a duration ("30s", "2m", "250ms", "1h"; a bare number is seconds), or a message
 * saying what is wrong with it, naming `what` (the flag or variable).
 */
export function parseDuration(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (match === null)
    throw new UsageError(`${what} must be a duration such as 30s, 2m or 500ms (got "${text}")`);
  const ms = Math.round(Number(match[1]) * UNITS[(match[2] ?? "s") as keyof typeof UNITS]);
  if (ms <= 0) throw new UsageError(`${what} must be more than 0 (got "${text}")`);
  if (ms > MAX_TIMER_MS) throw new UsageError(`${what} must be at most 24 days (got "${text}")`);
  return ms;
}

export interface TenantDeadlines {
  /** Per attempt. */
  timeoutMs: number;
  /** Per call. */
  deadlineMs: number;
}

/** PPGOV_REQUEST_TIMEOUT and PPGOV_DEADLINE of `env`, each only when set. */
export function deadlinesFromEnv(env: NodeJS.ProcessEnv): Partial<TenantDeadlines> {
  const out: Partial<TenantDeadlines> = {};
  const timeout = env.PPGOV_REQUEST_TIMEOUT?.trim();
  const deadline = env.PPGOV_DEADLINE?.trim();
  if (timeout) out.timeoutMs = parseDuration(timeout, "PPGOV_REQUEST_TIMEOUT");
  if (deadline) out.deadlineMs = parseDuration(deadline, "PPGOV_DEADLINE");
  return out;
}

/** "750 ms", "30 s", "2 min", "2 min 30 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Number((ms / 1000).toFixed(1))} s`;
  const seconds = Math.round(ms / 1000);
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
