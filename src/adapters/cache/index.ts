export {
  cacheScope,
  createFileReadCache,
  defaultCacheDir,
  type FileReadCacheOptions,
  type ReadCache,
  type ReadCacheStats,
} from "./read-cache.js";
export { planReadCache, type PlanReadCacheOptions } from "./plan-cache.js";
