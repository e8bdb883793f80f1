import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseServiceError, TenantApiError } from "../../src/adapters/tenant/errors.js";
import { createResponseValidator } from "../../src/adapters/tenant/response-validators.js";
import type { ResponseSchemaName } from "../../src/adapters/tenant/schemas.js";
import { KIND_REGISTRY } from "../../src/core/kinds/registry.js";
import { testClient } from "../tenant/fake-fetch.js";

/** The documented example bodies (test/contract/fixtures/learn/README.md), by file. */
const LEARN = fileURLToPath(new URL("fixtures/learn/", import.meta.url));
const fixture = (path: string): unknown => JSON.parse(readFileSync(`${LEARN}${path}`, "utf8")) as unknown;

/**
 * Learn's current "List tenant settings" example, kept as published: it is not JSON (the value of
 * `powerCatalogAudienceSetting` is the bare word `All`). The README says so; the test repairs only
 * that token, in the open, to check the decoder on the newer groups the example shows.
 */
const TENANT_SETTINGS_2023 = "bap/list-tenantsettings-2023.txt";
const UNQUOTED = '"powerCatalogAudienceSetting": All';

/** Each body, the decoder of the request it answers, and that decoder's verdict (undefined = accepted). */
const BODIES: { file: string; schema: ResponseSchemaName; verdict: string | undefined }[] = [
  { file: "bap/list-environments.json", schema: "environmentList", verdict: undefined },
  { file: "bap/list-tenantsettings-2021.json", schema: "tenantSettings", verdict: undefined },
  { file: "graph/subscribedsku-list.json", schema: "subscribedSkuList", verdict: undefined },
  { file: "graph/group-list-example-7-licensed.json", schema: "graphGroupList", verdict: undefined },
  {
    file: "graph/group-list-example-2-count.json",
    schema: "graphGroupList",
    verdict: "value[0].assignedLicenses is missing",
  },
  {
    file: "graph/group-get-example-2-select.json",
    schema: "graphGroup",
    verdict: "assignedLicenses is missing",
  },
];
const ERRORS: { file: string; code: string; message: string }[] = [
  {
    file: "graph/aad-advanced-queries-count-error.json",
    code: "Request_BadRequest",
    message: "$count is not currently supported.",
  },
  {
    file: "graph/aad-advanced-queries-search-error.json",
    code: "Request_UnsupportedQuery",
    message:
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
  },
];

