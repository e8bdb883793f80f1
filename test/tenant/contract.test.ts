/**
 * Contract: the client accepts every recorded real response in test/contract/fixtures/tf-provider,
 * each served for the request it answers (fixtures README table) and read through the client method
 * that makes that request.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseServiceError, TenantApiError } from "../../src/adapters/tenant/errors.js";
import type { TenantClient } from "../../src/adapters/tenant/index.js";
import { testClient, type Reply } from "./fake-fetch.js";

const ROOT = fileURLToPath(new URL("../contract/fixtures/tf-provider/", import.meta.url));
const ID = "00000000-0000-0000-0000-000000000001";
const BAP = "/providers/Microsoft.BusinessAppPlatform";
const GOV = "/providers/PowerPlatform.Governance";

interface Contract {
  method: string;
  path: string;
  status?: number;
  headers?: Record<string, string>;
  /** Replies after the fixture, for requests the client makes next. */
  then?: Reply[];
  /** Makes the request through the client and checks what it read. */
  read: (client: TenantClient, body: unknown) => Promise<void>;
}

const environment: Contract = {
  method: "GET",
  path: `${BAP}/scopes/admin/environments/${ID}`,
  read: async (client, body) => {
    const env = await client.admin.getEnvironment(ID);
    expect(env?.name).toBe((body as { name: string }).name);
    expect(typeof env?.properties.environmentSku).toBe("string");
  },
};

const environmentList: Contract = {
  method: "GET",
  path: `${BAP}/scopes/admin/environments`,
  read: async (client, body) => {
    const list = await client.admin.listEnvironments();
    expect(list.map((e) => e.name)).toEqual((body as { value: { name: string }[] }).value.map((e) => e.name));
  },
};

const lifecycleOperation = (expected: "Succeeded" | "Failed"): Contract => ({
  method: "GET",
  path: `${BAP}/lifecycleOperations/op1`,
  read: async (client) => {
    const result = client.http.send<{ state: { id: string } }>({
      method: "GET",
      api: "bap",
      path: `${BAP}/lifecycleOperations/op1?api-version=2023-06-01`,
      endpoint: `GET ${BAP}/lifecycleOperations/{id}`,
      expect: [200],
      schema: "lifecycleOperation",
    });
    expect((await result).body.state.id).toBe(expected);
  },
});

/** The provisionInstance poll answers with an environment object (wire-formats §3.1). */
const provisioningPoll: Contract = {
  method: "GET",
  path: `${BAP}/lifecycleOperations/op1`,
  read: async (client) => {
    const accepted = {
      status: 202,
      headers: new Headers(),
      body: undefined,
      url: new URL("https://api.bap.microsoft.com/"),
    };
    accepted.headers.set(
      "location",
      `https://europe.api.bap.microsoft.com${BAP}/lifecycleOperations/op1?api-version=2023-06-01`,
    );
    const { awaitProvisioning } = await import("../../src/adapters/tenant/lifecycle.js");
    await awaitProvisioning(client.http, accepted, "add Dataverse");
  },
};

const errorBody = (
  method: string,
  path: string,
  status: number,
  code: string,
  call: (c: TenantClient) => Promise<unknown>,
): Contract => ({
  method,
  path,
  status,
  read: async (client, body) => {
    expect(parseServiceError(body).code).toBe(code);
    const failure = await call(client).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(TenantApiError);
    expect((failure as TenantApiError).serviceCode).toBe(code);
    expect((failure as TenantApiError).status).toBe(status);
  },
});

const group: Contract = {
  method: "GET",
  path: `${BAP}/environmentGroups/${ID}`,
  read: async (client, body) => {
    expect((await client.admin.getEnvironmentGroup(ID))?.displayName).toBe(
      (body as { displayName: string }).displayName,
    );
  },
};

const groupCreated: Contract = {
  method: "POST",
  path: `${BAP}/environmentGroups`,
  status: 201,
  read: async (client, body) => {
    const created = await client.admin.createEnvironmentGroup({ displayName: "g", description: "d" });
    expect(created.id).toBe((body as { id: string }).id);
  },
};

const dlpPolicy: Contract = {
  method: "GET",
  path: `${GOV}/v2/policies/${ID}`,
  read: async (client, body) => {
    const policy = await client.governance.getPolicy(ID);
    expect(policy?.policyDefinition.connectorGroups.map((g) => g.classification)).toEqual(
      (
        body as { policyDefinition: { connectorGroups: { classification: string }[] } }
      ).policyDefinition.connectorGroups.map((g) => g.classification),
    );
  },
};

