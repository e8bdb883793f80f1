import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Bounded concurrency for parallel reads (one GET per DLP policy, per environment's allocations…).
 * A dozen lines instead of a dependency: ppgov needs only "map with at most N in flight, keep order,
 * fail fast" and p-limit is not a direct dependency.
 */
export async function mapWithConcurrency<T, R>(
  inputs: readonly T[],
  limit: number,
  task: (input: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`concurrency limit must be a positive integer (got ${limit})`);
  const results = new Array<R>(inputs.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < inputs.length) {
      const index = next++;
      try {
        results[index] = await task(inputs[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return results;
}

/**
 * Runs tasks with at most `limit` in flight, for work that arrives over time (GETs started while a
 * list is still being paged). Each call returns the task's own promise.
 */
export function createLimiter(limit: number): <R>(task: () => Promise<R>) => Promise<R> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`concurrency limit must be a positive integer (got ${limit})`);
  let active = 0;
  const waiting: (() => void)[] = [];
  // A finishing task hands its slot straight to the next waiter, so `active` never exceeds `limit`.
  const release = (): void => {
    const next = waiting.shift();
    if (next === undefined) active -= 1;
    else next();
  };
  return async <R>(task: () => Promise<R>): Promise<R> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/**
 * Where the adaptive read limit of each service starts: enough to hide 100 ms-1 s latencies without
 * opening with a burst (docs/performance.md, "Choosing the read concurrency").
 */
export const DEFAULT_READ_CONCURRENCY = 16;

/**
 * Default ceiling of the adaptive limit per service (`--concurrency` / PPGOV_CONCURRENCY set it). The
 * limit only climbs this high while the service answers without 429/503.
 */
export const DEFAULT_READ_CONCURRENCY_CEILING = 128;

/** Highest ceiling `--concurrency` accepts for reads. */
export const MAX_READ_CONCURRENCY = 256;

/**
 * An AIMD concurrency limit (TCP's congestion window, applied to requests in flight): it doubles per
 * round of successes until the first throttling signal (slow start), then grows by one per round
 * (additive increase); a throttling signal halves it (multiplicative decrease), at most once per
 * round. Never below 1 nor above `max`.
 */
export class AdaptiveLimit {
  private value: number;
  private slowStart = true;
  private successesSinceRaise = 0;
  private generation = 0;
  private highest: number;
  private halvings = 0;

  constructor(
    initial: number,
    readonly max: number,
  ) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`concurrency ceiling must be a positive integer (got ${max})`);
    if (!Number.isInteger(initial) || initial < 1)
      throw new RangeError(`initial concurrency must be a positive integer (got ${initial})`);
    this.value = Math.min(initial, max);
    this.highest = this.value;
  }

  get current(): number {
    return this.value;
  }

  /** Bumped by every decrease: a request started before it belongs to a round already reacted to. */
  get epoch(): number {
    return this.generation;
  }

  /** The highest the limit reached. */
  get peak(): number {
    return this.highest;
  }

  /** How many times throttling halved the limit. */
  get decreases(): number {
    return this.halvings;
  }

  /** A request finished without being throttled while others queued behind the limit. */
  recordSuccess(): void {
    if (this.value >= this.max) return;
    if (this.slowStart) this.value += 1;
    else if (++this.successesSinceRaise >= this.value) {
      this.successesSinceRaise = 0;
      this.value += 1;
    }
    this.highest = Math.max(this.highest, this.value);
  }

  /**
   * A request started in `startedInEpoch` was throttled. Halves the limit unless a decrease already
   * happened since that request started (its whole round was throttled together: one halving).
   */
  recordThrottle(startedInEpoch: number): boolean {
    if (startedInEpoch < this.generation) return false;
    this.value = Math.max(1, Math.floor(this.value / 2));
    this.slowStart = false;
    this.successesSinceRaise = 0;
    this.generation += 1;
    this.halvings += 1;
    return true;
  }
}

/** One request's place in a pool: the round it started in, and whether it was throttled. */
interface Slot {
  service: ReadService;
  limiter: AdaptiveLimiter;
  epoch: number;
  throttled: boolean;
}

/** Runs tasks with at most `limit.current` in flight; the limit moves with the service's answers. */
class AdaptiveLimiter {
  private active = 0;
  private peakInFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: AdaptiveLimit) {}

  get inFlightPeak(): number {
    return this.peakInFlight;
  }

  async acquire(service: ReadService): Promise<Slot> {
    if (this.active < this.limit.current && this.waiting.length === 0) this.take();
    // pump() takes the slot for the waiter before waking it.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    return { service, limiter: this, epoch: this.limit.epoch, throttled: false };
  }

  release(slot: Slot, succeeded: boolean): void {
    this.active -= 1;
    // Grow only while the limit is what holds requests back, so an idle pool does not drift upwards.
    if (succeeded && !slot.throttled && this.waiting.length > 0) this.limit.recordSuccess();
    this.pump();
  }

  throttled(slot: Slot): void {
    slot.throttled = true;
    this.limit.recordThrottle(slot.epoch);
  }

  private take(): void {
    this.active += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.active);
  }

  private pump(): void {
    // A raised limit may admit several waiters; a lowered one admits none until enough finish.
    while (this.active < this.limit.current && this.waiting.length > 0) {
      this.take();
      (this.waiting.shift() as () => void)();
    }
  }
}

