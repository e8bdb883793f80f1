import { describe, expect, it } from "vitest";
import { BAP, GOV, call, waitForOperation, emulatorSuite } from "./helpers.js";

const suite = emulatorSuite();

interface Group {
  id: string;
  displayName: string;
  description: string;
  createdTime: string;
  createdBy: { id: string; type: string };
}
interface Policy {
  policyDefinition: {
    name: string;
    displayName: string;
    etag: string;
    createdTime: string;
    lastModifiedTime: string;
    connectorGroups?: { classification: string; connectors: { id: string; name: string; type: string }[] }[];
    environments: { id: string; name: string; type: string }[];
  };
  connectorConfigurationsDefinition?: {
    endpointConfigurations?: { endpointRules: Record<string, unknown>[] }[];
  };
  customConnectorUrlPatternsDefinition?: { rules: Record<string, unknown>[] };
}

describe("environment groups", () => {
  it("creates (201), reads, updates and deletes a group", async () => {
    const emulator = await suite.start();
    const created = await call<Group>(emulator, "POST", `${BAP}/environmentGroups?api-version=2021-04-01`, {
      body: { displayName: "Marketing", description: "Campaign apps" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      displayName: "Marketing",
      description: "Campaign apps",
      createdBy: { type: "User" },
    });
    const path = `${BAP}/environmentGroups/${created.body.id}?api-version=2021-04-01`;
    expect((await call<Group>(emulator, "GET", path)).body.displayName).toBe("Marketing");
    const updated = await call<Group>(emulator, "PUT", path, {
      body: { displayName: "Marketing EU", description: "" },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.displayName).toBe("Marketing EU");
    expect((await call(emulator, "DELETE", path)).status).toBe(200);
    const gone = await call(emulator, "GET", path);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error: { code: "EnvironmentGroupNotFound" } });
  });

  it("refuses to delete a group that still has environments (409 EnvironmentsInEnvironmentGroup)", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const finance = suite.sample().environmentGroups!.find((g) => g.displayName === "Finance")!;
    const refused = await call(emulator, "DELETE", `${BAP}/environmentGroups/${finance.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: "EnvironmentsInEnvironmentGroup" } });
    // Empty the group through the PP API removeEnvironment shortcut.
    const members = suite
      .sample()
      .environments!.filter(
        (env) => (env.properties.parentEnvironmentGroup as { id?: string } | undefined)?.id === finance.id,
      );
    for (const env of members) {
      const removed = await call(
        emulator,
        "POST",
        `/environmentmanagement/environmentGroups/${finance.id}/removeEnvironment/${env.name}?api-version=1`,
      );
      expect(removed.status).toBe(202);
    }
    // Then its rule set still blocks the delete, until the rule set is deleted too.
    const ruleSetBlocked = await call(emulator, "DELETE", `${BAP}/environmentGroups/${finance.id}`);
    expect(ruleSetBlocked.status).toBe(409);
    expect(ruleSetBlocked.body).toMatchObject({ error: { code: "PolicyAssignedToEnvironmentGroup" } });
    const ruleSets = await call<{ value: { id: string }[] }>(
      emulator,
      "GET",
      `/governance/environmentGroups/${finance.id}/ruleSets`,
    );
    expect(
      (await call(emulator, "DELETE", `/governance/ruleSets/${ruleSets.body.value[0]!.id}`)).status,
    ).toBe(200);
    expect((await call(emulator, "DELETE", `${BAP}/environmentGroups/${finance.id}`)).status).toBe(200);
  });

  it("moves an environment into a group through the environment PATCH", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const group = await call<Group>(emulator, "POST", `${BAP}/environmentGroups`, {
      body: { displayName: "New", description: "" },
    });
    const env = suite.sample().environments!.find((e) => e.properties.displayName === "Legacy Apps")!;
    const patched = await call(emulator, "PATCH", `${BAP}/scopes/admin/environments/${env.name}`, {
      body: { properties: { parentEnvironmentGroup: { id: group.body.id } } },
    });
    await waitForOperation(emulator, patched.headers.get("location")!);
    const members = await call<{ value: { name: string }[] }>(
      emulator,
      "GET",
      `${BAP}/scopes/admin/environments?$filter=properties/parentEnvironmentGroup/id eq ${group.body.id}`,
    );
    expect(members.body.value.map((e) => e.name)).toEqual([env.name]);
  });
});

describe("DLP policies (v2)", () => {
  const body = (overrides: Record<string, unknown> = {}) => ({
    policyDefinition: {
      displayName: "New policy",
      defaultConnectorsClassification: "General",
      environmentType: "AllEnvironments",
      environments: [],
      createdBy: { displayName: "" },
      lastModifiedBy: { displayName: "" },
      connectorGroups: [
        {
          classification: "Confidential",
          connectors: [
            {
              id: "/providers/Microsoft.PowerApps/apis/shared_sql",
              name: "shared_sql",
              type: "Microsoft.PowerApps/apis",
            },
          ],
        },
        { classification: "General", connectors: [] },
      ],
      ...overrides,
    },
    connectorConfigurationsDefinition: {
      endpointConfigurations: [
        {
          connectorId: "/providers/Microsoft.PowerApps/apis/shared_sql",
          endpointRules: [
            { order: 2, behavior: "Deny", endpoint: "*" },
            { order: 1, behavior: "Allow", endpoint: "contoso.database.windows.net" },
          ],
        },
      ],
    },
    customConnectorUrlPatternsDefinition: { rules: null },
  });

  it("lists summaries only, with nextLink paging", async () => {
    const emulator = await suite.start({ seed: suite.sample(), pageSize: 3 });
    const first = await call<{ value: Policy[]; nextLink?: string }>(emulator, "GET", `${GOV}/v2/policies`);
    expect(first.body.value).toHaveLength(3);
    for (const item of first.body.value) {
      expect(Object.keys(item)).toEqual(["policyDefinition"]);
      expect(item.policyDefinition.connectorGroups).toBeUndefined();
    }
    const second = await call<{ value: Policy[]; nextLink?: string }>(emulator, "GET", first.body.nextLink!);
    expect(second.body.value).toHaveLength(1);
    expect(second.body.nextLink).toBeUndefined();
  });

  it("creates with a server-assigned name (201), normalising groups, endPoint spelling and null URL rules", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const created = await call<Policy>(emulator, "POST", `${GOV}/v2/policies`, { body: body() });
    expect(created.status).toBe(201);
    const definition = created.body.policyDefinition;
    expect(definition.name).toMatch(/^[0-9a-f-]{36}$/);
    expect(definition.etag).toMatch(/^[0-9a-f-]{36}$/);
    expect(definition.connectorGroups!.map((g) => g.classification)).toEqual([
      "Confidential",
      "General",
      "Blocked",
    ]);
    // The service answers the display name in `name`.
    expect(definition.connectorGroups![0]!.connectors[0]).toEqual({
      id: "/providers/Microsoft.PowerApps/apis/shared_sql",
      name: "SQL Server",
      type: "Microsoft.PowerApps/apis",
    });
    expect(created.body.connectorConfigurationsDefinition!.endpointConfigurations![0]!.endpointRules).toEqual(
      [
        { order: 1, behavior: "Allow", endPoint: "contoso.database.windows.net" },
        { order: 2, behavior: "Deny", endPoint: "*" },
      ],
    );
    expect(created.body.customConnectorUrlPatternsDefinition).toEqual({
      rules: [{ order: 1, customConnectorRuleClassification: "Ignore", pattern: "*" }],
    });
    const read = await call<Policy>(emulator, "GET", `${GOV}/v2/policies/${definition.name}`);
    expect(read.body).toEqual(created.body);
  });

  it("replaces the whole document on PATCH (200, new etag) and deletes (200)", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const created = await call<Policy>(emulator, "POST", `${GOV}/v2/policies`, { body: body() });
    const name = created.body.policyDefinition.name;
    const envId = suite.sample().environments![1]!.name;
    const patched = await call<Policy>(emulator, "PATCH", `${GOV}/v2/policies/${name}`, {
      body: {
        policyDefinition: {
          name,
          displayName: "Renamed",
          defaultConnectorsClassification: "Blocked",
          environmentType: "OnlyEnvironments",
          environments: [
            {
              id: `${BAP}/scopes/admin/environments/${envId}`,
              name: envId,
              type: "Microsoft.BusinessAppPlatform/scopes/environments",
            },
          ],
          connectorGroups: [],
        },
        customConnectorUrlPatternsDefinition: { rules: [] },
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.policyDefinition.displayName).toBe("Renamed");
    expect(patched.body.policyDefinition.etag).not.toBe(created.body.policyDefinition.etag);
    expect(patched.body.policyDefinition.createdTime).toBe(created.body.policyDefinition.createdTime);
    expect(patched.body.connectorConfigurationsDefinition).toBeUndefined();
    expect(patched.body.policyDefinition.connectorGroups!.every((g) => g.connectors.length === 0)).toBe(true);
    expect((await call(emulator, "DELETE", `${GOV}/v2/policies/${name}`)).status).toBe(200);
    expect((await call(emulator, "GET", `${GOV}/v2/policies/${name}`)).status).toBe(404);
  });

  it("refuses a connector listed in two groups", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const sql = {
      id: "/providers/Microsoft.PowerApps/apis/shared_sql",
      name: "shared_sql",
      type: "Microsoft.PowerApps/apis",
    };
    const refused = await call(emulator, "POST", `${GOV}/v2/policies`, {
      body: body({
        connectorGroups: [
          { classification: "Confidential", connectors: [sql] },
          { classification: "General", connectors: [sql] },
        ],
      }),
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain("shared_sql");
  });

  it("refuses an unblockable connector in Blocked with a 400 error body", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const refused = await call(emulator, "POST", `${GOV}/v2/policies`, {
      body: body({
        connectorGroups: [
          {
            classification: "Blocked",
            connectors: [
              {
                id: "/providers/Microsoft.PowerApps/apis/shared_approvals",
                name: "shared_approvals",
                type: "Microsoft.PowerApps/apis",
              },
            ],
          },
        ],
      }),
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: "InvalidPolicy" } });
    expect(JSON.stringify(refused.body)).toContain("shared_approvals");
  });
});

describe("connector catalogue", () => {
  it("pages the PowerApps catalogue with nextLink and accepts the $filter the provider sends", async () => {
    const emulator = await suite.start({ seed: suite.sample(), pageSize: 100 });
    let next: string | undefined =
      "/providers/Microsoft.PowerApps/apis?$filter=environment eq '~Default'&api-version=2019-05-01&showApisWithToS=true&hideDlpExemptApis=true&showAllDlpEnforceableApis=true";
    const names: string[] = [];
    while (next) {
      const result: { body: { value: { name: string }[]; nextLink?: string } } = await call(
        emulator,
        "GET",
        next,
      );
      names.push(...result.body.value.map((c) => c.name));
      next = result.body.nextLink;
    }
    expect(names).toHaveLength(suite.sample().connectors!.length);
    expect(names.length).toBeGreaterThanOrEqual(300);
    expect(names).toContain("shared_sharepointonline");
  });

  it("serves the unblockable and virtual lists as bare arrays", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const unblockable = await call<unknown[]>(emulator, "GET", `${GOV}/v1/connectors/metadata/unblockable`);
    expect(Array.isArray(unblockable.body)).toBe(true);
    expect(unblockable.body).toContainEqual({
      id: "/providers/Microsoft.PowerApps/apis/shared_approvals",
      metadata: { unblockable: true },
    });
    const virtual = await call<{ id: string }[]>(emulator, "GET", `${GOV}/v1/connectors/metadata/virtual`);
    expect(virtual.body.map((v) => v.id)).toEqual(["Http", "HttpRequestReceived"]);
  });
});

describe("environment group rule sets", () => {
  interface RuleSet {
    id: string;
    parameters: { type: string; value: { id: string; value: string }[] }[];
    environmentFilter: { values: { id: string; type: string }[] };
  }
  const sharing = (limit: string) => ({
    parameters: [
      {
        type: "Sharing",
        resourceType: "App",
        value: [
          { id: "CanShareWithSecurityGroups", value: "noLimit" },
          { id: "MaximumShareLimit", value: limit },
        ],
      },
    ],
  });

  it("answers 204 without a rule set, then creates (201), reads, updates and deletes one", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const group = suite.sample().environmentGroups!.find((g) => g.displayName === "Sandboxes")!;
    const base = `/governance/environmentGroups/${group.id}/ruleSets?api-version=2021-10-01-preview`;
    const none = await call(emulator, "GET", base);
    expect(none.status).toBe(204);
    const created = await call<RuleSet>(emulator, "POST", base, { body: sharing("10") });
    expect(created.status).toBe(201);
    expect(created.body.environmentFilter.values).toEqual([{ id: group.id, type: "EnvironmentGroup" }]);
    expect((await call(emulator, "POST", base, { body: sharing("10") })).status).toBe(409);
    const read = await call<{ value: RuleSet[] }>(emulator, "GET", base);
    expect(read.body.value.map((r) => r.id)).toEqual([created.body.id]);
    // A group with a rule set cannot be deleted.
    const refused = await call(emulator, "DELETE", `${BAP}/environmentGroups/${group.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: "PolicyAssignedToEnvironmentGroup" } });
    const path = `/governance/ruleSets/${created.body.id}?api-version=2021-10-01-preview`;
    const updated = await call<RuleSet>(emulator, "PUT", path, { body: sharing("-1") });
    expect(updated.status).toBe(200);
    expect(updated.body.parameters[0]!.value[1]).toEqual({ id: "MaximumShareLimit", value: "-1" });
    const invalid = await call(emulator, "PUT", path, {
      body: { parameters: [{ type: "Sharing", value: [{ id: "x", value: 1 }] }] },
    });
    expect(invalid.status).toBe(400);
    expect((await call(emulator, "DELETE", path)).status).toBe(200);
    expect((await call(emulator, "GET", base)).status).toBe(204);
    expect((await call(emulator, "DELETE", `${BAP}/environmentGroups/${group.id}`)).status).toBe(200);
  });

  it("serves the sample tenant's Finance rule set", async () => {
    const emulator = await suite.start({ seed: suite.sample() });
    const finance = suite.sample().environmentGroups!.find((g) => g.displayName === "Finance")!;
    const read = await call<{ value: RuleSet[] }>(
      emulator,
      "GET",
      `/governance/environmentGroups/${finance.id}/ruleSets`,
    );
    expect(read.body.value[0]!.parameters.map((p) => p.type)).toEqual(["Sharing", "SolutionChecker"]);
  });
});