const billingPolicy: Contract = {
  method: "GET",
  path: `/licensing/billingPolicies/${ID}`,
  read: async (client, body) => {
    const policy = await client.licensing.getBillingPolicy(ID);
    expect(policy?.billingInstrument.subscriptionId).toBe(
      (body as { billingInstrument: { subscriptionId: string } }).billingInstrument.subscriptionId,
    );
  },
};

const billingLinks: Contract = {
  method: "GET",
  path: `/licensing/billingPolicies/${ID}/environments`,
  read: async (client, body) => {
    const ids = await client.licensing.listBillingPolicyEnvironments(ID);
    expect(ids).toEqual(
      (body as { value: { environmentId: string }[] }).value.map((l) => l.environmentId.toLowerCase()),
    );
  },
};

const ruleSets = (path: string, method: string, list: boolean): Contract => ({
  method,
  path,
  status: method === "POST" ? 201 : 200,
  read: async (client) => {
    const response = await client.http.send<unknown>({
      method: method as "GET",
      url: client.http.resolver.tenantUrl(ID, `${path}?api-version=2021-10-01-preview`),
      endpoint: `${method} ${path}`,
      expect: [200, 201],
      schema: list ? "ruleSetList" : "ruleSet",
    });
    expect(response.url.hostname).toBe("000000000000000000000000000000.01.tenant.api.powerplatform.com");
  },
});

const tenantIsolation: Contract = {
  method: "GET",
  path: `${GOV}/v1/tenants/${ID}/tenantIsolationPolicy`,
  read: async (client) => {
    const response = await client.http.send<{ properties: { allowedTenants: unknown[] } }>({
      method: "GET",
      api: "bap",
      path: `${GOV}/v1/tenants/${ID}/tenantIsolationPolicy`,
      endpoint: `GET ${GOV}/v1/tenants/{tenantId}/tenantIsolationPolicy`,
      expect: [200],
      schema: "tenantIsolationPolicy",
    });
    expect(Array.isArray(response.body.properties.allowedTenants)).toBe(true);
  },
};

const tenant: Contract = {
  method: "GET",
  path: `${BAP}/tenant`,
  read: async (client, body) => {
    expect((await client.admin.getTenant()).tenantId).toBe((body as { tenantId: string }).tenantId);
  },
};

const tenantSettings: Contract = {
  method: "POST",
  path: `${BAP}/listTenantSettings`,
  read: async (client, body) => {
    const settings = await client.admin.listTenantSettings();
    expect(settings.disableCapacityAllocationByEnvironmentAdmins).toBe(
      (body as { disableCapacityAllocationByEnvironmentAdmins: boolean })
        .disableCapacityAllocationByEnvironmentAdmins,
    );
  },
};

/** The admin app listing (impact analysis): decoded, each app named as recorded. */
const adminApps = (environmentId: string): Contract => ({
  method: "GET",
  path: `/providers/Microsoft.PowerApps/scopes/admin/environments/${environmentId}/apps`,
  read: async (client, body) => {
    const response = await client.http.send<{ value: { name: string }[] }>({
      method: "GET",
      api: "powerapps",
      path: `/providers/Microsoft.PowerApps/scopes/admin/environments/${environmentId}/apps?api-version=2023-06-01`,
      endpoint: "GET /providers/Microsoft.PowerApps/scopes/admin/environments/{environment}/apps",
      expect: [200],
      schema: "inventoryObjectList",
    });
    expect(response.body.value.map((app) => app.name)).toEqual(
      (body as { value: { name: string }[] }).value.map((app) => app.name),
    );
  },
});

