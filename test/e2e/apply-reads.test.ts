import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs benchmark script without type declarations
import { generateTenant } from "../../bench/generate-tenant.mjs";
import { loadSeedFile, startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import { runCli } from "../helpers/run-cli.js";

const generate = generateTenant as (options: { scale: number; out: string }) => {
  seedPath: string;
  repoDir: string;
  counts: { changed: number; allocations: number };
};

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

interface PoolStats {
  peakInFlight: number;
}

/** The most requests any service had in flight, per "tenant read pools" log line (one per tenant read). */
function readPeaks(stderr: string): number[] {
  return stderr
    .split("\n")
    .filter((line) => line.includes('"tenant read pools"'))
    .map((line) => {
      const { pools } = JSON.parse(line) as { pools: Record<string, PoolStats> };
      return Math.max(...Object.values(pools).map((pool) => pool.peakInFlight));
    });
}

describe("apply's reads on a larger tenant", () => {
  it("are not bounded by --concurrency, which bounds the steps", async () => {
    const work = await mkdtemp(join(tmpdir(), "ppgov-apply-reads-"));
    cleanup.push(() => rm(work, { recursive: true, force: true }));
    const tenant = generate({ scale: 0.02, out: work });
    // Some latency, so that parallel reads overlap; operations end at once, so no poll waits.
    const emulator: RunningEmulator = await startEmulator({
      seed: await loadSeedFile(tenant.seedPath),
      lifecycleDelayMs: 0,
      faults: { latencyMs: 20 },
    });
    cleanup.push(() => emulator.close());
    const env = {
      PPGOV_ENDPOINT: emulator.url,
      PPGOV_TOKEN: "ppgov-dev",
      PPGOV_JOURNAL: join(work, "journal.jsonl"),
      PPGOV_LOCK_DIR: join(work, "locks"),
      PPGOV_CACHE_DIR: join(work, "cache"),
      PPGOV_LOG_LEVEL: "info",
    };

    const planned = await runCli(["plan", "-d", tenant.repoDir, "-o", join(work, "plan.json")], { env });
    expect(planned.code, planned.stderr).toBe(0);
    const applied = await runCli(
      ["apply", join(work, "plan.json"), "-d", tenant.repoDir, "--concurrency", "1"],
      { env, timeoutMs: 120_000 },
    );
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain(`Resources: 0 added, ${tenant.counts.changed} changed, 0 destroyed`);
    // The staleness read before the steps and the convergence read after them: each had many of the
    // ~100 allocation GETs in flight at once, not one.
    const peaks = readPeaks(applied.stderr);
    expect(peaks).toHaveLength(2);
    for (const peak of peaks) expect(peak).toBeGreaterThanOrEqual(8);
  }, 150_000);
});
