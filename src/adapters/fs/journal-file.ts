import { mkdir, open, readFile, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * One line of the apply journal. Entries are appended, never rewritten. A step writes "start", then, if
 * the service accepted it as a long-running operation, "accepted" with the operation's URL (before any
 * poll), then "end".
 */
export interface JournalEntry {
  at: string;
  planDigest: string;
  stepId: string;
  address: string;
  event: "start" | "accepted" | "end";
  /**
   * "accepted" only: the URL of the operation the service started (its `Location`), on the service's own
   * host, without credentials; a later run polls it instead of sending the step again.
   */
  location?: string;
  outcome?: "succeeded" | "failed" | "skipped";
  /** Id of an object the step created (so a re-run can find it even before the list shows it). */
  createdId?: string;
  error?: { code: string; message: string };
}

/**
 * Append-only JSON-lines journal; every entry is fsynced before the step it describes proceeds, so a
 * crash never loses an entry that was reported written.
 */
export class JournalFile {
  /** Whether this instance already made sure the file ends with a newline (see `append`). */
  private tailChecked = false;

  constructor(readonly path: string) {}

  async append(entry: JournalEntry): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const handle = await open(this.path, "a+");
    try {
      // A run killed mid-append leaves a torn line without its newline: end it first, or this entry would
      // be glued to it and lost with it.
      const lead = this.tailChecked ? "" : await missingNewline(handle);
      await handle.write(`${lead}${JSON.stringify(entry)}\n`);
      await handle.sync();
      this.tailChecked = true;
    } finally {
      await handle.close();
    }
  }

  /** Reads every complete entry; a torn last line (crash mid-write) is ignored. */
  async read(): Promise<JournalEntry[]> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const entries: JournalEntry[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        entries.push(JSON.parse(line) as JournalEntry);
      } catch {
        // A torn trailing line from a crash mid-append carries no committed information.
      }
    }
    return entries;
  }
}

async function missingNewline(handle: FileHandle): Promise<string> {
  const { size } = await handle.stat();
  if (size === 0) return "";
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === 0x0a ? "" : "\n";
}