/** Fixture path (relative to the fixtures folder) → the request it answers. */
const CONTRACTS: Record<string, Contract> = {
  "capacity/datasource/Validate_Read/get_tenant_capacity.json": {
    method: "GET",
    path: "/licensing/tenantCapacity",
    read: async (client) => {
      expect(
        (await client.licensing.getTenantCapacity()).tenantCapacities.map((c) => c.capacityType),
      ).toContain("Database");
    },
  },
  "connectors/Validate_Read/get_apis.json": {
    method: "GET",
    path: "/providers/Microsoft.PowerApps/apis",
    read: async (client) => {
      expect((await client.powerApps.listConnectors()).map((c) => c.name)).toContain(
        "shared_sharepointonline",
      );
    },
  },
  "connectors/Validate_Read/get_unblockable.json": {
    method: "GET",
    path: `${GOV}/v1/connectors/metadata/unblockable`,
    read: async (client) => {
      expect((await client.governance.listUnblockableConnectors())[0]?.id).toBe(
        "/providers/Microsoft.PowerApps/apis/shared_approvals",
      );
    },
  },
  "connectors/Validate_Read/get_virtual.json": {
    method: "GET",
    path: `${GOV}/v1/connectors/metadata/virtual`,
    read: async (client) => {
      expect((await client.governance.listVirtualConnectors()).map((c) => c.id)).toContain("Http");
    },
  },
  "currencies/datasource/Validate_Read/get_currencies.json": {
    method: "GET",
    path: `${BAP}/locations/unitedstates/environmentCurrencies`,
    read: async (client) => {
      expect((await client.admin.listCurrencies("unitedstates")).map((c) => c.name)).toContain("USD");
    },
  },
  "languages/datasource/Validate_Read/get_languages.json": {
    method: "GET",
    path: `${BAP}/locations/unitedstates/environmentLanguages`,
    read: async (client) => {
      expect((await client.admin.listLanguages("unitedstates")).map((l) => l.name)).toContain("1033");
    },
  },
  "locations/datasource/Validate_Read/get_locations.json": {
    method: "GET",
    path: `${BAP}/locations`,
    read: async (client) => {
      expect((await client.admin.listLocations()).map((l) => l.name)).toContain("europe");
    },
  },
  "dlp_policy/datasource/Validate_Read/get_policies.json": {
    method: "GET",
    path: `${GOV}/v2/policies`,
    read: async (client) => {
      const summaries = await client.governance.listPolicySummaries();
      expect(summaries.map((s) => s.policyDefinition.environmentType)).toEqual([
        "AllEnvironments",
        "ExceptEnvironments",
      ]);
    },
  },
  "dlp_policy/datasource/Validate_Read/get_policy_00000000-0000-0000-0000-000000000001.json": dlpPolicy,
  "dlp_policy/datasource/Validate_Read/get_policy_00000000-0000-0000-0000-000000000002.json": dlpPolicy,
  "dlp_policy/resource/Validate_Create/get_policy_00000000-0000-0000-0000-000000000001.json": {
    method: "POST",
    path: `${GOV}/v2/policies`,
    status: 201,
    read: async (client) => {
      const created = await client.governance.createPolicy({
        policyDefinition: {
          displayName: "Block All Policy",
          defaultConnectorsClassification: "Blocked",
          connectorGroups: [],
          environmentType: "OnlyEnvironments",
          environments: [],
        },
        customConnectorUrlPatternsDefinition: { rules: null },
      });
      expect(created.policyDefinition.name).toBe(ID);
    },
  },
  "environment/datasource/Validate_Read/get_environment_00000000-0000-0000-0000-000000000001.json":
    environment,
  "environment/datasource/Validate_Read/get_environment_00000000-0000-0000-0000-000000000002.json":
    environment,
  "environment/datasource/Validate_Read/get_environments.json": environmentList,
  "environment/resource/Create_Environment_And_Add_Env_Group/get_environment_00000000-0000-0000-0000-000000000001_1.json":
    environment,
  "environment/resource/Create_Environment_And_Add_Env_Group/get_environment_group_2.json": group,
  "environment/resource/Create_Environment_And_Add_Env_Group/get_environments_1.json": environmentList,
  "environment/resource/Create_Environment_And_Add_Env_Group/post_environment_group_1.json": groupCreated,
  "environment/resource/Validate_Create/get_environment_00000000-0000-0000-0000-000000000001.json":
    environment,
  "environment/resource/Validate_Create/get_lifecycle.json": lifecycleOperation("Succeeded"),
  "environment/resource/Validate_Create/get_lifecycle_delete.json": lifecycleOperation("Succeeded"),
  "environment/resource/Validate_Create_Dev_Env/get_environment_00000000-0000-0000-0000-000000000001.json":
    environment,
  "environment/resource/Validate_Create_Early_Release_Cycle/get_environment_00000000-0000-0000-0000-000000000001.json":
    environment,
  "environment/resource/Validate_Create_Environment_And_Dataverse/get_environment_1.json": environment,
  "environment/resource/Validate_Create_Environment_And_Dataverse/get_environment_6.json": environment,
  "environment/resource/Validate_Create_Environment_And_Dataverse/get_lifecycle_new_dataverse.json":
    provisioningPoll,
  "environment/resource/Validate_Create_Lifecycle_Failed/get_lifecycle.json": lifecycleOperation("Failed"),
  "environment/resource/Validate_Create_No_Dataverse/get_environment_00000000-0000-0000-0000-000000000001.json":
    environment,
  "environment/resource/Validate_Create_Waits_For_Dataverse_Metadata/get_environment_with_dataverse.json":
    environment,
  "environment/resource/Validate_Create_Waits_For_Dataverse_Metadata/get_environment_without_dataverse.json":
    environment,
  "environment/resource/Validate_Create_With_Billing_Policy/get_environment_00000000-0000-0000-0000-000000000001.json":
    environment,
  "environment/resource/Validate_Create_With_Billing_Policy/get_environment_without_billing_policy.json":
    environment,
  "environment/resource/Validate_Do_Not_Retry_On_NoCapacity/post_environment.json": errorBody(
    "POST",
    `${BAP}/environments`,
    409,
    "InsufficientCapacity_StorageDriven",
    (c) =>
      c.admin.createEnvironment({
        location: "europe",
        properties: { displayName: "x", environmentSku: "Sandbox" },
      }),
  ),
  "environment/resource/Validate_Retry_LidecycleOperation/get_lifecycle_delete_1.json":
    lifecycleOperation("Failed"),
  // 409 OperationNotStartable: another operation is running, nothing was created; the client re-sends.
  "environment/resource/Validate_Retry_On_Running_LifecycleOperation/post_environment_operation_in_progress.json":
    {
      method: "POST",
      path: `${BAP}/environments`,
      status: 409,
      then: [{ status: 201, body: { name: ID, properties: { provisioningState: "Succeeded" } } }],
      read: async (client, body) => {
        expect(parseServiceError(body).code).toBe("OperationNotStartable");
        const created = await client.admin.createEnvironment({
          location: "europe",
          properties: { displayName: "x", environmentSku: "Sandbox" },
        });
        expect(created.environmentId).toBe(ID);
      },
    },
  "environment/resource/Validate_Update_Environment_Type/get_environment_0.json": environment,
  "environment/resource/Validate_Update_Environment_Type/get_environment_10.json": environment,
  "environment/resource/Validate_Update_Generative_Ai_Features/get_environment.json": environment,
  "environment_group_rule_set/Validate_Create/get_rule_set.json": ruleSets(
    `/governance/environmentGroups/${ID}/ruleSets`,
    "GET",
    true,
  ),
  "environment_group_rule_set/Validate_Create/post_rule_set.json": ruleSets(
    `/governance/environmentGroups/${ID}/ruleSets`,
    "POST",
    false,
  ),
  "environment_group_rule_set/Validate_Import_Empty_Ruleset/get_rule_set.json": ruleSets(
    `/governance/environmentGroups/${ID}/ruleSets`,
    "GET",
    true,
  ),
  "environment_group_rule_set/Validate_Update/put_rule_set_1.json": ruleSets(
    `/governance/ruleSets/${ID}`,
    "PUT",
    false,
  ),
  "environment_groups/resources/get_environment_group.json": group,
  "licensing/datasource/environments/get_environments_for_policy.json": billingLinks,
  "licensing/datasource/policies/get_billing_policies.json": {
    method: "GET",
    path: "/licensing/billingPolicies",
    read: async (client) => {
      expect((await client.licensing.listBillingPolicies()).map((p) => p.name)).toEqual([
        "billingpolicy1",
        "billingpolicy2",
      ]);
    },
  },
  "licensing/resource/environments/Validate_Read_ParentDeleted/get_billing_policy.json": errorBody(
    "GET",
    `/licensing/billingPolicies/${ID}/environments`,
    404,
    "BillingPolicyNotFound",
    (c) => c.licensing.listBillingPolicyEnvironments(ID),
  ),
  "licensing/resource/environments/Validate_Update/get_environments_for_policy_1.json": billingLinks,
  "licensing/resource/environments/Validate_Update/get_environments_for_policy_11.json": billingLinks,
  "licensing/resource/policies/Validate_Create/post_billing_policy.json": {
    method: "POST",
    path: "/licensing/BillingPolicies",
    status: 201,
    read: async (client) => {
      const created = await client.licensing.createBillingPolicy({
        location: "europe",
        name: "payAsYouGoBillingPolicyExample",
        status: "Enabled",
        billingInstrument: { resourceGroup: "rg", subscriptionId: "sub" },
      });
      expect(created.status).toBe("Enabled");
    },
  },
  "licensing/resource/policies/Validate_Create_TimeoutWithoutFinalStatus/get_billing_policy.json": {
    method: "GET",
    path: `/licensing/billingPolicies/${ID}`,
    read: async (client) => {
      expect((await client.licensing.getBillingPolicy(ID))?.status).toBe("Provisioning");
    },
  },
  "licensing/resource/policies/Validate_Create_WithoutFinalStatusInPostResponse/get_billing_policy.json":
    billingPolicy,
  "licensing/resource/policies/Validate_Create_WithoutFinalStatusInPostResponse/post_billing_policy.json":
    billingPolicy,
  "licensing/resource/policies/Validate_Update/put_billing_policy_1.json": {
    method: "PUT",
    path: `/licensing/billingPolicies/${ID}`,
    read: async (client, body) => {
      const updated = await client.licensing.updateBillingPolicy(ID, { name: "x", status: "Enabled" });
      expect(updated.name).toBe((body as { name: string }).name);
    },
  },
  "managed_environment/resource/Validate_Create_And_Update/get_environment_create_response_extended_0.json": {
    ...environment,
    read: async (client) => {
      const env = await client.admin.getEnvironment(ID);
      expect(env?.properties.governanceConfiguration?.protectionLevel).toBe("Standard");
      expect(
        typeof env?.properties.governanceConfiguration?.settings?.extendedSettings?.maxLimitUserSharing,
      ).toBe("string");
    },
  },
  "managed_environment/resource/Validate_Create_And_Update/get_environment_create_response_not_managed.json":
    environment,
  "managed_environment/resource/Validate_Create_And_Update/get_environment_in_group.json": environment,
  "managed_environment/resource/Validate_Create_And_Update/get_lifecycle.json":
    lifecycleOperation("Succeeded"),
  "tenant_isolation_policy/resource/Validate_Create/policy_response.json": tenantIsolation,
  "tenant_isolation_policy/resource/Validate_Create_Error/error_response.json": errorBody(
    "PUT",
    `${GOV}/v1/tenants/${ID}/tenantIsolationPolicy`,
    400,
    "BadRequest",
    (c) =>
      c.http.send({
        method: "PUT",
        api: "bap",
        path: `${GOV}/v1/tenants/${ID}/tenantIsolationPolicy`,
        endpoint: `PUT ${GOV}/v1/tenants/{tenantId}/tenantIsolationPolicy`,
        body: { properties: { tenantId: ID, isDisabled: false, allowedTenants: [] } },
        expect: [200, 202],
      }),
  ),
  "tenant_isolation_policy/resource/empty_policy.json": tenantIsolation,
  "tenant_isolation_policy/resource/tenant.json": tenant,
  "tenant_settings/datasource/post_list_tenant_settings.json": tenantSettings,
  "tenant_settings/resources/Validate_Create/get_tenant.json": tenant,
  "tenant_settings/resources/Validate_Create/post_update_tenant_settings.json": tenantSettings,
  "powerapps/Validate_Read/get_apps_00000000-0000-0000-0000-000000000001.json": adminApps(ID),
  "powerapps/Validate_Read/get_apps_00000000-0000-0000-0000-000000000002.json": adminApps(
    "00000000-0000-0000-0000-000000000002",
  ),
  "powerapps/Validate_Read/get_environments.json": environmentList,
  "tenant/datasource/Validate_Read/get_tenant.json": tenant,
};

function fixtureFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return fixtureFiles(path);
    return name.endsWith(".json") ? [relative(ROOT, path)] : [];
  });
}

describe("contract: recorded responses", () => {
  const files = fixtureFiles(ROOT).sort();

  it("maps every fixture file to the request it answers", () => {
    expect(files.length).toBeGreaterThan(60);
    expect(files.filter((file) => !(file in CONTRACTS))).toEqual([]);
    expect(Object.keys(CONTRACTS).filter((file) => !files.includes(file))).toEqual([]);
  });

  it.each(files)("%s", async (file) => {
    const contract = CONTRACTS[file];
    expect(contract).toBeDefined();
    const body = JSON.parse(readFileSync(join(ROOT, file), "utf8")) as unknown;
    const t = testClient([
      {
        method: contract!.method,
        path: contract!.path,
        replies: [
          { status: contract!.status ?? 200, body, headers: contract!.headers ?? {} },
          ...(contract!.then ?? []),
        ],
      },
    ]);
    await contract!.read(t.client, body);
    expect(t.fake.unusedReplies()).toEqual([]);
  });
});
