import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs benchmark script without type declarations
import { generateTenant } from "../../bench/generate-tenant.mjs";
import type { FetchLike } from "../../src/adapters/tenant/http-client.js";
import { readLiveTenant } from "../../src/adapters/tenant/live-reader.js";
import { exportRequirements } from "../../src/core/export/index.js";
import { requiredLiveCollections, type LiveRequirements } from "../../src/core/plan/index.js";
import { buildPlan } from "../../src/core/plan/plan.js";
import type { LiveTenant } from "../../src/core/plan/live-tenant.js";
import { loadSeedFile, startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import { desired, doc, PLAN_OPTIONS } from "../core/builders.js";
import { clientForEmulator } from "./fake-fetch.js";

const generate = generateTenant as (options: { scale: number; out: string }) => { seedPath: string };

let dir: string;
let emulator: RunningEmulator;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ppgov-alloc-"));
  // Scale 0.01: 50 environments, 49 of them with allocations.
  emulator = await startEmulator({ seed: await loadSeedFile(generate({ scale: 0.01, out: dir }).seedPath) });
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A client for the emulator; `stripAllocated` plays a service whose availability report has no `allocated`. */
function client(stripAllocated = false) {
  const fetchImpl: FetchLike = async (input, init) => {
    const response = await fetch(input, init);
    if (!stripAllocated || !input.pathname.endsWith("/allocationsV2/availability")) return response;
    const body = (await response.json()) as { value: Record<string, unknown>[] };
    const value = body.value.map(({ allocated: _allocated, available: _available, ...rest }) => rest);
    return new Response(JSON.stringify({ value }), { status: 200, headers: response.headers });
  };
  return clientForEmulator(emulator.url, {
    fetch: fetchImpl,
  });
}

async function read(requirements: LiveRequirements, stripAllocated = false) {
  emulator.resetRequests();
  const live = await readLiveTenant(client(stripAllocated), requirements);
  const gets = emulator
    .requests()
    .filter(
      (entry) => entry.method === "GET" && /\/licensing\/environments\/[^/]+\/allocations/.test(entry.path),
    );
  return { live, allocationGets: gets.length };
}

/** Two allocated environments of the 50, one named through an Environment document, one by id. */
function twoOfFifty(live: LiveTenant, units: (owned: number, elsewhere: number) => number) {
  const allocated = Object.entries(live.allocations).filter(([, list]) =>
    list.some((entry) => entry.currencyType === "AppPass"),
  );
  const [first, second] = allocated;
  if (first === undefined || second === undefined) throw new Error("the seed needs two AppPass environments");
  const firstEnvironment = live.environments.find(
    (environment) => environment.name.toLowerCase() === first[0],
  );
  // Summed: an environment may list a currency type more than once.
  const appPass = (list: { currencyType: string; allocated: number }[]) =>
    list.reduce((sum, entry) => sum + (entry.currencyType === "AppPass" ? entry.allocated : 0), 0);
  const total = Object.values(live.allocations).reduce((sum, list) => sum + appPass(list), 0);
  const owned = live.currencyPool.AppPass ?? 0;
  const elsewhere = total - appPass(first[1]) - appPass(second[1]);
  const half = units(owned, elsewhere);
  return desired(
    // Matched by display name; its create-only location agrees with the live one (no replace).
    doc.environment({
      name: "first",
      displayName: firstEnvironment?.properties.displayName ?? "",
      location: firstEnvironment?.location ?? "",
    }),
    doc.allocation({ name: "first", environment: "first", allocations: { AppPass: half } }),
    doc.allocation({ name: "second", environment: `id:${second[0]}`, allocations: { AppPass: half } }),
  );
}

const poolErrors = (state: ReturnType<typeof desired>, live: LiveTenant) =>
  buildPlan(state, live, PLAN_OPTIONS)
    .diagnostics.filter((d) => d.code === "PPG403")
    .map((d) => d.message);

describe("allocation reads", () => {
  it("reads only the environments the documents name, and the pool check agrees with a full read", async () => {
    const everything = await read(exportRequirements(["LicenseAllocation"]));
    // Export sees every environment's allocations.
    expect(everything.allocationGets).toBe(50);
    expect(everything.live.allocationsPartial).toBeUndefined();

    // Requests that overflow the pool by one unit in total (each document asks for half of the rest).
    const overflowing = twoOfFifty(everything.live, (owned, elsewhere) =>
      Math.ceil((owned - elsewhere + 1) / 2),
    );
    const named = await read(requiredLiveCollections(overflowing));
    expect(named.allocationGets).toBe(2);
    expect(Object.keys(named.live.allocations)).toHaveLength(2);
    expect(named.live.allocationsPartial).toBe(true);
    const expected = poolErrors(overflowing, everything.live);
    expect(expected).toHaveLength(1);
    expect(expected[0]).toContain("AppPass allocations exceed the tenant's pool");
    expect(poolErrors(overflowing, named.live)).toEqual(expected);

    const fitting = twoOfFifty(everything.live, (owned, elsewhere) => Math.floor((owned - elsewhere) / 2));
    expect(poolErrors(fitting, everything.live)).toEqual([]);
    expect(poolErrors(fitting, (await read(requiredLiveCollections(fitting))).live)).toEqual([]);
  });

  it("reads every environment's allocations when the availability report has no `allocated`", async () => {
    const everything = await read(exportRequirements(["LicenseAllocation"]));
    const overflowing = twoOfFifty(everything.live, (owned, elsewhere) =>
      Math.ceil((owned - elsewhere + 1) / 2),
    );
    const fallback = await read(requiredLiveCollections(overflowing), true);
    expect(fallback.allocationGets).toBe(50);
    expect(fallback.live.allocationsPartial).toBeUndefined();
    expect(fallback.live.currencyAllocated).toBeUndefined();
    expect(poolErrors(overflowing, fallback.live)).toEqual(poolErrors(overflowing, everything.live));
  });
});
