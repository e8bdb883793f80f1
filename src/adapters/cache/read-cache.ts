/**
 * The incremental read cache: per-object reads (a DLP policy's full document) kept on disk, keyed by
 * tenant + object id, and valid only for the version the list response announced (etag or
 * lastModifiedTime). An unchanged tenant then costs only the list calls.
 *
 * Safety: an entry is returned only when its stored version equals the version asked for, so a changed
 * etag always re-reads; entries are written to a temporary file and renamed (never half-written);
 * an unreadable or malformed entry is a miss. The cache is an optimisation, never a source of truth:
 * every failure to read or write it is logged at debug and otherwise ignored.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { Logger } from "../log/logger.js";

/** What the live reader needs from a cache. */
export interface ReadCache {
  /** The value stored for `id` at exactly `version`, or undefined. */
  get<T>(kind: string, id: string, version: string): Promise<T | undefined>;
  /** Stores `value` as the content of `id` at `version`. Never throws. */
  set(kind: string, id: string, version: string, value: unknown): Promise<void>;
  /** Hits and misses so far (for a log line and tests). */
  stats(): ReadCacheStats;
}

export interface ReadCacheStats {
  hits: number;
  misses: number;
  writes: number;
}

export interface FileReadCacheOptions {
  /** The cache directory (see `defaultCacheDir`). */
  dir: string;
  /** Which tenant the entries belong to: endpoint and tenant id (see `cacheScope`). */
  scope: string;
  logger?: Logger;
}

interface Entry {
  format: typeof ENTRY_FORMAT;
  kind: string;
  id: string;
  version: string;
  value: unknown;
}

const ENTRY_FORMAT = 1;

/** `PPGOV_CACHE_DIR`, else `.ppgov/cache` under the working directory. */
export function defaultCacheDir(env: NodeJS.ProcessEnv, cwd: string): string {
  const configured = env.PPGOV_CACHE_DIR?.trim();
  if (configured !== undefined && configured !== "")
    return isAbsolute(configured) ? configured : join(cwd, configured);
  return join(cwd, ".ppgov", "cache");
}

/** The cache scope of a tenant: the API target (endpoint override or cloud) and the tenant id. */
export function cacheScope(env: NodeJS.ProcessEnv, tenantId: string): string {
  const target = env.PPGOV_ENDPOINT?.trim() || `cloud:${env.PPGOV_CLOUD?.trim() || "public"}`;
  return `${target}\n${tenantId.toLowerCase()}`;
}

const digest = (text: string): string => createHash("sha256").update(text).digest("hex");

/** A ReadCache in files: `<dir>/<sha256(scope)>/<kind>/<sha256(id)>.json`. */
export function createFileReadCache(options: FileReadCacheOptions): ReadCache {
  const root = join(options.dir, digest(options.scope).slice(0, 32));
  const stats: ReadCacheStats = { hits: 0, misses: 0, writes: 0 };
  // Directories already made in this run: one mkdir per kind, not one per entry written.
  const made = new Set<string>();
  const pathOf = (kind: string, id: string): string =>
    join(root, kind.replace(/[^A-Za-z0-9_-]/g, "_"), `${digest(id.toLowerCase())}.json`);
  const debug = (fields: Record<string, unknown>, message: string): void =>
    options.logger?.debug(fields, message);

  return {
    async get<T>(kind: string, id: string, version: string): Promise<T | undefined> {
      const entry = await readEntry(pathOf(kind, id));
      const valid =
        entry !== undefined &&
        entry.kind === kind &&
        entry.id.toLowerCase() === id.toLowerCase() &&
        entry.version === version;
      if (!valid) {
        stats.misses += 1;
        return undefined;
      }
      stats.hits += 1;
      return entry.value as T;
    },

    async set(kind: string, id: string, version: string, value: unknown): Promise<void> {
      const path = pathOf(kind, id);
      const entry: Entry = { format: ENTRY_FORMAT, kind, id, version, value };
      const temporary = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
      try {
        const dir = join(path, "..");
        if (!made.has(dir)) {
          await mkdir(dir, { recursive: true });
          made.add(dir);
        }
        await writeFile(temporary, JSON.stringify(entry));
        await rename(temporary, path);
        stats.writes += 1;
      } catch (error) {
        debug({ kind, id, error: (error as Error).message }, "read cache: entry not written");
        await rm(temporary, { force: true }).catch(() => undefined);
      }
    },

    stats: () => ({ ...stats }),
  };
}

/** The entry at `path`, or undefined when it is missing, unreadable or not an entry of this format. */
async function readEntry(path: string): Promise<Entry | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const entry = parsed as Partial<Entry>;
    const wellFormed =
      entry.format === ENTRY_FORMAT &&
      typeof entry.kind === "string" &&
      typeof entry.id === "string" &&
      typeof entry.version === "string" &&
      entry.value !== undefined;
    return wellFormed ? (entry as Entry) : undefined;
  } catch {
    return undefined;
  }
}
