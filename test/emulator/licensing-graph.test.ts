import { describe, expect, it } from "vitest";
import { BAP, call, emulatorSuite, type CallResult } from "./helpers.js";

const suite = emulatorSuite();

interface BillingPolicy {
  id: string;
  name: string;
  status: string;
  billingInstrument: { id: string };
}
const envNamed = (name: string) =>
  suite.sample().environments!.find((env) => env.properties.displayName === name)!.name;

describe("billing policies", () => {
  it("creates (201, transient Provisioning), lists, renames (PUT 200) and deletes (204), path case-insensitive", async () => {
    const emulator = await suite.start({ seed: suite.sample(), lifecycleDelayMs: 100 });
    const created = await call<BillingPolicy>(
      emulator,
      "POST",
      "/licensing/BillingPolicies?api-version=2022-03-01-preview",
      {
        body: {
          location: "europe",
          name: "payg-new",
          status: "Enabled",
          billingInstrument: { resourceGroup: "rg", subscriptionId: "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b" },
        },
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.status).toBe("Provisioning");
    expect(created.body.billingInstrument.id).toBe(
      "/subscriptions/9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b/resourceGroups/rg/providers/Microsoft.PowerPlatform/accounts/payg-new",
    );
    await new Promise((resolve) => setTimeout(resolve, 120));
    const read = await call<BillingPolicy>(
      emulator,
      "GET",
      `/licensing/billingPolicies/${created.body.id}?api-version=2022-03-01-preview`,
    );
    expect(read.body.status).toBe("Enabled");
    const list = await call<{ value: BillingPolicy[] }>(emulator, "GET", "/licensing/billingPolicies");
    expect(list.body.value.map((p) => p.name).sort()).toEqual([
      "Contoso pay-as-you-go",
      "contoso-payg-europe",
      "payg-new",
    ]);
    const renamed = await call<BillingPolicy>(
      emulator,
      "PUT",
      `/licensing/billingPolicies/${created.body.id}`,
      {
        body: { name: "payg-renamed", status: "Disabled" },
      },
    );
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: "payg-renamed", status: "Disabled" });
    expect((await call(emulator, "DELETE", `/licensing/BillingPolicies/${created.body.id}`)).status).toBe(
      204,
    );
    const gone = await call(emulator, "GET", `/licensing/billingPolicies/${created.body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({
      error: {
        code: "BillingPolicyNotFound",
        message: `The billing policy '${created.body.id}' could not be found.`,
      },
    });
  });

  it("links and unlinks environments with lower-case ids", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const policy = suite.sample().billingPolicies!.find((p) => p.name === "Contoso pay-as-you-go")!;
    const base = `/licensing/billingPolicies/${policy.id}/environments`;
    const before = await call<{ value: { environmentId: string }[] }>(emulator, "GET", base);
    expect(before.body.value).toHaveLength(1);
    const serviceDesk = envNamed("IT Service Desk");
    expect(
      (await call(emulator, "POST", `${base}/add`, { body: { environmentIds: [serviceDesk.toUpperCase()] } }))
        .status,
    ).toBe(200);
    const after = await call<{ value: { billingPolicyId: string; environmentId: string }[] }>(
      emulator,
      "GET",
      base,
    );
    expect(after.body.value).toContainEqual({
      billingPolicyId: policy.id,
      environmentId: serviceDesk.toLowerCase(),
    });
    const env = await call<{ properties: { billingPolicy?: { id: string } } }>(
      emulator,
      "GET",
      `${BAP}/scopes/admin/environments/${serviceDesk}?$expand=properties/billingPolicy`,
    );
    expect(env.body.properties.billingPolicy?.id).toBe(policy.id);
    await call(emulator, "POST", `${base}/remove`, { body: { environmentIds: [serviceDesk] } });
    expect((await call<{ value: unknown[] }>(emulator, "GET", base)).body.value).toHaveLength(1);
  });
});

describe("currency allocations", () => {
  it("reads allocations, and 404 EnvironmentAllocationNotFound when none were made", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const prod = envNamed("Contoso Production");
    const read = await call(
      emulator,
      "GET",
      `/licensing/environments/${prod}/allocations?api-version=2022-03-01-preview`,
    );
    expect(read.body).toEqual({
      environmentId: prod.toLowerCase(),
      currencyAllocations: [
        { currencyType: "AppPass", allocated: 20 },
        { currencyType: "PowerAutomatePerProcess", allocated: 4 },
      ],
    });
    const none = await call(
      emulator,
      "GET",
      `/licensing/environments/${envNamed("Legacy Apps")}/allocations`,
    );
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({ status: 404, error: { code: "EnvironmentAllocationNotFound" } });
  });

  it("allocates within the pool and refuses allocation beyond it", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const legacy = envNamed("Legacy Apps");
    const path = `/licensing/environments/${legacy}/allocations?api-version=2022-03-01-preview`;
    // Pool AppPass 50; Contoso Production 20 + Finance Production 10 → 20 left.
    const ok = await call(emulator, "PATCH", path, {
      body: { currencyAllocations: [{ currencyType: "AppPass", allocated: 20 }] },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      environmentId: legacy.toLowerCase(),
      currencyAllocations: [{ currencyType: "AppPass", allocated: 20 }],
    });
    const over = await call(emulator, "PATCH", path, {
      body: { currencyAllocations: [{ currencyType: "AppPass", allocated: 21 }] },
    });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ error: { code: "InsufficientCurrencyCapacity" } });
    const unknownType = await call(emulator, "PATCH", path, {
      body: { currencyAllocations: [{ currencyType: "Gold", allocated: 1 }] },
    });
    expect(unknownType.status).toBe(400);
    // Copilot credits go through allocationsV2, not this API (Learn: Put Allocations V2).
    const credits = await call(emulator, "PATCH", path, {
      body: { currencyAllocations: [{ currencyType: "MCSMessages", allocated: 1 }] },
    });
    expect(credits.status).toBe(400);
    const url = (filter: string) =>
      `/licensing/allocationsV2/availability?api-version=2024-10-01&$filter=${encodeURIComponent(filter)}`;
    const availability = await call(
      emulator,
      "GET",
      url(`environmentId eq '${legacy}' and EntitlementId in ('AppPass','MCSMessages')`),
    );
    expect(availability.status).toBe(200);
    // Learn's AllocationAvailabilityResponseModel; AppPass all allocated now, credits 25000 less 10000.
    expect(availability.body).toEqual({
      entitlementAllocationsAvailable: [
        { entitlementId: "AppPass", availableQuantity: 0 },
        { entitlementId: "MCSMessages", availableQuantity: 15000 },
      ],
      scope: { environmentId: legacy.toLowerCase() },
    });
  });

  it.each([
    ["no filter", "/licensing/allocationsV2/availability?api-version=2024-10-01"],
    [
      "an entitlement filter without an environment",
      `/licensing/allocationsV2/availability?api-version=2024-10-01&$filter=${encodeURIComponent("EntitlementId in ('AppPass')")}`,
    ],
  ])("answers 400 to the availability report with %s, as the service is reported to", async (_what, path) => {
    const emulator = await suite.start({ seed: suite.sample() });
    const answer = await call(emulator, "GET", path);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: { code: "InvalidFilter", message: "Invalid filter options." },
    });
  });

  it("serves tenant capacity in the recorded shape", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const capacity = await call<{ tenantId: string; tenantCapacities: { capacityType: string }[] }>(
      emulator,
      "GET",
      "/licensing/tenantCapacity?api-version=2022-03-01-preview",
    );
    expect(capacity.body.tenantId).toBe(suite.sample().tenantId);
    expect(capacity.body.tenantCapacities.map((c) => c.capacityType)).toEqual(
      expect.arrayContaining(["Database", "File", "Log"]),
    );
  });
});

describe("Microsoft Graph", () => {
  it("pages subscribedSkus with @odata.nextLink", async () => {
    const emulator = await suite.start({ seed: suite.sample(), pageSize: 4 });
    const first = await call<{ value: { skuPartNumber: string }[]; "@odata.nextLink"?: string }>(
      emulator,
      "GET",
      "/v1.0/subscribedSkus",
    );
    expect(first.body.value).toHaveLength(4);
    const second = await call<{ value: { skuPartNumber: string }[]; "@odata.nextLink"?: string }>(
      emulator,
      "GET",
      first.body["@odata.nextLink"]!,
    );
    expect([...first.body.value, ...second.body.value].map((s) => s.skuPartNumber)).toContain(
      "POWERAPPS_PER_USER",
    );
    expect(second.body["@odata.nextLink"]).toBeUndefined();
  });

  it("reads a group with $select and assigns licenses (202 + group + location)", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const group = suite.sample().groups!.find((g) => g.displayName === "Executives")!;
    const selected = await call(emulator, "GET", `/v1.0/groups/${group.id}?$select=id,assignedLicenses`);
    expect(selected.body).toEqual({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups/$entity",
      id: group.id,
      assignedLicenses: [],
    });
    const e5 = suite.sample().subscribedSkus!.find((s) => s.skuPartNumber === "ENTERPRISEPREMIUM")!;
    const assigned = await call<{ assignedLicenses: unknown[] }>(
      emulator,
      "POST",
      `/v1.0/groups/${group.id}/assignLicense`,
      {
        body: {
          addLicenses: [{ skuId: e5.skuId, disabledPlans: ["57ff2da0-773e-42df-b2af-ffb7a2317929"] }],
          removeLicenses: [],
        },
      },
    );
    expect(assigned.status).toBe(202);
    expect(assigned.headers.get("location")).toBe(`${emulator.url}/v1.0/groups/${group.id}`);
    expect(assigned.body.assignedLicenses).toEqual([
      { skuId: e5.skuId, disabledPlans: ["57ff2da0-773e-42df-b2af-ffb7a2317929"] },
    ]);
    const removed = await call<{ assignedLicenses: unknown[] }>(
      emulator,
      "POST",
      `/v1.0/groups/${group.id}/assignLicense`,
      {
        body: { addLicenses: [], removeLicenses: [e5.skuId] },
      },
    );
    expect(removed.body.assignedLicenses).toEqual([]);
  });

  it("lists licensed groups with the documented filters (any(), or per SKU), refusing the users-only $count form", async () => {
    const emulator = await suite.start({ seed: suite.sample(), pageSize: 2 });
    const eventual = { ConsistencyLevel: "eventual" };
    const undocumented = await call(
      emulator,
      "GET",
      "/v1.0/groups?$filter=assignedLicenses/$count ne 0&$count=true&$select=id,displayName,assignedLicenses",
      { headers: eventual },
    );
    expect(undocumented.status).toBe(400);
    expect(undocumented.body).toMatchObject({ error: { code: "Request_UnsupportedQuery" } });
    const skuIds: string[] = [];
    for (let link: string | undefined = "/v1.0/subscribedSkus"; link !== undefined;) {
      const skus: CallResult<{ value: { skuId: string }[]; "@odata.nextLink"?: string }> = await call(
        emulator,
        "GET",
        link,
      );
      skuIds.push(...skus.body.value.map((sku) => sku.skuId));
      link = skus.body["@odata.nextLink"];
    }
    expect(skuIds).toHaveLength(6);
    const perSku = await Promise.all(
      skuIds.map(async (skuId) => {
        const listed = await call<{ value: { id: string; assignedLicenses: { skuId: string }[] }[] }>(
          emulator,
          "GET",
          `/v1.0/groups?$filter=assignedLicenses/any(x:x/skuId eq ${skuId})&$select=id,assignedLicenses&$top=999`,
        );
        expect(listed.status).toBe(200);
        for (const group of listed.body.value)
          expect(group.assignedLicenses.map((license) => license.skuId)).toContain(skuId);
        return listed.body.value.map((group) => group.id);
      }),
    );
    expect(new Set(perSku.flat()).size).toBe(3);
    // "List groups", Example 7: every group with any license, in one list (a default query).
    const anyLicense = await call<{ value: { id: string }[] }>(
      emulator,
      "GET",
      "/v1.0/groups?$select=id,assignedLicenses&$filter=assignedLicenses/any()&$top=999",
    );
    expect(anyLicense.status).toBe(200);
    expect(anyLicense.body.value.map((group) => group.id).sort()).toEqual([...new Set(perSku.flat())].sort());
    const withSku = skuIds.find((_, index) => (perSku[index] ?? []).length > 0)!;
    // A lambda whose variable does not match is not the documented form.
    const mismatched = await call(
      emulator,
      "GET",
      `/v1.0/groups?$filter=assignedLicenses/any(x:y/skuId eq ${withSku})`,
    );
    expect(mismatched.status).toBe(400);
    // Paging and counting, over every group.
    const path = "/v1.0/groups?$count=true&$select=id,displayName,assignedLicenses";
    const first = await call<{
      value: Record<string, unknown>[];
      "@odata.count": number;
      "@odata.nextLink"?: string;
    }>(emulator, "GET", path, { headers: eventual });
    expect(first.body["@odata.count"]).toBe(4);
    expect(Object.keys(first.body.value[0]!).sort()).toEqual(["assignedLicenses", "displayName", "id"]);
    const second = await call<{ value: { displayName: string }[]; "@odata.nextLink"?: string }>(
      emulator,
      "GET",
      first.body["@odata.nextLink"]!,
      { headers: eventual },
    );
    const names = [...first.body.value, ...second.body.value].map((g) => g.displayName);
    expect(names.sort()).toEqual([
      "All Employees",
      "Executives",
      "Finance Analysts",
      "Power Platform Makers",
    ]);
    // $top sets the page (1 to 999), over the emulator's page size; the next link keeps it.
    const wide = await call<{ value: unknown[]; "@odata.nextLink"?: string }>(
      emulator,
      "GET",
      `${path}&$top=999`,
      {
        headers: eventual,
      },
    );
    expect(wide.body.value).toHaveLength(4);
    expect(wide.body["@odata.nextLink"]).toBeUndefined();
    const narrow = await call<{ value: unknown[]; "@odata.nextLink"?: string }>(
      emulator,
      "GET",
      `${path}&$top=1`,
      {
        headers: eventual,
      },
    );
    expect(narrow.body.value).toHaveLength(1);
    expect(new URL(narrow.body["@odata.nextLink"]!).searchParams.get("$top")).toBe("1");
    for (const top of ["1000", "0", "ten"]) {
      const refusedTop = await call(emulator, "GET", `${path}&$top=${top}`, { headers: eventual });
      expect(refusedTop.status).toBe(400);
      expect(refusedTop.body).toMatchObject({
        error: {
          code: "Request_UnsupportedQuery",
          message: `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`,
        },
      });
    }
    const byName = await call<{ value: { id: string }[] }>(
      emulator,
      "GET",
      "/v1.0/groups?$filter=displayName eq 'Executives'",
    );
    expect(byName.body.value).toHaveLength(1);
  });

  it("counts direct members as plain text, with ConsistencyLevel: eventual", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const makers = "9a7c3e51-2b4d-4f86-b0e9-6d1c8a2f4b73";
    const response = await fetch(`${emulator.url}/v1.0/groups/${makers}/members/$count`, {
      headers: { Authorization: "Bearer ppgov-dev", ConsistencyLevel: "eventual" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toBe("31");
    expect((await call(emulator, "GET", `/v1.0/groups/${makers}/members/$count`)).status).toBe(400);
  });

  it("answers Graph-shaped errors with innerError", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const missing = await call<{ error: { code: string; innerError: Record<string, string> } }>(
      emulator,
      "GET",
      "/v1.0/groups/00000000-1111-2222-3333-444444444444",
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("Request_ResourceNotFound");
    expect(Object.keys(missing.body.error.innerError).sort()).toEqual([
      "client-request-id",
      "date",
      "request-id",
    ]);
    const group = suite.sample().groups![0]!;
    const badSku = await call(emulator, "POST", `/v1.0/groups/${group.id}/assignLicense`, {
      body: {
        addLicenses: [{ skuId: "12345678-1234-1234-1234-123456789012", disabledPlans: [] }],
        removeLicenses: [],
      },
    });
    expect(badSku.status).toBe(400);
  });
});

describe("tenant", () => {
  it("serves the tenant, its settings (list and update) and the isolation policy", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const tenant = await call(emulator, "GET", `${BAP}/tenant?api-version=2021-04-01`);
    expect(tenant.body).toMatchObject({ tenantId: suite.sample().tenantId, state: "Enabled" });
    const settings = await call<{ walkMeOptOut: boolean }>(
      emulator,
      "POST",
      `${BAP}/listTenantSettings?api-version=2023-06-01`,
    );
    expect(settings.body.walkMeOptOut).toBe(false);
    const updated = await call<{
      walkMeOptOut: boolean;
      powerPlatform: { powerApps: Record<string, boolean> };
    }>(emulator, "POST", `${BAP}/scopes/admin/updateTenantSettings?api-version=2023-06-01`, {
      body: { walkMeOptOut: true, powerPlatform: { powerApps: { disableShareWithEveryone: true } } },
    });
    expect(updated.body.walkMeOptOut).toBe(true);
    expect(updated.body.powerPlatform.powerApps).toMatchObject({
      disableShareWithEveryone: true,
      enableGuestsToMake: false,
    });
    const isolation = `/providers/PowerPlatform.Governance/v1/tenants/${suite.sample().tenantId}/tenantIsolationPolicy`;
    // The sample tenant has isolation on (fixtures/seeds/generate-sample.mjs).
    expect((await call(emulator, "GET", isolation)).body).toEqual(suite.sample().tenantIsolationPolicy);
    const put = await call(emulator, "PUT", isolation, {
      body: {
        properties: {
          tenantId: suite.sample().tenantId,
          isDisabled: false,
          allowedTenants: [
            {
              tenantId: "11111111-1111-1111-1111-111111111111",
              direction: { inbound: true, outbound: false },
            },
          ],
        },
      },
    });
    expect(put.status).toBe(200);
    expect((await call(emulator, "GET", isolation)).body).toEqual(put.body);
    const bad = await call(emulator, "PUT", isolation, {
      body: { properties: { allowedTenants: [{ tenantId: "nope" }] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: "BadRequest", details: [{ code: "ValidationError" }] } });
  });
});