/**
 * Each request's slot travels with its async context, so the HTTP client's throttling report reaches
 * the pool (and round) of the request that was throttled without being passed down. One storage for
 * the process, not one per pool: Node (20) never releases an AsyncLocalStorage that has run, and
 * copies every live one onto each new promise, so a pool per read (the controller reads every cycle)
 * made each promise carry one more property per cycle: heap and CPU per cycle grew without bound.
 */
const slotContext = new AsyncLocalStorage<Slot>();

/** The services ppgov reads from; each throttles its callers on its own, so each gets its own pool. */
export type ReadService = "bap" | "powerApps" | "powerPlatform" | "graph";

/** How a service's pool behaved during a read, for logs and the benchmark. */
export interface ReadPoolStats {
  /** The limit when the read ended. */
  limit: number;
  /** The highest the limit reached. */
  peakLimit: number;
  /** The most requests that were in flight at once. */
  peakInFlight: number;
  /** How many times throttling halved the limit. */
  decreases: number;
}

/** Bounded pools, one per service, each with an adaptive limit on requests in flight. */
export interface ReadPools {
  /** Runs `task` in `service`'s pool. */
  run<R>(service: ReadService, task: () => Promise<R>): Promise<R>;
  /** `task` for every input in `service`'s pool, in input order; after a failure no new task starts. */
  map<T, R>(service: ReadService, inputs: readonly T[], task: (input: T) => Promise<R>): Promise<R[]>;
  /**
   * Tells the pool that the request running in the caller's async context was throttled (429/503).
   * The HTTP client calls it; outside a pool's task it does nothing.
   */
  throttled(): void;
  /** Per service that ran anything. */
  stats(): Partial<Record<ReadService, ReadPoolStats>>;
}

export interface ReadPoolOptions {
  /** Where each service's limit starts. Default 16, or `max` when that is lower. */
  initial?: number;
  /** Ceiling per service. Default 128. */
  max?: number;
}

/**
 * One adaptive limiter per service rather than per collection: two collections read from the same
 * API (DLP policies and environment rule sets) share its budget, and a slow or throttled API does not
 * hold back the others. A number is a fixed limit (start = ceiling). A request waiting out a 429's
 * Retry-After keeps its slot, so a throttled pool slows down at once and then narrows.
 */
export function createReadPools(options: number | ReadPoolOptions = {}): ReadPools {
  const { initial, max } =
    typeof options === "number"
      ? { initial: options, max: options }
      : {
          max: options.max ?? DEFAULT_READ_CONCURRENCY_CEILING,
          initial: options.initial ?? DEFAULT_READ_CONCURRENCY,
        };
  const limiters = new Map<ReadService, AdaptiveLimiter>();
  const limiterOf = (service: ReadService): AdaptiveLimiter => {
    let limiter = limiters.get(service);
    if (limiter === undefined) {
      limiter = new AdaptiveLimiter(new AdaptiveLimit(Math.min(initial, max), max));
      limiters.set(service, limiter);
    }
    return limiter;
  };
  const run = async <R>(service: ReadService, task: () => Promise<R>): Promise<R> => {
    const limiter = limiterOf(service);
    const slot = await limiter.acquire(service);
    let succeeded = false;
    try {
      const result = await slotContext.run(slot, task);
      succeeded = true;
      return result;
    } finally {
      limiter.release(slot, succeeded);
    }
  };
  return {
    run,
    async map<T, R>(service: ReadService, inputs: readonly T[], task: (input: T) => Promise<R>) {
      let failed = false;
      const reads = inputs.map((input) =>
        run(service, async (): Promise<R> => {
          if (failed) throw new Error("not started: an earlier read in this batch failed");
          try {
            return await task(input);
          } catch (error) {
            failed = true;
            throw error;
          }
        }),
      );
      // Settle every read before rejecting, so none ends as an unhandled rejection.
      const settled = await Promise.allSettled(reads);
      const values: R[] = [];
      for (const outcome of settled) {
        // The first failure in input order is the real one: later reads were refused because of it.
        if (outcome.status === "rejected") throw outcome.reason;
        values.push(outcome.value);
      }
      return values;
    },
    throttled() {
      const slot = slotContext.getStore();
      // Only this pool's own requests: another pool's slot (a read inside its task) is not ours.
      if (slot !== undefined && limiters.get(slot.service) === slot.limiter) slot.limiter.throttled(slot);
    },
    stats() {
      const out: Partial<Record<ReadService, ReadPoolStats>> = {};
      for (const [service, limiter] of limiters)
        out[service] = {
          limit: limiter.limit.current,
          peakLimit: limiter.limit.peak,
          peakInFlight: limiter.inFlightPeak,
          decreases: limiter.limit.decreases,
        };
      return out;
    },
  };
}
