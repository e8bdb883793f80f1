import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JournalFile, type JournalEntry } from "../../src/adapters/fs/journal-file.js";
import { acquireLock, readLock, type LockInfo } from "../../src/adapters/fs/lock-file.js";
import { createPlanValidator, readPlanFile, writeFileAtomic } from "../../src/adapters/fs/plan-file.js";
import { buildPlan, buildDesiredState, emptyLiveTenant } from "../../src/core/plan/index.js";

/** The files apply relies on to be safe across crashes: the journal, the tenant lock, the saved plan. */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ppgov-apply-files-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (stepId: string, event: "start" | "end"): JournalEntry => ({
  at: "2026-11-22T12:00:00.000Z",
  planDigest: "sha256:p",
  stepId,
  address: stepId.split(":")[0]!,
  event,
  ...(event === "end" ? { outcome: "succeeded" as const } : {}),
});

describe("JournalFile", () => {
  it("appends one JSON line per entry and reads them back in order, creating its directory", async () => {
    const journal = new JournalFile(join(dir, "nested", "journal.jsonl"));
    expect(await journal.read()).toEqual([]);
    await journal.append(entry("A/1:create", "start"));
    await journal.append(entry("A/1:create", "end"));
    const text = await readFile(journal.path, "utf8");
    expect(text.split("\n")).toHaveLength(3);
    expect((await journal.read()).map((e) => `${e.stepId} ${e.event}`)).toEqual([
      "A/1:create start",
      "A/1:create end",
    ]);
  });

  it("never rewrites earlier entries: a second journal on the same file appends", async () => {
    const path = join(dir, "journal.jsonl");
    await new JournalFile(path).append(entry("A/1:x", "start"));
    await new JournalFile(path).append(entry("A/1:x", "end"));
    expect(await new JournalFile(path).read()).toHaveLength(2);
  });

  it("ignores a torn last line left by a crash mid-append", async () => {
    const journal = new JournalFile(join(dir, "journal.jsonl"));
    await journal.append(entry("A/1:x", "start"));
    await appendFile(journal.path, '{"at":"2026-11-22T12:00:01.000Z","planDigest":"sha256:p","stepId":"A/1');
    expect((await journal.read()).map((e) => e.event)).toEqual(["start"]);
  });

  it("ends a torn line before appending, so the next run's entries are not glued to it and lost", async () => {
    const path = join(dir, "journal.jsonl");
    const killed = new JournalFile(path);
    await killed.append(entry("A/1:create", "start"));
    await killed.append({
      ...entry("A/1:create", "start"),
      event: "accepted",
      location:
        "https://api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/lifecycleOperations/op?api-version=2023-06-01",
    });
    await appendFile(path, '{"at":"2026-11-22T12:00:01.000Z","planDigest":"sha256:p","stepId":"A/1');
    const next = new JournalFile(path);
    await next.append(entry("A/1:create", "start"));
    await next.append(entry("A/1:create", "end"));
    expect((await next.read()).map((e) => e.event)).toEqual(["start", "accepted", "start", "end"]);
    expect((await next.read())[1]?.location).toContain("/lifecycleOperations/op");
  });
});

describe("acquireLock", () => {
  const info = (pid: number): LockInfo => ({
    pid,
    host: "here",
    command: "apply",
    startedAt: `2026-11-22T12:00:0${pid % 10}.000Z`,
  });

  it("is exclusive while its holder lives, and names the holder", async () => {
    const path = join(dir, "locks", "tenant.lock");
    const held = await acquireLock(path, info(101), () => true);
    await expect(acquireLock(path, info(202), () => true)).rejects.toThrow(
      /another ppgov apply \(pid 101 on here, since .*\) is changing this tenant/,
    );
    await held.release();
    const next = await acquireLock(path, info(202), () => true);
    expect((await readLock(path))?.pid).toBe(202);
    await next.release();
    expect(await readLock(path)).toBeUndefined();
  });

  it("takes over a lock whose process is gone (a kill -9 never blocks the next run)", async () => {
    const path = join(dir, "tenant.lock");
    await acquireLock(path, info(101), () => true); // never released: its process "died"
    const taken = await acquireLock(path, info(202), (pid) => pid !== 101);
    expect((await readLock(path))?.pid).toBe(202);
    await taken.release();
  });

  it("treats an unreadable lock file as stale", async () => {
    const path = join(dir, "tenant.lock");
    await writeFile(path, "garbage");
    const taken = await acquireLock(path, info(303), (pid) => pid > 0);
    expect((await readLock(path))?.pid).toBe(303);
    await taken.release();
  });

  it("release removes only its own lock", async () => {
    const path = join(dir, "tenant.lock");
    const first = await acquireLock(path, info(101), () => false);
    const second = await acquireLock(path, info(202), (pid) => pid === 202); // took over a "dead" 101
    await first.release(); // late release by the old holder must not free the new holder's lock
    expect((await readLock(path))?.pid).toBe(202);
    await second.release();
  });
});

describe("plan files", () => {
  const validate = createPlanValidator();
  const plan = buildPlan(buildDesiredState([]), emptyLiveTenant(), {
    createdAt: "2026-11-22T12:00:00.000Z",
    tenantId: "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
  }).plan;

  it("round-trips a plan written atomically (no temporary file left behind)", async () => {
    const path = join(dir, "out", "plan.json");
    await writeFileAtomic(path, JSON.stringify(plan));
    expect(await readPlanFile(path, validate)).toEqual(plan);
    const { readdir } = await import("node:fs/promises");
    expect(await readdir(join(dir, "out"))).toEqual(["plan.json"]);
  });

  it.each([
    ["a missing file", undefined, /cannot read the plan file .*: no such file/],
    ["truncated JSON", (text: string) => text.slice(0, text.length / 2), /is not a JSON plan/],
    ["garbage", () => "\u0000\u0001binary", /is not a JSON plan/],
    [
      "an older format",
      (text: string) => text.replace('"formatVersion":1', '"formatVersion":0'),
      /formatVersion 0/,
    ],
    ["no format", () => "{}", /formatVersion \(none\)/],
    [
      "a shape the schema refuses",
      (text: string) => text.replace(/"steps":\[[^\]]*\]/, '"steps":"none"'),
      /is not a valid plan: \/steps/,
    ],
  ])("refuses %s with a message naming the file", async (_name, mutate, message) => {
    const path = join(dir, "plan.json");
    if (mutate !== undefined) await writeFile(path, mutate(JSON.stringify(plan)));
    await expect(readPlanFile(path, validate)).rejects.toThrow(message);
    await expect(readPlanFile(path, validate)).rejects.toThrow(path);
  });
});
