/**
 * The tenant client over real sockets against the emulator (PPGOV_ENDPOINT + dev token), with the
 * emulator's fault injection. Each test asserts the requests the emulator received and the outcome.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type TenantClient, type TenantClientOptions } from "../../src/adapters/tenant/index.js";
import { TenantApiError } from "../../src/adapters/tenant/errors.js";
import { LifecycleFailedError } from "../../src/adapters/tenant/lifecycle.js";
import { seededRandom } from "../../src/emulator/faults.js";
import {
  startEmulator,
  type EmulatorOptions,
  type EmulatorSeed,
  type RunningEmulator,
  loadSeedFile,
  sampleSeedPath,
} from "../../src/emulator/server.js";
import { clientForEmulator } from "./fake-fetch.js";

const FIXTURES = new URL("../contract/fixtures/tf-provider/", import.meta.url);
const TEMPLATE = JSON.parse(
  readFileSync(
    new URL(
      "environment/datasource/Validate_Read/get_environment_00000000-0000-0000-0000-000000000001.json",
      FIXTURES,
    ),
    "utf8",
  ),
) as SeedEnvironment;

const ENVIRONMENTS_PATH = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments";
const GROUPS_PATH = "/providers/Microsoft.BusinessAppPlatform/environmentGroups";

type SeedEnvironment = NonNullable<EmulatorSeed["environments"]>[number];

/** A seed environment cloned from a recorded one, with its own id and name. */
function environment(index: number): SeedEnvironment {
  const id = `00000000-0000-0000-0000-${String(index).padStart(12, "0")}`;
  const { parentEnvironmentGroup: _group, ...rest } = TEMPLATE.properties;
  const properties = { ...rest, displayName: `Env ${index}`, isDefault: false };
  return {
    ...TEMPLATE,
    id: `${ENVIRONMENTS_PATH}/${id}`,
    name: id,
    type: "Microsoft.BusinessAppPlatform/scopes/environments",
    location: "europe",
    properties,
  };
}

interface Harness {
  emulator: RunningEmulator;
  client: TenantClient;
  /** Waits the client asked for (ms), in order. */
  waits: number[];
  /** Runs before the n-th wait (1-based) completes; lets a test end a fault storm at a known point. */
  onWait: (n: number) => void;
}

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

async function harness(
  emulatorOptions: EmulatorOptions,
  clientOptions: Partial<TenantClientOptions> = {},
): Promise<Harness> {
  const emulator = await startEmulator({ lifecycleDelayMs: 0, ...emulatorOptions });
  running.push(emulator);
  const h: Harness = {
    emulator,
    client: undefined as unknown as TenantClient,
    waits: [],
    onWait: () => undefined,
  };
  h.client = clientForEmulator(emulator.url, {
    // Real (short) waits: the emulator's lifecycle advances on wall-clock time.
    sleep: (ms) => {
      h.waits.push(ms);
      h.onWait(h.waits.length);
      return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 25)));
    },
    lifecycle: { pollIntervalMs: 25, maxPollIntervalMs: 25, deadlineMs: 20_000 },
    ...clientOptions,
  });
  return h;
}

const paths = (emulator: RunningEmulator): string[] =>
  emulator.requests().map((r) => `${r.method} ${r.path.split("?")[0]} ${r.status}`);

