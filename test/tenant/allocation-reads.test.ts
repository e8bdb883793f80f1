import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs benchmark script without type declarations
import { generateTenant } from "../../bench/generate-tenant.mjs";
import { silentProgress } from "../../src/adapters/progress/index.js";
import { readLiveTenant } from "../../src/adapters/tenant/live-reader.js";
import { exportRequirements } from "../../src/core/export/index.js";
import type { DesiredState, LiveRequirements } from "../../src/core/plan/index.js";
import type { LiveTenant } from "../../src/core/plan/live-tenant.js";
import { planAgainstLive } from "../../src/app/plan.js";
import { loadSeedFile, startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import { desired, doc } from "../core/builders.js";
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

function client() {
  return clientForEmulator(emulator.url);
}

async function read(requirements: LiveRequirements) {
  emulator.resetRequests();
  const live = await readLiveTenant(client(), requirements);
  const gets = emulator
    .requests()
    .filter(
      (entry) => entry.method === "GET" && /\/licensing\/environments\/[^/]+\/allocations/.test(entry.path),
    );
  return { live, allocationGets: gets.length };
}

/** The plan use case against the emulator, as the CLI composes it; the requests it sent. */
async function plan(state: DesiredState) {
  const tenantClient = client();
  emulator.resetRequests();
  const { planned, errors } = await planAgainstLive(
    state,
    { dir: "policies", tenantId: (await tenantClient.admin.getTenant()).tenantId.toLowerCase() },
    {
      tenant: {
        tenantId: async () => (await tenantClient.admin.getTenant()).tenantId.toLowerCase(),
        readLive: (requirements, tenantId) => readLiveTenant(tenantClient, requirements, { tenantId }),
        readAllocationAvailability: (environmentIds, entitlementIds) =>
          tenantClient.licensing.getAllocationAvailabilityForEnvironments(environmentIds, entitlementIds),
        usage: () => ({ apiCalls: 0, throttled: 0 }),
      },
      now: () => new Date("2026-01-01T00:00:00Z"),
      gitHead: () => Promise.resolve({}),
      progress: silentProgress,
    },
  );
  const requests = emulator.requests();
  return {
    planned,
    poolErrors: errors.filter((d) => d.code === "PPG403").map((d) => d.message),
    allocationGets: requests.filter(
      (entry) => entry.method === "GET" && /\/licensing\/environments\/[^/]+\/allocations/.test(entry.path),
    ).length,
    availability: requests.filter((entry) => entry.path.includes("/allocationsV2/availability")),
  };
}

/** What the emulator says is free to allocate (the same for every environment's scope). */
async function freeAppPass(environmentId: string): Promise<number> {
  const free = await client().licensing.getAllocationAvailability(environmentId, ["AppPass"]);
  return free.AppPass ?? 0;
}

/** Two allocated environments of the 50, one named through an Environment document, one by id, each raised by `raise`. */
function twoOfFifty(live: LiveTenant, raise: number) {
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
  // Every type the environment holds (one left out would be released), AppPass raised.
  const raised = (list: { currencyType: string; allocated: number }[], by: number) => {
    const units: Record<string, number> = {};
    for (const entry of list) units[entry.currencyType] = (units[entry.currencyType] ?? 0) + entry.allocated;
    return { ...units, AppPass: appPass(list) + by };
  };
  const state = desired(
    // Matched by display name; its create-only location agrees with the live one (no replace).
    doc.environment({
      name: "first",
      displayName: firstEnvironment?.properties.displayName ?? "",
      location: firstEnvironment?.location ?? "",
    }),
    doc.allocation({
      name: "first",
      environment: "first",
      allocations: raised(first[1], raise),
    }),
    doc.allocation({
      name: "second",
      environment: `id:${second[0]}`,
      allocations: raised(second[1], raise),
    }),
  );
  return { state, environmentIds: [first[0], second[0]].sort() };
}

describe("allocation reads", () => {
  it("reads only the named environments' allocations, and what is free only for the environments a plan raises", async () => {
    const everything = await read(exportRequirements(["LicenseAllocation"]));
    // Export sees every environment's allocations.
    expect(everything.allocationGets).toBe(50);
    const free = await freeAppPass(Object.keys(everything.live.allocations)[0]!);
    expect(free).toBeGreaterThan(1);

    // Each raise alone fits; together they overflow what is free by one unit (or by nothing).
    const overflowing = twoOfFifty(everything.live, Math.ceil((free + 1) / 2));
    const refused = await plan(overflowing.state);
    expect(refused.allocationGets).toBe(2);
    expect(refused.poolErrors).toEqual([
      expect.stringMatching(/^AppPass allocations exceed what the tenant has free by [12]: this plan raises/),
    ]);
    // One availability GET per raised environment, each with the environment filter Learn documents.
    expect(
      refused.availability.map((entry) => new URL(entry.path, emulator.url).searchParams.get("$filter")),
    ).toEqual(
      expect.arrayContaining(
        overflowing.environmentIds.map((id) => `environmentId eq '${id}' and EntitlementId in ('AppPass')`),
      ),
    );
    expect(refused.availability).toHaveLength(2);

    const fitting = await plan(twoOfFifty(everything.live, Math.floor(free / 2)).state);
    expect(fitting.poolErrors).toEqual([]);
    expect(
      fitting.planned.changes.filter((c) => c.kind === "LicenseAllocation").map((c) => c.action),
    ).toEqual(["update", "update"]);
  });

  it("an unchanged allocation asks nothing about availability", async () => {
    const everything = await read(exportRequirements(["LicenseAllocation"]));
    const unchanged = await plan(twoOfFifty(everything.live, 0).state);
    expect(
      unchanged.planned.changes.filter((c) => c.kind === "LicenseAllocation" && c.action !== "no-op"),
    ).toEqual([]);
    expect(unchanged.availability).toEqual([]);
  });
});
