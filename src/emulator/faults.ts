import { isMalformedKind, MALFORMED_KINDS, type MalformedSettings } from "./malformed.js";

/** Fault injection (docs/emulator.md, Control endpoints): every field optional, rates in 0..1. */
export interface FaultConfig extends MalformedSettings {
  latencyMs?: number;
  rate429?: number;
  retryAfterSeconds?: number;
  rate5xx?: number;
  rateDrop?: number;
  lifecycleFailRate?: number;
  /**
   * Emulator extension: for this long after a lifecycle operation succeeds, environment reads lag
   * behind as the real service's do (TF provider recording environment/resource/Validate_Create_Waits_For_Dataverse_Metadata): no `linkedEnvironmentMetadata` and no
   * `billingPolicy` projection after a create, `states.management.id = "Running"` after an update.
   */
  consistencyLagMs?: number;
  /**
   * Emulator extension: when above 0, a tenant isolation PUT answers 202 with a Location to poll
   * (TF provider internal/services/tenant_isolation_policy/api_tenant_isolation_policy.go), and the new policy takes effect this long after the PUT.
   */
  isolationAsyncMs?: number;
  /**
   * Emulator extension: the next this many environment DELETE lifecycle operations end Failed (the
   * count goes down by one each), as a delete the service gives up on does; the Terraform provider
   * re-sends the DELETE then (internal/services/environment/api_environment.go).
   */
  deleteFailures?: number;
}

/** What happens to one request, decided before it is handled. */
export type FaultDecision =
  | { kind: "none" }
  | { kind: "drop"; when: "before" | "mid" }
  | { kind: "throttle"; retryAfterSeconds: number }
  | { kind: "error"; status: 500 | 503 };

const RATE_KEYS = ["rate429", "rate5xx", "rateDrop", "lifecycleFailRate", "rateMalformed"] as const;

/**
 * The longest delay a Node timer keeps (2^31-1 ms, about 24.8 days); a longer one fires after 1 ms,
 * so a latency above it would silently act as none. Every count and duration is held to it.
 */
export const MAX_FAULT_MS = 2 ** 31 - 1;
/** Retry-After is in seconds; a client waits it as a timer in ms. */
const MAX_FAULT_VALUE: Readonly<Record<string, number>> = {
  latencyMs: MAX_FAULT_MS,
  consistencyLagMs: MAX_FAULT_MS,
  isolationAsyncMs: MAX_FAULT_MS,
  retryAfterSeconds: Math.floor(MAX_FAULT_MS / 1000),
  deleteFailures: MAX_FAULT_MS,
};

/** Validates a faults document; returns an error message or the config. */
export function parseFaultConfig(value: unknown): FaultConfig | string {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "faults must be a JSON object";
  const record = value as Record<string, unknown>;
  const known = new Set<string>([
    "latencyMs",
    "retryAfterSeconds",
    "consistencyLagMs",
    "isolationAsyncMs",
    "deleteFailures",
    ...RATE_KEYS,
    "malformedKind",
    "malformedPath",
  ]);
  for (const [key, field] of Object.entries(record)) {
    if (!known.has(key)) return `unknown fault "${key}" (known: ${[...known].join(", ")})`;
    if (key === "malformedKind") {
      if (!isMalformedKind(field)) return `malformedKind must be one of ${MALFORMED_KINDS.join(", ")}`;
      continue;
    }
    if (key === "malformedPath") {
      if (typeof field !== "string" || field === "") return "malformedPath must be a non-empty string";
      continue;
    }
    if (typeof field !== "number" || !Number.isFinite(field) || field < 0) {
      return `${key} must be a non-negative number`;
    }
    if ((RATE_KEYS as readonly string[]).includes(key) && field > 1) return `${key} must be between 0 and 1`;
    const max = MAX_FAULT_VALUE[key];
    if (max !== undefined && field > max) return `${key} must be at most ${max} (got ${field})`;
    if (key === "deleteFailures" && !Number.isInteger(field)) return "deleteFailures must be a whole number";
  }
  return record;
}

/** mulberry32: a tiny seeded PRNG, so fault sequences are reproducible in tests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Draws the fate of one request. Always consumes the same number of draws whatever the config, so
 * changing one rate does not reshuffle the others' sequence.
 */
export function decideFault(config: FaultConfig, random: () => number): FaultDecision {
  const drop = random();
  const dropWhen = random();
  const throttle = random();
  const error = random();
  const errorCode = random();
  if (drop < (config.rateDrop ?? 0)) return { kind: "drop", when: dropWhen < 0.5 ? "before" : "mid" };
  if (throttle < (config.rate429 ?? 0))
    return { kind: "throttle", retryAfterSeconds: config.retryAfterSeconds ?? 1 };
  if (error < (config.rate5xx ?? 0)) return { kind: "error", status: errorCode < 0.5 ? 500 : 503 };
  return { kind: "none" };
}
