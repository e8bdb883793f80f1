/**
 * The `file` lock backend: today's per-machine lock file (src/adapters/fs/lock-file.ts) under a
 * directory (PPGOV_LOCK_DIR, default the temp dir), now with the holder's identity, a hold id and a
 * heartbeat, so a lock on a file system shared by several hosts goes stale when its holder stops.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import {
  acquireLock,
  isStale,
  processIsAlive,
  readLock,
  removeLockIfHeld,
  renewLock,
  type LockInfo,
} from "../fs/lock-file.js";
import type {
  ForceUnlockResult,
  HeldLock,
  LockBackend,
  LockHolder,
  LockRequest,
} from "../../core/ports/lock.js";
import { heldWithHeartbeat } from "./heartbeat.js";
import { newHold, renewed } from "./identity.js";

export interface FileLockSettings {
  dir: string;
  ttlMs: number;
  heartbeatMs: number;
  now?: () => Date;
  isAlive?: (pid: number) => boolean;
  onHeartbeatError?: (error: unknown) => void;
}

function asHolder(info: LockInfo): LockHolder {
  return { ...info, id: info.id ?? `legacy.${info.pid}` };
}

export class FileLockBackend implements LockBackend {
  readonly kind = "file";
  private readonly now: () => Date;

  constructor(private readonly settings: FileLockSettings) {
    this.now = settings.now ?? (() => new Date());
  }

  path(name: string): string {
    return join(this.settings.dir, `${name}.lock`);
  }

  describe(name: string): string {
    return this.path(name);
  }

  async acquire(name: string, request: LockRequest): Promise<HeldLock> {
    const path = this.path(name);
    let hold: LockHolder = newHold(name, request, this.settings.ttlMs, this.now());
    const held = await acquireLock(path, hold, {
      isAlive: this.settings.isAlive ?? processIsAlive,
      now: this.now,
    });
    return heldWithHeartbeat(
      hold.id,
      {
        intervalMs: this.settings.heartbeatMs,
        ttlMs: this.settings.ttlMs,
        renew: async () => {
          const next = renewed(hold, this.settings.ttlMs, this.now());
          if (!(await renewLock(path, next))) return `the lock file ${path} is no longer this run's`;
          hold = next;
          return undefined;
        },
        ...(this.settings.onHeartbeatError ? { onError: this.settings.onHeartbeatError } : {}),
      },
      () => held.release(),
    );
  }

  async read(name: string): Promise<LockHolder | undefined> {
    const info = await readLock(this.path(name));
    if (info === undefined) return undefined;
    return isStale(info, hostname(), this.settings.isAlive ?? processIsAlive, this.now())
      ? undefined
      : asHolder(info);
  }

  async forceUnlock(name: string, id: string): Promise<ForceUnlockResult> {
    const found = await removeLockIfHeld(this.path(name), id);
    if (found === undefined) return { status: "free" };
    return found.id === id
      ? { status: "removed", holder: asHolder(found) }
      : { status: "other-holder", holder: asHolder(found) };
  }
}
