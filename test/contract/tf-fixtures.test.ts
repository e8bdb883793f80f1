import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InventoryApi } from "../../src/adapters/tenant/inventory-api.js";
import { TF_FIXTURES, tfFixture } from "../helpers/tf-fixtures.js";
import { testClient } from "../tenant/fake-fetch.js";

/**
 * The Terraform provider's recorded responses kept in test/contract/fixtures/tf-provider: every file is
 * named in the README (origin and what it answers), and the admin app listing, which only impact
 * analysis reads, goes through the inventory reader the plan uses.
 */
const APPS = "powerapps/Validate_Read/get_apps_00000000-0000-0000-0000-000000000001.json";
const ENV = "00000000-0000-0000-0000-000000000001";

describe("the Terraform provider's recorded responses", () => {
  it("are each named in the README's tables", () => {
    const files = readdirSync(TF_FIXTURES, { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith(".json"))
      .sort();
    expect(files.length).toBeGreaterThan(60);
    const readme = readFileSync(`${TF_FIXTURES}README.md`, "utf8");
    expect(files.filter((file) => !readme.includes(`\`${file}\``))).toEqual([]);
  });

  it("the README gives the provider's licence as its LICENSE file does (MIT)", () => {
    const readme = readFileSync(`${TF_FIXTURES}README.md`, "utf8");
    expect(readme).toContain("MIT licence");
    expect(readme).not.toMatch(/MPL/);
  });

  it("reads the recorded admin app listing as impact analysis does: each app, its owner, no connectors", async () => {
    const t = testClient([
      {
        method: "GET",
        path: `/providers/Microsoft.PowerApps/scopes/admin/environments/${ENV}/apps`,
        replies: [{ status: 200, body: tfFixture(APPS) }],
      },
      // Flows have no recording (docs/emulator.md, "Unverified"): an empty listing.
      {
        method: "GET",
        path: `/providers/Microsoft.ProcessSimple/scopes/admin/environments/${ENV}/v2/flows`,
        replies: [{ status: 200, body: { value: [] } }],
      },
    ]);
    const inventory = await new InventoryApi(t.client.http).read([ENV], { concurrency: 1, budgetMs: 60_000 });
    expect(inventory.environmentsNotRead).toEqual([]);
    expect(inventory.environmentsRead).toEqual([ENV]);
    expect(inventory.items).toEqual([
      { kind: "app", id: ENV, displayName: "Overview", environmentId: ENV, connectors: [], owner: "admin" },
      {
        kind: "app",
        id: "123",
        displayName: "Dataverse Actions Page",
        environmentId: ENV,
        connectors: [],
        owner: "admin",
      },
    ]);
    const request = t.fake.requests.find((r) => r.url.pathname.endsWith("/apps"))!;
    expect(request.url.host).toBe("api.powerapps.com");
  });
});