describe("tenant client against the emulator", () => {
  it("pages through 250 environments 20 at a time", async () => {
    const h = await harness({
      seed: { environments: Array.from({ length: 250 }, (_, i) => environment(i + 1)) },
      pageSize: 20,
    });
    const all = await h.client.admin.listEnvironments();
    expect(all).toHaveLength(250);
    expect(new Set(all.map((e) => e.name)).size).toBe(250);
    expect(paths(h.emulator)).toEqual(Array(13).fill(`GET ${ENVIRONMENTS_PATH} 200`));
  });

  it("creates an environment and follows its lifecycle operation", async () => {
    const h = await harness({});
    const result = await h.client.admin.createEnvironment({
      location: "europe",
      properties: { displayName: "Created by test", environmentSku: "Sandbox" },
    });
    expect(result.operation?.state.id).toBe("Succeeded");
    const created = await h.client.admin.getEnvironment(result.environmentId ?? "");
    expect(created?.properties.displayName).toBe("Created by test");
    expect(paths(h.emulator)).toEqual([
      "POST /providers/Microsoft.BusinessAppPlatform/environments 202",
      `GET /providers/Microsoft.BusinessAppPlatform/lifecycleOperations/${result.operation?.id} 200`,
      `GET ${ENVIRONMENTS_PATH}/${result.environmentId} 200`,
    ]);
  });

  it("polls a running operation until it succeeds", async () => {
    const h = await harness({ lifecycleDelayMs: 400 });
    const result = await h.client.admin.createEnvironment({
      location: "europe",
      properties: { displayName: "Slow", environmentSku: "Sandbox" },
    });
    const polls = h.emulator.requests().filter((r) => r.path.includes("/lifecycleOperations/"));
    expect(polls.length).toBeGreaterThanOrEqual(2);
    // every poll but the last saw Running and was followed by one wait
    expect(h.waits).toHaveLength(polls.length - 1);
    expect(result.environmentId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("rides out a 429 storm, waiting the Retry-After each time", async () => {
    const h = await harness({ faults: { rate429: 1, retryAfterSeconds: 2 } });
    h.onWait = (n) => {
      if (n === 3) h.emulator.setFaults({});
    };
    await h.client.admin.listEnvironmentGroups();
    expect(paths(h.emulator)).toEqual([
      ...Array<string>(3).fill(`GET ${GROUPS_PATH} 429`),
      `GET ${GROUPS_PATH} 200`,
    ]);
    expect(h.waits).toEqual([2000, 2000, 2000]);
  });

  it("stops a 429 storm when the retry budget runs out", async () => {
    const h = await harness(
      { faults: { rate429: 1, retryAfterSeconds: 1 } },
      { retryBudget: 4, retry: { maxAttempts: 20 } },
    );
    const failure = await h.client.admin.listEnvironmentGroups().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TenantApiError);
    expect((failure as TenantApiError).message).toBe(
      `retry budget exhausted after 4 retries (last: 429 on GET ${GROUPS_PATH})`,
    );
    expect(paths(h.emulator)).toEqual(Array(5).fill(`GET ${GROUPS_PATH} 429`));
  });

  it("retries a 5xx once and succeeds", async () => {
    const h = await harness({ faults: { rate5xx: 1 } });
    h.onWait = () => h.emulator.setFaults({});
    await h.client.governance.listPolicySummaries();
    const statuses = h.emulator.requests().map((r) => r.status);
    expect(statuses).toHaveLength(2);
    expect([500, 503]).toContain(statuses[0]);
    expect(statuses[1]).toBe(200);
  });

  it("retries a connection dropped mid-response", async () => {
    // The emulator's fault PRNG is seeded: pick a seed whose first drop happens mid-response.
    const seed = Array.from({ length: 100 }, (_, s) => s).find((s) => {
      const random = seededRandom(s);
      random();
      return random() >= 0.5;
    });
    const h = await harness({ faults: { rateDrop: 1 }, faultSeed: seed ?? 0 });
    h.onWait = () => h.emulator.setFaults({});
    const groups = await h.client.admin.listEnvironmentGroups();
    expect(Array.isArray(groups)).toBe(true);
    // The emulator logged the status it started to send before cutting the connection.
    expect(paths(h.emulator)).toEqual([`GET ${GROUPS_PATH} 200`, `GET ${GROUPS_PATH} 200`]);
    expect(h.waits).toHaveLength(1);
  });

  it("reports a lifecycle operation that ends Failed", async () => {
    const h = await harness({ faults: { lifecycleFailRate: 1 } });
    const failure = await h.client.admin
      .createEnvironment({
        location: "europe",
        properties: { displayName: "Doomed", environmentSku: "Sandbox" },
      })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LifecycleFailedError);
    expect((failure as Error).message).toMatch(
      /^create environment "Doomed" failed at stage "\w+" \(lifecycle operation [0-9a-f-]+, type Create\)$/,
    );
    expect(h.emulator.requests()).toHaveLength(2);
  });

  it("times out a slow answer and retries it", async () => {
    const h = await harness({ faults: { latencyMs: 400 } }, { timeoutMs: 100 });
    h.onWait = () => h.emulator.setFaults({});
    await h.client.admin.listEnvironmentGroups();
    expect(h.emulator.requests()).toHaveLength(2);
    expect(h.waits).toHaveLength(1);
  });
});

describe("every client call against the sample tenant", () => {
  it("reads the whole tenant", async () => {
    const h = await harness({ seed: await loadSeedFile(sampleSeedPath) });
    const c = h.client;
    const environments = await c.admin.listEnvironments();
    expect(environments.map((e) => e.properties.displayName)).toContain("Contoso Production");
    const first = environments[0]!;
    expect((await c.admin.getEnvironment(first.name))?.name).toBe(first.name);
    expect(await c.admin.getEnvironment("00000000-0000-0000-0000-0000000000ff")).toBeUndefined();
    const groups = await c.admin.listEnvironmentGroups();
    expect(groups.map((g) => g.displayName)).toEqual(["Finance", "Sandboxes"]);
    expect((await c.admin.getEnvironmentGroup(groups[0]!.id))?.displayName).toBe("Finance");
    expect(Array.isArray(await c.admin.listEnvironmentsInGroup(groups[0]!.id))).toBe(true);
    expect((await c.admin.listLocations()).map((l) => l.name)).toContain("europe");
    expect((await c.admin.listCurrencies("europe")).length).toBeGreaterThan(0);
    expect((await c.admin.listLanguages("europe")).length).toBeGreaterThan(0);
    expect(typeof (await c.admin.listTenantSettings())).toBe("object");
    const policies = await c.governance.listPoliciesFull();
    expect(policies.map((p) => p.policyDefinition.displayName).sort()).toEqual([
      "Corporate baseline",
      "Developer Sandbox Policy",
      "Production - strict",
      "Security Team - Emergency Lockdown",
    ]);
    expect(policies.every((p) => p.policyDefinition.connectorGroups.length === 3)).toBe(true);
    expect((await c.governance.listUnblockableConnectors()).length).toBe(23);
    expect((await c.governance.listVirtualConnectors()).length).toBeGreaterThan(0);
    expect((await c.powerApps.listConnectors()).length).toBe(337);
    const billing = await c.licensing.listBillingPolicies();
    expect(billing).toHaveLength(2);
    expect(Array.isArray(await c.licensing.listBillingPolicyEnvironments(billing[0]!.id))).toBe(true);
    expect((await c.licensing.getTenantCapacity()).tenantCapacities.length).toBeGreaterThan(0);
    // The seed owns AppPass 50 with 30 allocated, MCSMessages 25000 with 10000 allocated (through V2).
    expect(
      await c.licensing.getAllocationAvailability("e7d97f45-cd23-58eb-a407-4abba5983e08", [
        "AppPass",
        "MCSMessages",
        "PortalViews",
      ]),
    ).toEqual({ AppPass: 20, MCSMessages: 15000, PortalViews: 0 });
    expect(
      await c.licensing.getEnvironmentAllocations("e7d97f45-cd23-58eb-a407-4abba5983e08"),
    ).toContainEqual({
      currencyType: "AppPass",
      allocated: 20,
    });
    const allocations = await c.licensing.getAllocationsForEnvironments(environments.map((e) => e.name));
    expect(allocations.size).toBe(environments.length);
    expect([...allocations.values()].filter((list) => list.length > 0)).toHaveLength(3);
    expect((await c.graph.listSubscribedSkus()).length).toBe(6);
    expect((await c.graph.getGroup("b7c3e2a1-4f5d-4e6a-8b9c-0d1e2f3a4b5c"))?.id).toBe(
      "b7c3e2a1-4f5d-4e6a-8b9c-0d1e2f3a4b5c",
    );
    expect(h.emulator.requests().every((r) => r.status < 500)).toBe(true);
  });

  it("writes through every mutating call", async () => {
    const h = await harness({ seed: await loadSeedFile(sampleSeedPath) });
    const c = h.client;
    const group = await c.admin.createEnvironmentGroup({
      displayName: "Test group",
      description: "made by the test",
    });
    expect(
      (await c.admin.updateEnvironmentGroup(group.id, { displayName: "Renamed", description: "" }))
        .displayName,
    ).toBe("Renamed");

    const created = await c.admin.createEnvironment({
      location: "europe",
      properties: {
        displayName: "Integration target",
        environmentSku: "Sandbox",
        parentEnvironmentGroup: { id: group.id },
      },
    });
    const id = created.environmentId!;
    await c.admin.updateEnvironment(id, {
      properties: { displayName: "Integration target 2", description: "d" },
    });
    await c.admin.modifySku(id, { environmentSku: "Production" });
    // In a group the settings call is refused (GovernanceConfigurationChangeBlockedByGroup); out of it, taken.
    await expect(
      c.admin.setGovernanceConfiguration(id, {
        protectionLevel: "Standard",
        settings: { extendedSettings: {} },
      }),
    ).rejects.toThrow(/GovernanceConfigurationChangeBlockedByGroup/);
    await c.admin.updateEnvironment(id, {
      properties: { parentEnvironmentGroup: { id: "00000000-0000-0000-0000-000000000000" } },
    });
    await c.admin.setGovernanceConfiguration(id, {
      protectionLevel: "Standard",
      settings: { extendedSettings: { solutionCheckerMode: "warn" } },
    });
    const env = await c.admin.getEnvironment(id);
    expect(env?.properties).toMatchObject({
      displayName: "Integration target 2",
      environmentSku: "Production",
    });
    expect(env?.properties.governanceConfiguration?.protectionLevel).toBe("Standard");

    const policy = await c.governance.createPolicy({
      policyDefinition: {
        displayName: "Test policy",
        defaultConnectorsClassification: "General",
        connectorGroups: [
          {
            classification: "Confidential",
            connectors: [
              {
                id: "/providers/Microsoft.PowerApps/apis/shared_sharepointonline",
                name: "shared_sharepointonline",
                type: "Microsoft.PowerApps/apis",
              },
            ],
          },
          { classification: "General", connectors: [] },
          { classification: "Blocked", connectors: [] },
        ],
        environmentType: "OnlyEnvironments",
        environments: [
          {
            id: `${ENVIRONMENTS_PATH}/${id}`,
            name: id,
            type: "Microsoft.BusinessAppPlatform/scopes/environments",
          },
        ],
      },
      customConnectorUrlPatternsDefinition: { rules: null },
    });
    const name = policy.policyDefinition.name;
    await c.governance.updatePolicy(name, {
      policyDefinition: { ...policy.policyDefinition, displayName: "Test policy 2" },
      customConnectorUrlPatternsDefinition: {
        rules: [{ order: 1, customConnectorRuleClassification: "Ignore", pattern: "*" }],
      },
    });
    expect((await c.governance.getPolicy(name))?.policyDefinition.displayName).toBe("Test policy 2");
    await c.governance.deletePolicy(name);
    expect(await c.governance.getPolicy(name)).toBeUndefined();

    const billing = await c.licensing.createBillingPolicy({
      location: "europe",
      name: "test-billing",
      status: "Enabled",
      billingInstrument: { resourceGroup: "rg", subscriptionId: "00000000-0000-0000-0000-00000000abcd" },
    });
    await c.licensing.addBillingPolicyEnvironments(billing.id, [id.toUpperCase()]);
    expect(await c.licensing.listBillingPolicyEnvironments(billing.id)).toEqual([id.toLowerCase()]);
    await c.licensing.removeBillingPolicyEnvironments(billing.id, [id]);
    expect(
      (await c.licensing.updateBillingPolicy(billing.id, { name: "renamed-billing", status: "Disabled" }))
        .status,
    ).toBe("Disabled");
    await c.licensing.deleteBillingPolicy(billing.id);

    expect(await c.licensing.getEnvironmentAllocations(id)).toEqual([]);
    expect(
      await c.licensing.setEnvironmentAllocations(id, [{ currencyType: "AppPass", allocated: 5 }]),
    ).toEqual([{ currencyType: "AppPass", allocated: 5 }]);
    const overPool = await c.licensing
      .setEnvironmentAllocations(id, [{ currencyType: "AppPass", allocated: 500 }])
      .catch((e: unknown) => e);
    expect(overPool).toBeInstanceOf(TenantApiError);
    expect((overPool as TenantApiError).status).toBe(400);

    await c.graph.assignLicense("b7c3e2a1-4f5d-4e6a-8b9c-0d1e2f3a4b5c", {
      addLicenses: [],
      removeLicenses: [],
    });

    await c.admin.updateEnvironment(id, {
      properties: { parentEnvironmentGroup: { id: "00000000-0000-0000-0000-000000000000" } },
    });
    await c.admin.deleteEnvironment(id);
    expect(await c.admin.getEnvironment(id)).toBeUndefined();
    await c.admin.deleteEnvironmentGroup(group.id);
    expect(await c.admin.getEnvironmentGroup(group.id)).toBeUndefined();
  });
});

describe("a realistic fault mix", () => {
  async function readTenant(c: TenantClient): Promise<unknown> {
    const environments = await c.admin.listEnvironments();
    return {
      environments: environments.map((e) => e.name),
      groups: (await c.admin.listEnvironmentGroups()).map((g) => g.id),
      policies: (await c.governance.listPoliciesFull()).map((p) => p.policyDefinition),
      connectors: (await c.powerApps.listConnectors()).length,
      billing: (await c.licensing.listBillingPolicies()).map((b) => b.id),
      allocations: [...(await c.licensing.getAllocationsForEnvironments(environments.map((e) => e.name)))],
      free: await c.licensing.getAllocationAvailability(environments[0]!.name, ["AppPass", "AI"]),
      skus: (await c.graph.listSubscribedSkus()).map((s) => s.skuId),
    };
  }

  it("reads the same tenant through throttling, 5xx and dropped connections, one extra request per retry", async () => {
    const seed = await loadSeedFile(sampleSeedPath);
    const calm = await harness({ seed, pageSize: 50 });
    const expected = await readTenant(calm.client);
    const calmRequests = calm.emulator.requests().length;

    const stormy = await harness(
      {
        seed,
        pageSize: 50,
        faultSeed: 7,
        faults: { rate429: 0.1, retryAfterSeconds: 1, rate5xx: 0.05, rateDrop: 0.03 },
      },
      { retryBudget: 200, retry: { maxAttempts: 10 } },
    );
    expect(await readTenant(stormy.client)).toEqual(expected);
    const retries = stormy.client.http.budget.spent;
    expect(retries).toBeGreaterThan(0);
    expect(stormy.emulator.requests()).toHaveLength(calmRequests + retries);
    expect(stormy.waits).toHaveLength(retries);
  });
});
