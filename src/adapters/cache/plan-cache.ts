/**
 * The read cache as the plan command uses it: on unless `--no-cache`, in `PPGOV_CACHE_DIR` or
 * `.ppgov/cache`, scoped to the API target and tenant id. Apply and the staleness check never call
 * this: they always read the tenant.
 */
import type { Logger } from "../log/logger.js";
import { cacheScope, createFileReadCache, defaultCacheDir, type ReadCache } from "./read-cache.js";

export interface PlanReadCacheOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  tenantId: string;
  /** False for `--no-cache`. */
  enabled: boolean;
  logger?: Logger;
}

/** The cache for one plan run, or undefined when it is switched off. */
export function planReadCache(options: PlanReadCacheOptions): ReadCache | undefined {
  if (!options.enabled) return undefined;
  return createFileReadCache({
    dir: defaultCacheDir(options.env, options.cwd),
    scope: cacheScope(options.env, options.tenantId),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
}
