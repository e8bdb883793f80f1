import { afterEach, describe, expect, it } from "vitest";
import { createTenantClient, type TenantClient } from "../../src/adapters/tenant/index.js";
import { InventoryApi } from "../../src/adapters/tenant/inventory-api.js";
import { createNodeTransport } from "../../src/adapters/tenant/node-transport.js";
import type { Transport } from "../../src/adapters/tenant/transport.js";
import { SecretRegistry } from "../../src/adapters/log/secrets.js";
import { generateInventory } from "../../src/emulator/routes/inventory-seed.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import type { JsonObject } from "../../src/emulator/types.js";
import { captureLogger } from "./fake-fetch.js";

/**
 * Admin flow and app listings are reported to answer with next links on regional hosts
 * (`emea.api.flow.microsoft.com:11777`, `emea.api.powerapps.com`). These tests run the real client with
 * the public cloud's hosts (no PPGOV_ENDPOINT, so the host checks apply) over HTTP: a transport sends
 * every host to the emulator, naming the host the client asked for in the Host header, and the emulator
 * hands out regional next links.
 */
const ENV = "11111111-1111-4111-8111-111111111111";
const TENANT = "33333333-3333-4333-8333-333333333333";
const FLOW_REGION = "https://emea.api.flow.microsoft.com:11777";
const APPS_REGION = "https://emea.api.powerapps.com";

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

/** Every request to the emulator, whatever host it names; the host goes in the Host header. */
function toEmulator(emulator: RunningEmulator): Transport {
  const node = createNodeTransport();
  return (request) =>
    node({
      ...request,
      url: new URL(`${emulator.url}${request.url.pathname}${request.url.search}`),
      headers: { ...request.headers, Host: request.url.host },
    });
}

async function start(nextLinkOrigins: Record<string, string>): Promise<{
  emulator: RunningEmulator;
  client: TenantClient;
}> {
  const inventory = generateInventory({
    environmentIds: [ENV],
    appsPerEnvironment: 5,
    flowsPerEnvironment: 5,
    connectors: [{ name: "shared_sql", displayName: "SQL Server" }],
    tenantId: TENANT,
  });
  const environment: JsonObject = {
    id: `/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${ENV}`,
    name: ENV,
    location: "europe",
    properties: { displayName: "Regional", tenantId: TENANT, environmentSku: "Sandbox" },
  };
  const emulator = await startEmulator({
    seed: { environments: [environment] as never, apps: inventory.apps, flows: inventory.flows },
    pageSize: 2,
    nextLinkOrigins,
  });
  running.push(emulator);
  const secrets = new SecretRegistry();
  const client = createTenantClient({
    env: { PPGOV_TOKEN: "ppgov-dev" },
    cloud: "public",
    logger: captureLogger(secrets).logger,
    secrets,
    transport: toEmulator(emulator),
  });
  return { emulator, client };
}

describe("next links on regional hosts", () => {
  it("follows admin flow and app listings onto emea hosts of the same service, with the same token", async () => {
    const { emulator, client } = await start({ flow: FLOW_REGION, powerapps: APPS_REGION });
    const inventory = await new InventoryApi(client.http).read([ENV], { concurrency: 2, budgetMs: 60_000 });
    expect(inventory.items.filter((item) => item.kind === "app")).toHaveLength(5);
    expect(inventory.items.filter((item) => item.kind === "flow")).toHaveLength(5);
    const hosts = (path: string): string[] =>
      emulator
        .requests()
        .filter((request) => request.path.startsWith(path))
        .map((request) => request.host);
    // 5 items, 2 a page: the first page on the global host, the next two on the regional one.
    expect(hosts(`/providers/Microsoft.ProcessSimple/scopes/admin/environments/${ENV}/v2/flows`)).toEqual([
      "api.flow.microsoft.com",
      "emea.api.flow.microsoft.com:11777",
      "emea.api.flow.microsoft.com:11777",
    ]);
    expect(hosts(`/providers/Microsoft.PowerApps/scopes/admin/environments/${ENV}/apps`)).toEqual([
      "api.powerapps.com",
      "emea.api.powerapps.com",
      "emea.api.powerapps.com",
    ]);
  });

  it("refuses a next link on a foreign host, and a Flow path on a PowerApps host, sending nothing there", async () => {
    for (const [origin, expected] of [
      [
        "https://emea.api.flow.microsoft.com.evil.example",
        /is not one of this cloud's Power Platform or Graph hosts/,
      ],
      [
        "https://emea.api.powerapps.com",
        /serves the powerapps token audience, not the flow one its path needs/,
      ],
      ["http://emea.api.flow.microsoft.com", /is not one of this cloud's/],
    ] as const) {
      const { emulator, client } = await start({ flow: origin, powerapps: APPS_REGION });
      // The inventory read names the environment it could not finish and why, instead of failing.
      const inventory = await new InventoryApi(client.http).read([ENV], { concurrency: 1, budgetMs: 60_000 });
      expect(inventory.environmentsRead, origin).toEqual([]);
      const [notRead] = inventory.environmentsNotRead;
      expect(notRead?.environmentId).toBe(ENV);
      expect(notRead?.reason).toMatch(/refusing to send a token there/);
      expect(notRead?.reason).toMatch(expected);
      // The flow listing was sent once, to the global host; nothing followed its link.
      const flowHosts = emulator
        .requests()
        .filter((request) => request.path.includes("/Microsoft.ProcessSimple/"))
        .map((request) => request.host);
      expect(flowHosts).toEqual(["api.flow.microsoft.com"]);
    }
  });
});
