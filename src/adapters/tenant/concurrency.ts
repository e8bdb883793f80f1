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