describe("the documented example bodies", () => {
  it("are all listed here and in the README", () => {
    const files = readdirSync(LEARN, { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith(".json") || name.endsWith(".txt"))
      .sort();
    expect(files).toEqual(
      [...BODIES.map((b) => b.file), ...ERRORS.map((e) => e.file), TENANT_SETTINGS_2023].sort(),
    );
    const readme = readFileSync(`${LEARN}README.md`, "utf8");
    for (const file of files) expect(readme, file).toContain(`\`${file}\``);
  });

  it("are judged by each request's decoder as documented: accepted, or refused naming the field", () => {
    for (const validator of [
      createResponseValidator({ precompiledPath: false }),
      createResponseValidator(),
    ]) {
      for (const { file, schema, verdict } of BODIES)
        expect(validator.check(schema, fixture(file)), file).toBe(verdict);
    }
  });

  it("go through the real client: SKUs with seats, licensed groups with their SKUs and disabled plans", async () => {
    const t = testClient([
      {
        method: "GET",
        path: "/v1.0/subscribedSkus",
        replies: [{ status: 200, body: fixture("graph/subscribedsku-list.json") }],
      },
      {
        method: "GET",
        path: "/v1.0/groups",
        replies: [{ status: 200, body: fixture("graph/group-list-example-7-licensed.json") }],
      },
    ]);
    const skus = await t.client.graph.listSubscribedSkus();
    expect(skus.map((sku) => [sku.skuPartNumber, sku.prepaidUnits.enabled, sku.consumedUnits])).toEqual([
      ["ENTERPRISEPREMIUM", 25, 14],
      ["CRMSTANDARD", 0, 14],
    ]);
    const groups = await t.client.graph.listLicensedGroups();
    expect(groups.map((group) => [group.id, group.assignedLicenses])).toEqual([
      [
        "5caf712c-8483-4b3d-8384-d8da988c0ca4",
        [{ disabledPlans: [], skuId: "6fd2c87f-b296-42f0-b197-1e91e994b900" }],
      ],
      [
        "aae8ec2a-5a08-4013-ae70-fafbb5c20de1",
        [
          {
            disabledPlans: ["7547a3fe-08ee-4ccb-b430-5077c5041653"],
            skuId: "18181a46-0d4e-45cd-891e-60aabd171b4e",
          },
        ],
      ],
    ]);
    // The request is the documented one ("List groups", Example 7), without $expand.
    const request = t.fake.requests.find((r) => r.url.pathname === "/v1.0/groups")!;
    expect(request.url.searchParams.get("$filter")).toBe("assignedLicenses/any()");
  });

  it("refuses a documented body that lacks what ppgov selected, naming the endpoint and the field", async () => {
    const t = testClient([
      {
        method: "GET",
        path: "/v1.0/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315",
        replies: [{ status: 200, body: fixture("graph/group-get-example-2-select.json") }],
      },
    ]);
    const error = await t.client.graph.getGroup("02bd9fd6-8f93-4758-87c3-1fb73740a315").then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toContain(
      "unexpected response from GET /v1.0/groups/{id}: assignedLicenses is missing",
    );
  });

  it("reads the code and message of Graph's documented error bodies", async () => {
    for (const { file, code, message } of ERRORS) {
      expect(parseServiceError(fixture(file)), file).toEqual({ code, message });
      const t = testClient([
        { method: "GET", path: "/v1.0/subscribedSkus", replies: [{ status: 400, body: fixture(file) }] },
      ]);
      const error = await t.client.graph.listSubscribedSkus().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, file).toBeInstanceOf(TenantApiError);
      expect((error as TenantApiError).serviceCode).toBe(code);
      expect((error as TenantApiError).serviceMessage).toBe(message);
      expect((error as Error).message).toContain(`failed with HTTP 400 ${code}: ${message}`);
    }
  });
  it("lists Learn's example environment through the client and reads it as the Environment kind does", async () => {
    const t = testClient([
      {
        method: "GET",
        path: "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments",
        replies: [{ status: 200, body: fixture("bap/list-environments.json") }],
      },
    ]);
    const environments = await t.client.admin.listEnvironments();
    expect(environments.map((environment) => environment.name)).toEqual([
      "aaaabbbb-0000-cccc-1111-dddd2222eeee",
    ]);
    expect(KIND_REGISTRY.Environment.canonicalizeLive(environments[0]!)).toEqual({
      displayName: "My Power Platform Environment",
      description: "This is my environment purpose description",
      location: "unitedstates",
      azureRegion: "westus",
      type: "Sandbox",
      dataverse: { domain: "org0fadb1dd", language: 1033 },
      updateCadence: "Frequent",
      adminMode: false,
      managed: { enabled: false },
      // The example has no security group and no parent group: read as "none".
      securityGroupId: null,
      group: null,
    });
  });

  it("reads Learn's example tenant settings through the client (POST, as ppgov sends it)", async () => {
    const body = fixture("bap/list-tenantsettings-2021.json");
    const t = testClient([
      {
        method: "POST",
        path: "/providers/Microsoft.BusinessAppPlatform/listTenantSettings",
        replies: [{ status: 200, body }],
      },
    ]);
    const settings = await t.client.admin.listTenantSettings();
    expect(settings).toEqual(body);
    expect(KIND_REGISTRY.TenantSettings.canonicalizeLive({ tenantId: "t", settings })).toEqual(body);
  });

  it("keeps Learn's current tenant-settings example as published: not JSON until its one bare word is quoted", () => {
    const text = readFileSync(`${LEARN}${TENANT_SETTINGS_2023}`, "utf8");
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
    expect(text.split(UNQUOTED)).toHaveLength(2);
    const repaired = JSON.parse(text.replace(UNQUOTED, '"powerCatalogAudienceSetting": "All"')) as {
      powerPlatform: { catalogSettings: unknown; modelExperimentation: unknown };
    };
    expect(repaired.powerPlatform.catalogSettings).toEqual({ powerCatalogAudienceSetting: "All" });
    for (const validator of [
      createResponseValidator({ precompiledPath: false }),
      createResponseValidator(),
    ]) {
      expect(validator.check("tenantSettings", repaired)).toBeUndefined();
      // A decoder that took the bare word's likely misreading (a boolean) would hide a wrong type.
      const wrong = structuredClone(repaired);
      (wrong.powerPlatform.catalogSettings as Record<string, unknown>).powerCatalogAudienceSetting = true;
      expect(validator.check("tenantSettings", wrong)).toContain("powerCatalogAudienceSetting");
    }
  });
});
