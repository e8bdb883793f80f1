import { link, mkdir, open, readFile, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { PpgovError } from "../../core/errors.js";

export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export interface HeldLock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * An exclusive lock file per tenant on this machine. The file appears whole or not at all (written to a
 * private temporary file, then hard-linked into place, which fails if the lock exists), so a rival never
 * reads a half-written lock. A lock left by a process that no longer exists is taken over, so a kill -9
 * never blocks the next run.
 */
export async function acquireLock(
  path: string,
  info: LockInfo,
  isAlive: (pid: number) => boolean = processIsAlive,
): Promise<HeldLock> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${info.pid}.${Date.now()}.tmp`;
  const handle = await open(temporary, "wx");
  try {
    await handle.writeFile(JSON.stringify(info), "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
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
      if (isAlive(holder.pid)) throw lockedError(path, holder);
      // Stale: its owner died. Remove it only if it is still that same stale lock.
      const again = await readLock(path);
      if (again !== undefined && again.pid === holder.pid && again.startedAt === holder.startedAt)
        await unlink(path).catch(() => undefined);
    }
    throw new PpgovError("LOCKED", `could not take the apply lock ${path}; try again`);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

function lockedError(path: string, holder: LockInfo): PpgovError {
  return new PpgovError(
    "LOCKED",
    `another ppgov ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}) is changing this tenant; wait for it to finish, or delete ${path} if that process is gone`,
  );
}

async function releaseIfOurs(path: string, info: LockInfo): Promise<void> {
  const holder = await readLock(path);
  if (holder !== undefined && holder.pid === info.pid && holder.startedAt === info.startedAt)
    await unlink(path).catch(() => undefined);
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
