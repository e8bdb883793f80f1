import { link, mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { PpgovError } from "../../core/errors.js";

export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
  /** The hold's id (`ppgov force-unlock ID`); older lock files have none. */
  id?: string;
  runId?: string;
  actor?: string;
  heartbeatAt?: string;
  /** Past this time without a heartbeat the lock is stale, whatever host holds it. */
  expiresAt?: string;
}

export interface HeldFileLock {
  readonly path: string;
  release(): Promise<void>;
}

export interface FileLockOptions {
  /** Is this pid alive? Asked only of a holder on the same host as the caller. */
  isAlive?: (pid: number) => boolean;
  now?: () => Date;
}

/**
 * An exclusive lock file per tenant on this machine. The file appears whole or not at all (written to a
 * private temporary file, then hard-linked into place, which fails if the lock exists), so a rival never
 * reads a half-written lock. A lock left by a process of this host that no longer exists is taken over,
 * so a kill -9 never blocks the next run; so is one whose `expiresAt` passed (its holder stopped its
 * heartbeat: another host on a shared file system, or a hung process).
 */
export async function acquireLock(
  path: string,
  info: LockInfo,
  isAliveOrOptions: ((pid: number) => boolean) | FileLockOptions = processIsAlive,
): Promise<HeldFileLock> {
  const options = typeof isAliveOrOptions === "function" ? { isAlive: isAliveOrOptions } : isAliveOrOptions;
  const isAlive = options.isAlive ?? processIsAlive;
  const now = options.now ?? (() => new Date());
  await mkdir(dirname(path), { recursive: true });
  const temporary = await writeAside(`${path}.${info.pid}.${Date.now()}.tmp`, info);
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await link(temporary, path);
        return { path, release: () => releaseIfOurs(path, info) };
      } catch (error: unknown) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = await readLock(path);
      if (holder === undefined) continue; // released in between: try again
      if (!isStale(holder, info.host, isAlive, now())) throw lockedError(path, holder);
      // Stale: its owner died or stopped its heartbeat. Remove it only if it is still that same stale lock.
      const again = await readLock(path);
      if (again !== undefined && sameHold(again, holder)) await unlink(path).catch(() => undefined);
    }
    throw new PpgovError("LOCKED", `could not take the apply lock ${path}; try again`);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/** Stale: unreadable, its heartbeat deadline passed, or its process on this host is gone. */
export function isStale(
  holder: LockInfo,
  host: string,
  isAlive: (pid: number) => boolean,
  now: Date,
): boolean {
  if (holder.pid === -1) return true;
  if (holder.expiresAt !== undefined && Date.parse(holder.expiresAt) < now.getTime()) return true;
  return holder.host === host && !isAlive(holder.pid);
}

/** The same hold: its id when both have one, else its pid and start time. */
export function sameHold(a: LockInfo, b: LockInfo): boolean {
  if (a.id !== undefined || b.id !== undefined) return a.id === b.id;
  return a.pid === b.pid && a.startedAt === b.startedAt;
}

function lockedError(path: string, holder: LockInfo): PpgovError {
  const run =
    holder.runId === undefined ? "" : `, ${holder.runId}${holder.actor ? ` by ${holder.actor}` : ""}`;
  const id = holder.id === undefined ? "" : `; lock ID ${holder.id}`;
  const remedy =
    holder.id === undefined
      ? `delete ${path} if that process is gone`
      : `run ppgov force-unlock ${holder.id} if that process is gone`;
  return new PpgovError(
    "LOCKED",
    `another ppgov ${holder.command} (pid ${holder.pid} on ${holder.host}${run}, since ${holder.startedAt}${id}) is changing this tenant; wait for it to finish, or ${remedy}`,
  );
}

async function releaseIfOurs(path: string, info: LockInfo): Promise<void> {
  const holder = await readLock(path);
  if (holder !== undefined && sameHold(holder, info)) await unlink(path).catch(() => undefined);
}

/** Writes the lock's content to a new file beside it, synced, for a rename or link into place. */
async function writeAside(temporary: string, info: LockInfo): Promise<string> {
  const handle = await open(temporary, "wx");
  try {
    await handle.writeFile(JSON.stringify(info), "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temporary;
}

/**
 * Rewrites a held lock with a new heartbeat (written aside, then renamed over it). Resolves false, and
 * writes nothing, when the lock is no longer this hold's.
 */
export async function renewLock(path: string, info: LockInfo): Promise<boolean> {
  const holder = await readLock(path);
  if (holder === undefined || !sameHold(holder, info)) return false;
  const temporary = await writeAside(`${path}.${info.pid}.${Date.now()}.renew`, info);
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  return true;
}

/** Removes the lock when its hold is `id`; resolves with the holder it found. */
export async function removeLockIfHeld(path: string, id: string): Promise<LockInfo | undefined> {
  const holder = await readLock(path);
  if (holder?.id === id) await unlink(path).catch(() => undefined);
  return holder;
}

export async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    const value = JSON.parse(await readFile(path, "utf8")) as Partial<LockInfo>;
    if (typeof value.pid !== "number") return { pid: -1, host: "?", command: "?", startedAt: "?" };
    return value as LockInfo;
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    // Unreadable content: no live owner can be named, treat as stale.
    return { pid: -1, host: "?", command: "?", startedAt: "?" };
  }
}

export function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
