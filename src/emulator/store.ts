import { open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import type { EmulatorSeed, EmulatorState } from "./types.js";

/**
 * The tenant's state plus its optional persistence. Writes are atomic (temp file, fsync, rename,
 * fsync of the directory) and serialised, so a crash leaves either the old or the new file, never a
 * torn one.
 */
export class StateStore {
  private writes: Promise<void> = Promise.resolve();
  private writeCount = 0;

  /** `alongside`: more top-level keys the state file carries besides the state (pending operations). */
  constructor(
    readonly state: EmulatorState,
    private readonly statePath: string | undefined,
    private readonly alongside: () => Partial<EmulatorSeed> = () => ({}),
  ) {}

  /** The whole state in the seed format (a deep copy). */
  snapshot(): EmulatorSeed {
    return structuredClone(this.state);
  }

  /** Persists the current state after a mutation; resolves once the file is durable. */
  persist(): Promise<void> {
    const path = this.statePath;
    if (path === undefined) return Promise.resolve();
    const text = `${JSON.stringify({ ...this.state, ...this.alongside() }, null, 2)}\n`;
    const temp = `${path}.${process.pid}.${++this.writeCount}.tmp`;
    const write = this.writes.then(() => writeAtomically(path, temp, text));
    // A failed write must not wedge later ones; the caller still sees this write's failure.
    this.writes = write.catch(() => undefined);
    return write;
  }

  /** Waits for writes in flight (used on close). */
  flush(): Promise<void> {
    return this.writes;
  }
}

async function writeAtomically(path: string, temp: string, text: string): Promise<void> {
  const handle = await open(temp, "w", 0o600);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  const directory = await open(dirname(path), "r");
  try {
    await directory.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  } finally {
    await directory.close();
  }
}
