/**
 * The allocation availability read against the shape Learn documents ("Allocation - Get Allocations
 * Availability V2": AllocationAvailabilityResponseModel = {entitlementAllocationsAvailable:
 * [{entitlementId, availableQuantity, unit}], scope}), over a fake transport.
 */
import { describe, expect, it } from "vitest";
import { availabilityFilter } from "../../src/adapters/tenant/licensing-api.js";
import { testClient } from "./fake-fetch.js";

const ENV = "6f1c2d3e-0000-4000-8000-000000000001";
const PATH = "/licensing/allocationsV2/availability";

describe("GET /licensing/allocationsV2/availability", () => {
  it("sends the environment filter Learn's tutorial uses and reads availableQuantity per entitlement", async () => {
    const { client, fake } = testClient([
      {
        method: "GET",
        path: PATH,
        replies: [
          {
            status: 200,
            body: {
              entitlementAllocationsAvailable: [
                { entitlementId: "AppPass", availableQuantity: 12, unit: "Unknown" },
                { entitlementId: "ai", availableQuantity: 250.5 },
                { entitlementId: "SomethingElse", availableQuantity: 3 },
              ],
              scope: { environmentId: ENV },
            },
          },
        ],
      },
    ]);
    const free = await client.licensing.getAllocationAvailability(ENV.toUpperCase(), [
      "AppPass",
      "AI",
      "PortalViews",
    ]);
    // Entitlements the answer leaves out have nothing free; ids match case-insensitively.
    expect(free).toEqual({ AppPass: 12, AI: 250.5, PortalViews: 0 });
    const sent = fake.requests[0]!.url;
    expect(sent.searchParams.get("api-version")).toBe("2024-10-01");
    expect(sent.searchParams.get("$filter")).toBe(
      `environmentId eq '${ENV}' and EntitlementId in ('AppPass','AI','PortalViews')`,
    );
    // Spaces as %20, never "+".
    expect(sent.search).toContain("$filter=environmentId%20eq%20");
    expect(sent.search).not.toContain("+");
  });

  it.each([
    ["the shape the emulator used to invent", { value: [{ currencyType: "AppPass", available: 3 }] }],
    [
      "a quantity that is not a number",
      { entitlementAllocationsAvailable: [{ entitlementId: "AppPass", availableQuantity: "3" }] },
    ],
  ])("fails naming the endpoint on %s", async (_what, body) => {
    const { client } = testClient([{ method: "GET", path: PATH, replies: [{ status: 200, body }] }]);
    await expect(client.licensing.getAllocationAvailability(ENV, ["AppPass"])).rejects.toThrow(
      /GET \/licensing\/allocationsV2\/availability/,
    );
  });

  it("refuses a negative availableQuantity instead of counting it", async () => {
    const body = { entitlementAllocationsAvailable: [{ entitlementId: "AppPass", availableQuantity: -1 }] };
    const { client } = testClient([{ method: "GET", path: PATH, replies: [{ status: 200, body }] }]);
    await expect(client.licensing.getAllocationAvailability(ENV, ["AppPass"])).rejects.toThrow(
      "unexpected response from GET /licensing/allocationsV2/availability: availableQuantity of AppPass is -1, expected a number >= 0",
    );
  });
});

describe("availabilityFilter", () => {
  it.each([
    [ENV, [], `environmentId eq '${ENV}'`],
    [ENV.toUpperCase(), ["MCSMessages"], `environmentId eq '${ENV}' and EntitlementId in ('MCSMessages')`],
    ["o'brien", ["a'b", "c"], "environmentId eq 'o''brien' and EntitlementId in ('a''b','c')"],
  ])("%s %j → %s", (environmentId, entitlements, expected) => {
    expect(availabilityFilter(environmentId, entitlements)).toBe(expected);
  });
});
