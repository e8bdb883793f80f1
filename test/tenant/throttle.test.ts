import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs benchmark script without type declarations
import { generateTenant } from "../../bench/generate-tenant.mjs";
import type { ReadPoolStats } from "../../src/adapters/tenant/concurrency.js";
import type { FetchLike } from "../../src/adapters/tenant/http-client.js";
import { readLiveTenant } from "../../src/adapters/tenant/live-reader.js";
import { loadSeedFile, startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import { clientForEmulator } from "./fake-fetch.js";

const generate = generateTenant as (options: { scale: number; out: string }) => { seedPath: string };

let dir: string;
let emulator: RunningEmulator;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ppgov-throttle-"));
  // Scale 0.1: 500 environments, 499 with allocations: 500 allocation GETs in the Power Platform API's pool.
  emulator = await startEmulator({
    seed: await loadSeedFile(generate({ scale: 0.1, out: dir }).seedPath),
    faultSeed: 7,
  });
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("adaptive read concurrency against the emulator", () => {
  it("sends fewer allocation GETs at once after the service starts answering 429", async () => {
    emulator.setFaults({ latencyMs: 5 });
    const ALLOCATIONS = /\/licensing\/environments\/[^/]+\/allocations/;
    // In flight when each allocation GET started, in start order (retries included).
    const inFlightAtStart: number[] = [];
    let inFlight = 0;
    let throttlingFrom: number | undefined;
    const fetchImpl: FetchLike = async (input, init) => {
      if (!ALLOCATIONS.test(input.pathname)) return fetch(input, init);
      inFlight += 1;
      inFlightAtStart.push(inFlight);
      // Once the pool has had room to grow, the service starts throttling a fifth of all requests.
      if (throttlingFrom === undefined && inFlightAtStart.length === 150) {
        throttlingFrom = inFlightAtStart.length;
        emulator.setFaults({ latencyMs: 5, rate429: 0.2, retryAfterSeconds: 0 });
      }
      try {
        return await fetch(input, init);
      } finally {
        inFlight -= 1;
      }
    };
    const client = clientForEmulator(emulator.url, {
      fetch: fetchImpl,
      retry: { maxAttempts: 30 },
      retryBudget: 10_000,
    });
    let stats: ReadPoolStats | undefined;
    const live = await readLiveTenant(
      client,
      { collections: ["environments", "allocations"], licenseGroupIds: [], allLicensedGroups: false },
      { concurrency: 64, onPoolStats: (pools) => (stats = pools.powerPlatform) },
    );
    emulator.setFaults({});

    expect(live.environments).toHaveLength(500);
    expect(Object.keys(live.allocations)).toHaveLength(499);
    const throttled = emulator.requests().filter((entry) => entry.status === 429).length;
    expect(throttled).toBeGreaterThan(10);

    const before = Math.max(...inFlightAtStart.slice(0, throttlingFrom));
    // Well after the first 429s, while hundreds of GETs still queue behind the limit.
    const after = Math.max(...inFlightAtStart.slice(250, 400));
    expect(before).toBe(64);
    expect(after).toBeLessThanOrEqual(before / 2);
    expect(stats?.peakLimit).toBe(64);
    expect(stats?.decreases).toBeGreaterThan(1);
    expect(stats?.limit).toBeLessThan(32);
  });
});
