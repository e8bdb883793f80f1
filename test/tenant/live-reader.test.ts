import { afterEach, describe, expect, it } from "vitest";
import { readLiveTenant } from "../../src/adapters/tenant/live-reader.js";
import type { LiveCollection } from "../../src/core/plan/index.js";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { testClient, clientForEmulator } from "./fake-fetch.js";

const ALL: LiveCollection[] = [
  "environments",
  "environmentGroups",
  "environmentGroupRuleSets",
  "dlpPolicies",
  "connectors",
  "unblockableConnectorIds",
  "virtualConnectors",
  "billingPolicies",
  "allocations",
  "subscribedSkus",
  "licenseGroups",
];

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

async function emulatorClient() {
  const emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath) });
  running.push(emulator);
  const client = clientForEmulator(emulator.url);
  return { emulator, client };
}

describe("readLiveTenant", () => {
  it("reads every collection of the sample tenant", async () => {
    const { client } = await emulatorClient();
    const live = await readLiveTenant(client, {
      collections: ALL,
      licenseGroupIds: ["b7c3e2a1-4f5d-4e6a-8b9c-0d1e2f3a4b5c", "00000000-0000-0000-0000-00000000dead"],
      allLicensedGroups: false,
    });
    expect(live.environments).toHaveLength(13);
    expect(live.environmentGroups).toHaveLength(2);
    expect(live.tenantId).toMatch(/^[0-9a-f-]{36}$/);
    const groupIds = live.environmentGroups.map((g) => g.id);
    for (const [groupId, ruleSet] of Object.entries(live.environmentGroupRuleSets ?? {})) {
      expect(groupIds).toContain(groupId);
      expect(Array.isArray(ruleSet.parameters)).toBe(true);
    }
    expect(live.dlpPolicies).toHaveLength(4);
    expect(live.connectors).toHaveLength(337);
    expect(live.unblockableConnectorIds).toHaveLength(23);
    expect(live.virtualConnectors.length).toBeGreaterThan(0);
    expect(live.billingPolicies).toHaveLength(2);
    expect(live.billingPolicies.every((b) => Array.isArray(b.environmentIds))).toBe(true);
    expect(Object.keys(live.allocations)).toHaveLength(3);
    // The lab's Copilot credits are allocationsV2's: this API shows only its sessions.
    expect(
      Object.values(live.allocations)
        .flat()
        .map((a) => a.currencyType),
    ).not.toContain("MCSMessages");
    expect(live.subscribedSkus).toHaveLength(6);
    expect(live.licenseGroups.map((g) => g.id)).toEqual(["b7c3e2a1-4f5d-4e6a-8b9c-0d1e2f3a4b5c"]);
    for (const count of Object.values(live.licenseGroupMemberCounts ?? {}))
      expect(Number.isInteger(count)).toBe(true);
  });

  it("reads only what the plan needs", async () => {
    const { client, emulator } = await emulatorClient();
    const live = await readLiveTenant(client, {
      collections: ["environments"],
      licenseGroupIds: [],
      allLicensedGroups: false,
    });
    expect(live.environments).toHaveLength(13);
    expect(live.dlpPolicies).toEqual([]);
    expect(emulator.requests().map((r) => r.path.split("?")[0])).toEqual([
      "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments",
    ]);
  });

  it("reads rule sets from the tenant host and licensed groups with their member counts", async () => {
    const tenantId = "00000000-0000-0000-0000-000000000001";
    const skuId = "c7df2760-2c81-4ef7-b578-5b5392b571df";
    const group = { id: "g1", displayName: "Sales", assignedLicenses: [{ skuId, disabledPlans: [] }] };
    const ruleSet = {
      id: "rs1",
      parameters: [{ type: "Sharing", value: [{ id: "MaximumShareLimit", value: "10" }] }],
    };
    const t = testClient([
      {
        method: "GET",
        path: "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments",
        replies: [{ status: 200, body: { value: [] } }],
      },
      {
        method: "GET",
        path: "/providers/Microsoft.BusinessAppPlatform/environmentGroups",
        replies: [
          {
            status: 200,
            body: {
              value: [
                { id: "eg1", displayName: "A" },
                { id: "eg2", displayName: "B" },
              ],
            },
          },
        ],
      },
      {
        method: "GET",
        path: "/governance/environmentGroups/eg1/ruleSets",
        replies: [{ status: 200, body: { value: [ruleSet] } }],
      },
      { method: "GET", path: "/governance/environmentGroups/eg2/ruleSets", replies: [{ status: 204 }] },
      { method: "GET", path: "/v1.0/groups", replies: [{ status: 200, body: { value: [group] } }] },
      {
        method: "GET",
        path: "/v1.0/groups/g2",
        replies: [{ status: 200, body: { id: "g2", assignedLicenses: [] } }],
      },
      {
        method: "GET",
        path: "/v1.0/groups/g1/members/$count",
        replies: [{ status: 200, raw: "42", headers: { "content-type": "text/plain" } }],
      },
      {
        method: "GET",
        path: "/v1.0/groups/g2/members/$count",
        replies: [{ status: 404, body: { error: { code: "Request_ResourceNotFound" } } }],
      },
    ]);
    const live = await readLiveTenant(
      t.client,
      {
        collections: ["environments", "environmentGroupRuleSets", "licenseGroups"],
        licenseGroupIds: ["g1", "g2"],
        allLicensedGroups: true,
      },
      { tenantId },
    );
    expect(live.environmentGroupRuleSets).toEqual({ eg1: ruleSet });
    expect(live.licenseGroups.map((g) => g.id)).toEqual(["g1", "g2"]);
    expect(live.licenseGroupMemberCounts).toEqual({ g1: 42 });
    expect(t.fake.unusedReplies()).toEqual([]);
    const ruleSetRequest = t.fake.requests.find((r) => r.url.pathname.endsWith("/eg1/ruleSets"))!;
    expect(ruleSetRequest.url.host).toBe("000000000000000000000000000000.01.tenant.api.powerplatform.com");
    expect(ruleSetRequest.headers.get("authorization")).toBe("Bearer tok-0-api.powerplatform.com");
    const groupsRequest = t.fake.requests.find((r) => r.url.pathname === "/v1.0/groups")!;
    // Graph's "List groups" documents this query (Example 7), a default query: no ConsistencyLevel, so
    // not eventually consistent.
    expect(groupsRequest.headers.get("consistencylevel")).toBeNull();
    expect(groupsRequest.url.searchParams.get("$filter")).toBe("assignedLicenses/any()");
    // Graph's largest page of groups: a tenant of 2,000 licensed groups is 3 pages, not 20.
    expect(groupsRequest.url.searchParams.get("$top")).toBe("999");
  });
});

