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
 * Default parallelism for tenant reads, per collection: enough to hide 100 ms-1 s latencies, low
 * enough not to provoke the admin APIs' throttling (429s are retried after Retry-After anyway).
 */
export const DEFAULT_READ_CONCURRENCY = 16;

/** The services ppgov reads from; each throttles its callers on its own, so each gets its own pool. */
export type ReadService = "bap" | "powerApps" | "powerPlatform" | "graph";

/** Bounded pools, one per service: at most `limit` requests in flight to each. */
export interface ReadPools {
  /** Runs `task` in `service`'s pool. */
  run<R>(service: ReadService, task: () => Promise<R>): Promise<R>;
  /** `task` for every input in `service`'s pool, in input order; after a failure no new task starts. */
  map<T, R>(service: ReadService, inputs: readonly T[], task: (input: T) => Promise<R>): Promise<R[]>;
}

/**
 * One limiter per service rather than per collection: two collections read from the same API (DLP
 * policies and environment rule sets) share its budget, and a slow or throttled API does not hold back
 * the others. A request waiting out a 429's Retry-After keeps its slot, so a throttled pool slows down.
 */
export function createReadPools(limit: number): ReadPools {
  const limiters = new Map<ReadService, <R>(task: () => Promise<R>) => Promise<R>>();
  const limiterOf = (service: ReadService): (<R>(task: () => Promise<R>) => Promise<R>) => {
    let limiter = limiters.get(service);
    if (limiter === undefined) {
      limiter = createLimiter(limit);
      limiters.set(service, limiter);
    }
    return limiter;
  };
  return {
    run: (service, task) => limiterOf(service)(task),
    async map<T, R>(service: ReadService, inputs: readonly T[], task: (input: T) => Promise<R>) {
      const limited = limiterOf(service);
      let failed = false;
      const reads = inputs.map((input) =>
        limited(async (): Promise<R> => {
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
  };
}
