import { afterEach, describe, expect, it } from "vitest";
import { connectorsOf, InventoryApi } from "../../src/adapters/tenant/inventory-api.js";
import { generateInventory } from "../../src/emulator/routes/inventory-seed.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import type { JsonObject } from "../../src/emulator/types.js";
import { clientForEmulator, testClient } from "../tenant/fake-fetch.js";

const BIG = "11111111-1111-4111-8111-111111111111";
const SMALL = "22222222-2222-4222-8222-222222222222";
const TENANT = "33333333-3333-4333-8333-333333333333";
const CONNECTORS = [
  { name: "shared_sql", displayName: "SQL Server" },
  { name: "shared_twitter", displayName: "X" },
  { name: "shared_office365", displayName: "Office 365 Outlook" },
];

function environment(id: string, displayName: string): JsonObject {
  return {
    id: `/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${id}`,
    name: id,
    type: "Microsoft.BusinessAppPlatform/scopes/environments",
    location: "europe",
    properties: { displayName, tenantId: TENANT, environmentSku: "Sandbox" },
  };
}

describe("InventoryApi against the emulator", () => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  async function start(appsInBig: number, latencyMs = 0) {
    const big = generateInventory({
      environmentIds: [BIG],
      appsPerEnvironment: appsInBig,
      flowsPerEnvironment: 30,
      connectors: CONNECTORS,
      tenantId: TENANT,
    });
    const small = generateInventory({
      environmentIds: [SMALL],
      appsPerEnvironment: 5,
      flowsPerEnvironment: 5,
      connectors: CONNECTORS,
      tenantId: TENANT,
      seed: 7,
    });
    emulator = await startEmulator({
      seed: {
        environments: [environment(BIG, "Big"), environment(SMALL, "Small")] as never,
        apps: { ...big.apps, ...small.apps },
        flows: { ...big.flows, ...small.flows },
      },
      pageSize: 250,
      faults: { latencyMs },
    });
    const client = clientForEmulator(emulator.url);
    return { api: new InventoryApi(client.http), big, small };
  }

  it("follows every nextLink past 2,000 apps and reads each flow's connection references", async () => {
    const { api, big } = await start(2_100);
    const inventory = await api.read([BIG, SMALL], { concurrency: 4, budgetMs: 60_000 });
    expect(inventory.environmentsNotRead).toEqual([]);
    expect(inventory.environmentsRead).toEqual([BIG, SMALL]);
    const apps = inventory.items.filter((item) => item.kind === "app" && item.environmentId === BIG);
    expect(apps).toHaveLength(2_100);
    const flows = inventory.items.filter((item) => item.kind === "flow" && item.environmentId === BIG);
    expect(flows).toHaveLength(30);
    // Connectors come from the flow's own GET: the v2 list carries none.
    const firstFlow = (big.flows[BIG] ?? [])[0] as JsonObject;
    const expected = connectorsOf((firstFlow.properties as JsonObject).connectionReferences as never);
    expect(expected.length).toBeGreaterThan(0);
    expect(flows.find((item) => item.id === firstFlow.name)?.connectors).toEqual(expected);
    const requests = (await (await fetch(`${emulator?.url}/_emulator/requests`)).json()) as {
      path: string;
    }[];
    expect(requests.filter((request) => /\/apps(\?|$)/i.test(request.path))).toHaveLength(10);
    expect(requests.filter((request) => /\/flows\/[^/?]+(\?|$)/i.test(request.path))).toHaveLength(35);
  });

  it("stops at the time budget and names the environments it did not finish", async () => {
    const { api } = await start(600, 40);
    const inventory = await api.read([BIG, SMALL], { concurrency: 2, budgetMs: 60 });
    expect(inventory.environmentsNotRead.map((entry) => entry.environmentId)).toContain(BIG);
    expect(inventory.environmentsNotRead[0]?.reason).toMatch(/time budget of 0\.1 s spent/);
  });

  it("an unknown environment is reported, not thrown", async () => {
    const { api } = await start(1);
    const inventory = await api.read(["44444444-4444-4444-8444-444444444444"], {
      concurrency: 1,
      budgetMs: 10_000,
    });
    expect(inventory.environmentsRead).toEqual([]);
    expect(inventory.environmentsNotRead[0]?.reason).toMatch(/404|could not be found/);
  });

  it("connectorsOf reads the api id's last segment, lower-cased and de-duplicated", () => {
    expect(
      connectorsOf({
        a: { id: "/providers/Microsoft.PowerApps/apis/shared_SQL" },
        b: { id: "/providers/microsoft.powerapps/apis/shared_sql" },
        c: { apiName: "shared_teams" },
        d: {},
      }),
    ).toEqual(["shared_sql", "shared_teams"]);
  });

  it("names the endpoint and the unexpected shape when a flow listing is not what it expects (its body is unverified)", async () => {
    const env = "55555555-5555-4555-8555-555555555555";
    const t = testClient([
      {
        method: "GET",
        path: `/providers/Microsoft.PowerApps/scopes/admin/environments/${env}/apps`,
        replies: [{ status: 200, body: { value: [] } }],
      },
      {
        method: "GET",
        path: `/providers/Microsoft.ProcessSimple/scopes/admin/environments/${env}/v2/flows`,
        replies: [{ status: 200, body: { value: [{ id: "f1", properties: { displayName: "No name" } }] } }],
      },
    ]);
    const inventory = await new InventoryApi(t.client.http).read([env], { concurrency: 1, budgetMs: 10_000 });
    expect(inventory.environmentsRead).toEqual([]);
    expect(inventory.environmentsNotRead[0]?.reason).toContain(
      "unexpected response from GET /providers/Microsoft.ProcessSimple/scopes/admin/environments/{environment}/v2/flows: value[0].name is missing",
    );
  });
});
