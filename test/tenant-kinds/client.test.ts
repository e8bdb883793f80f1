import { afterEach, describe, expect, it } from "vitest";
import type { TenantClient } from "../../src/adapters/tenant/index.js";
import { readLiveTenant } from "../../src/adapters/tenant/live-reader.js";
import { executeStep } from "../../src/adapters/tenant/step-executor.js";
import { getTenantIsolationPolicy } from "../../src/adapters/tenant/tenant-isolation-api.js";
import { buildDesiredState } from "../../src/core/plan/desired-state.js";
import { buildPlan } from "../../src/core/plan/plan.js";
import type { PolicyDocument } from "../../src/core/policy/types.js";
import type { EmulatorSeed } from "../../src/emulator/types.js";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { loaded } from "../core/builders.js";
import { call } from "../emulator/helpers.js";
import { testClient, clientForEmulator } from "../tenant/fake-fetch.js";

const PARTNER = "11111111-1111-1111-1111-111111111111";
const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

/** A client of a fresh emulator; sleeps are recorded and shortened to 40 ms so 202 polling stays fast. */
async function emulatorClient(
  seed: EmulatorSeed,
): Promise<{ emulator: RunningEmulator; client: TenantClient; sleeps: number[] }> {
  const emulator = await startEmulator({ seed, lifecycleDelayMs: 0 });
  running.push(emulator);
  const sleeps: number[] = [];
  const client = clientForEmulator(emulator.url, {
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((resolve) => setTimeout(resolve, 40));
    },
  });
  return { emulator, client, sleeps };
}

const REQUIREMENTS = {
  collections: ["environments", "tenantSettings", "tenantIsolation"] as const,
  licenseGroupIds: [],
  allLicensedGroups: false,
};

function planOf(documents: PolicyDocument[], live: Awaited<ReturnType<typeof readLiveTenant>>) {
  return buildPlan(buildDesiredState(documents.map((d) => loaded(d))), live, {
    createdAt: "2026-01-01T00:00:00.000Z",
  }).plan;
}

describe("tenant client: reading the singletons", () => {
  it("reads the settings and the isolation policy with the tenant they belong to", async () => {
    const sample = await loadSeedFile(sampleSeedPath);
    const { client, emulator } = await emulatorClient(sample);
    await call(emulator, "POST", "/_emulator/reset");
    const live = await readLiveTenant(client, {
      ...REQUIREMENTS,
      collections: [...REQUIREMENTS.collections],
    });
    expect(live.tenantSettings).toEqual({ tenantId: sample.tenantId, settings: sample.tenantSettings });
    expect(live.tenantIsolation).toEqual({ tenantId: sample.tenantId, policy: sample.tenantIsolationPolicy });
    const requests = (await call<{ method: string; path: string }[]>(emulator, "GET", "/_emulator/requests"))
      .body;
    const paths = requests.map((r) => `${r.method} ${r.path.split("?")[0]}`);
    // One tenant lookup serves both reads.
    expect(paths.filter((p) => p.endsWith("/tenant"))).toHaveLength(1);
    expect(paths).toContain("POST /providers/Microsoft.BusinessAppPlatform/listTenantSettings");
    expect(paths).toContain(
      `GET /providers/PowerPlatform.Governance/v1/tenants/${sample.tenantId}/tenantIsolationPolicy`,
    );
  });

  it("reads a 404 as no policy", async () => {
    const { client } = await emulatorClient({ tenantId: "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b" });
    expect(await getTenantIsolationPolicy(client.http, "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b")).toBeNull();
  });

  it("does not read them when no document needs them", async () => {
    const { client, emulator } = await emulatorClient({ tenantId: "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b" });
    await call(emulator, "POST", "/_emulator/reset");
    const live = await readLiveTenant(client, {
      collections: ["environments"],
      licenseGroupIds: [],
      allLicensedGroups: false,
    });
    expect(live.tenantSettings).toBeUndefined();
    const requests = (await call<{ path: string }[]>(emulator, "GET", "/_emulator/requests")).body;
    expect(requests.map((r) => r.path).filter((p) => /TenantSettings|tenantIsolation/i.test(p))).toEqual([]);
  });
});

