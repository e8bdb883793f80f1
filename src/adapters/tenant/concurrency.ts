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

/** Default parallelism for tenant reads: enough to hide latency, low enough not to provoke throttling. */
export const DEFAULT_READ_CONCURRENCY = 8;