describe("readLiveTenant's member counts", () => {
  const ALL_EMPLOYEES = "b7c3e2a1-4f5d-4e6a-8b9c-0d1e2f3a4b5c";
  const MAKERS = "9a7c3e51-2b4d-4f86-b0e9-6d1c8a2f4b73";
  const FINANCE = "d9e5a4c3-6b7f-4a8c-8d1e-2f3a4b5c6d7e";
  const EXECUTIVES = "e0f6b5d4-7c8a-4b9d-9e2f-3a4b5c6d7e8f";

  it("are read only for the groups that gain a SKU, by part number or id", async () => {
    const { client, emulator } = await emulatorClient();
    const live = await readLiveTenant(client, {
      collections: ["environments", "subscribedSkus", "licenseGroups"],
      licenseGroupIds: [ALL_EMPLOYEES, MAKERS, FINANCE, EXECUTIVES],
      allLicensedGroups: false,
      licenseGroupSkus: [
        // Holds E3 already (by id, upper case): nothing gained.
        { group: ALL_EMPLOYEES, skus: ["6FD2C87F-B296-42F0-B197-1E91E994B900"] },
        // Holds both, named by part number in any case: nothing gained.
        { group: MAKERS, skus: ["POWERAPPS_PER_USER", "flow_per_user"] },
        // Holds Power BI; a SKU the tenant does not have counts as gained.
        { group: FINANCE, skus: ["POWER_BI_PRO", "NOT_A_SKU"] },
        // Holds nothing.
        { group: EXECUTIVES, skus: ["POWER_BI_PRO"] },
      ],
    });
    expect(live.licenseGroups).toHaveLength(4);
    expect(live.licenseGroupMemberCounts).toEqual({ [FINANCE]: 12, [EXECUTIVES]: 8 });
    const counted = emulator
      .requests()
      .map((request) => request.path.split("?")[0] ?? "")
      .filter((path) => path.endsWith("/members/$count"))
      .sort();
    expect(counted).toEqual(
      [`/v1.0/groups/${FINANCE}/members/$count`, `/v1.0/groups/${EXECUTIVES}/members/$count`].sort(),
    );
  });

  it("are not read for groups the policies do not name (pruned) or remove licenses from", async () => {
    const { client, emulator } = await emulatorClient();
    const live = await readLiveTenant(client, {
      collections: ["environments", "subscribedSkus", "licenseGroups"],
      licenseGroupIds: [],
      allLicensedGroups: true,
      licenseGroupSkus: [],
    });
    expect(live.licenseGroups.length).toBeGreaterThan(0);
    expect(live.licenseGroupMemberCounts).toBeUndefined();
    expect(emulator.requests().filter((request) => request.path.includes("/members/$count"))).toEqual([]);
  });

  it("are not read at all with memberCounts: false (export)", async () => {
    const { client, emulator } = await emulatorClient();
    await readLiveTenant(
      client,
      {
        collections: ["environments", "subscribedSkus", "licenseGroups"],
        licenseGroupIds: [EXECUTIVES],
        allLicensedGroups: false,
        licenseGroupSkus: [{ group: EXECUTIVES, skus: ["POWER_BI_PRO"] }],
      },
      { memberCounts: false },
    );
    expect(emulator.requests().filter((request) => request.path.includes("/members/$count"))).toEqual([]);
  });
});

describe("readLiveTenant with license pruning", () => {
  it("lists every licensed group with the documented Graph query and counts members", async () => {
    const { client, emulator } = await emulatorClient();
    const live = await readLiveTenant(client, {
      collections: ["environments", "licenseGroups"],
      licenseGroupIds: [],
      allLicensedGroups: true,
    });
    expect(live.licenseGroups.length).toBeGreaterThan(0);
    expect(live.licenseGroups.every((g) => g.assignedLicenses.length > 0)).toBe(true);
    expect(Object.keys(live.licenseGroupMemberCounts ?? {}).sort()).toEqual(
      live.licenseGroups.map((g) => g.id).sort(),
    );
    const paths = emulator.requests().map((r) => r.path.split("?")[0]);
    expect(paths.filter((p) => p === "/v1.0/groups")).toHaveLength(1);
    expect(paths.filter((p) => p?.endsWith("/members/$count"))).toHaveLength(live.licenseGroups.length);
  });
});
