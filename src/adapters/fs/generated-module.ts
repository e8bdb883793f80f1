import { existsSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * The exports of a CommonJS module the build generated (precompiled validators), or undefined when it
 * is missing or does not load: callers then fall back to doing the work at run time.
 */
export function loadGeneratedModule(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return createRequire(import.meta.url)(path) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