describe("tenant client: applying plan steps", () => {
  it("sends the planned partial settings update and the isolation PUT; a re-read plans clean", async () => {
    const sample = await loadSeedFile(sampleSeedPath);
    const { client } = await emulatorClient(sample);
    const requirements = { ...REQUIREMENTS, collections: [...REQUIREMENTS.collections] };
    const documents: PolicyDocument[] = [
      {
        apiVersion: "ppgov/v1",
        kind: "TenantSettings",
        metadata: { name: "settings" },
        spec: { powerPlatform: { powerApps: { disableShareWithEveryone: true } } },
      },
      {
        apiVersion: "ppgov/v1",
        kind: "TenantIsolation",
        metadata: { name: "isolation" },
        spec: { enabled: true, allowedTenants: [{ tenantId: PARTNER, direction: "both" }] },
      },
    ];
    const plan = planOf(documents, await readLiveTenant(client, requirements));
    expect(plan.summary.change).toBe(2);
    for (const step of plan.steps) expect((await executeStep(client, step)).status).toBe(200);
    const after = await readLiveTenant(client, requirements);
    expect(planOf(documents, after).summary).toMatchObject({ change: 0, noop: 2 });
    expect(after.tenantIsolation?.policy?.properties.allowedTenants).toEqual([
      { tenantId: PARTNER, direction: { inbound: true, outbound: true } },
    ]);
    // The settings the document does not name were not touched.
    expect(after.tenantSettings?.settings.disableEnvironmentCreationByNonAdminUsers).toBe(true);
  });

  it("follows a 202 to the end, waiting Retry-After clamped to at least 2 s, before it returns", async () => {
    const sample = await loadSeedFile(sampleSeedPath);
    const { client, emulator, sleeps } = await emulatorClient(sample);
    await call(emulator, "PUT", "/_emulator/faults", { body: { isolationAsyncMs: 60 } });
    const live = await readLiveTenant(client, {
      ...REQUIREMENTS,
      collections: [...REQUIREMENTS.collections],
    });
    const documents: PolicyDocument[] = [
      {
        apiVersion: "ppgov/v1",
        kind: "TenantIsolation",
        metadata: { name: "isolation" },
        spec: { enabled: false },
      },
    ];
    const [step] = planOf(documents, live).steps;
    const outcome = await executeStep(client, step!);
    expect(outcome.status).toBe(202);
    // The emulator's Retry-After: 1 is clamped up to 2 s (wire-formats §3.3); 60 ms of work take 2 polls.
    // How many polls depends on how much real time the emulator's 202 window took (a loaded machine: fewer).
    expect(sleeps.length).toBeGreaterThanOrEqual(1);
    expect(sleeps.every((ms) => ms === 2_000)).toBe(true);
    const policy = await getTenantIsolationPolicy(client.http, sample.tenantId!);
    expect(policy?.properties.isDisabled).toBe(true);
  });
});

describe("tenant client: 202 edge cases", () => {
  const TENANT = "00000000-0000-0000-0000-000000000001";
  const PATH = `/providers/PowerPlatform.Governance/v1/tenants/${TENANT}/tenantIsolationPolicy`;
  const step = {
    label: "put",
    description: "enforce tenant isolation",
    api: "bap" as const,
    method: "PUT" as const,
    path: PATH,
    body: { properties: { tenantId: TENANT, isDisabled: false, allowedTenants: [] } },
    expect: [200, 202],
    async: "tenantIsolation" as const,
    idempotent: true,
  };

  it("polls through 409 and 202 with the clamped waits, then stops at 200", async () => {
    const {
      client,
      fake,
      sleeps: waits,
    } = testClient([
      {
        method: "PUT",
        path: PATH,
        replies: [
          { status: 202, headers: { Location: "https://api.bap.microsoft.com/ops/1", "Retry-After": "90" } },
        ],
      },
      {
        method: "GET",
        path: "/ops/1",
        replies: [
          { status: 409, body: { error: { code: "Conflict", message: "busy" } } },
          { status: 202, headers: { "Retry-After": "1" } },
          { status: 200, body: {} },
        ],
      },
    ]);
    const outcome = await executeStep(client, step);
    expect(outcome.status).toBe(202);
    expect(waits).toEqual([60_000, 5_000, 2_000]);
    expect(fake.unusedReplies()).toEqual([]);
  });

  it("a 202 without a Location is an error that says to check the tenant", async () => {
    const { client } = testClient([{ method: "PUT", path: PATH, replies: [{ status: 202 }] }]);
    await expect(executeStep(client, step)).rejects.toThrow(/named no Location to follow/);
  });
});
