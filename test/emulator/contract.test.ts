/**
 * Contract test: for every recorded response in test/contract/fixtures/tf-provider, the emulator's
 * answer to the same kind of request has the same field names, nesting and JSON types (values may
 * differ). Objects are created through the API where possible, so the emulator's own generated
 * shapes are what gets compared, not echoes of the recordings.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { BAP, GOV, call, waitForOperation } from "./helpers.js";
import { compareShape, type ShapeException } from "./shape.js";

const FIXTURES = fileURLToPath(new URL("../contract/fixtures/tf-provider/", import.meta.url));

function fixture(path: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, path), "utf8")) as unknown;
}

function allFixtures(dir = FIXTURES): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return allFixtures(full);
    return name.endsWith(".json") ? [relative(FIXTURES, full)] : [];
  });
}

/** Recordings the emulator's answers are not compared with, and why. */
const NOT_MODELED: Record<string, string> = {
  "powerapps/Validate_Read/get_apps_00000000-0000-0000-0000-000000000001.json":
    "the emulator's admin apps carry only what impact analysis reads (name, displayName, owner, connectionReferences), not the app's many other fields; the client decodes this recording in test/tenant/contract.test.ts and test/contract/tf-fixtures.test.ts",
  "powerapps/Validate_Read/get_apps_00000000-0000-0000-0000-000000000002.json": "as above",
};

/**
 * Documented exceptions: subtrees whose keys are data, not schema, or that describe things the
 * emulator does not model.
 */
const CONNECTOR_EXCEPTIONS: ShapeException[] = [
  {
    path: "$.value[].properties.connectionParameters",
    reason: "a map keyed by each connector's own parameter names",
  },
  { path: "$.value[].properties.interfaces", reason: "a map keyed by each connector's own interface names" },
];
const USED_BY_UPN: ShapeException[] = [
  {
    path: "$.properties.usedBy.userPrincipalName",
    reason: "the emulator models no Entra users, so it cannot know an owner's UPN",
  },
  { path: "$.value[].properties.usedBy.userPrincipalName", reason: "as above, in a list" },
];
const SERVICE_SCOPE_VIEW: ShapeException[] = [
  {
    path: "$.properties.apiManagementAccountResourceId",
    reason: "only in the scopes/service view the provisionInstance poll returns",
  },
  {
    path: "$.properties.apiManagementEndpoint",
    reason: "only in the scopes/service view the provisionInstance poll returns",
  },
  {
    path: "$.properties.lifecycleAuthority",
    reason: "only in the scopes/service view the provisionInstance poll returns",
  },
];

let emulator: RunningEmulator;
const answers = new Map<string, unknown>();
const EXPAND =
  "$expand=permissions,properties.capacity,properties/billingPolicy,properties/copilotPolicies&api-version=2023-06-01";

async function created(body: unknown): Promise<{ id: string; location: string }> {
  const result = await call(emulator, "POST", `${BAP}/environments?api-version=2023-06-01`, { body });
  expect(result.status).toBe(202);
  const location = result.headers.get("location")!;
  const done = await waitForOperation(emulator, location);
  expect(done.body.state.id).toBe("Succeeded");
  return { id: done.body.links.environment.path.split("/").pop()!, location };
}

async function get(path: string, status = 200): Promise<unknown> {
  const result = await call(emulator, "GET", path);
  expect(result.status, `GET ${path}`).toBe(status);
  return result.body;
}

beforeAll(async () => {
  expect(existsSync(FIXTURES), `recorded fixtures expected at ${FIXTURES}`).toBe(true);
  emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), lifecycleDelayMs: 250 });

  const group = await call<{ id: string }>(
    emulator,
    "POST",
    `${BAP}/environmentGroups?api-version=2021-04-01`,
    {
      body: { displayName: "Contract group", description: "created by the contract test" },
    },
  );
  answers.set("group:post", group.body);
  answers.set("group:get", await get(`${BAP}/environmentGroups/${group.body.id}?api-version=2021-04-01`));

  const policy = await call<{ id: string }>(
    emulator,
    "POST",
    "/licensing/BillingPolicies?api-version=2022-03-01-preview",
    {
      body: {
        location: "europe",
        name: "contractPolicy",
        status: "Enabled",
        billingInstrument: {
          resourceGroup: "rg-contract",
          subscriptionId: "0f0e0d0c-0b0a-4908-8706-050403020100",
        },
      },
    },
  );
  expect(policy.status).toBe(201);
  answers.set("billing:post", policy.body);

  const dataverse = (domainName: string) => ({
    baseLanguage: 1033,
    domainName,
    currency: { code: "EUR" },
    securityGroupId: "00000000-0000-0000-0000-000000000000",
  });
  const rich = await created({
    location: "europe",
    properties: {
      displayName: "Contract rich",
      description: "Dataverse, group, billing policy, AI features",
      environmentSku: "Sandbox",
      azureRegion: "westeurope",
      updateCadence: { id: "Frequent" },
      billingPolicy: { id: policy.body.id },
      databaseType: "CommonDataService",
      linkedEnvironmentMetadata: dataverse("contract-rich"),
      bingChatEnabled: true,
      m365Enabled: true,
    },
  });
  answers.set("lifecycle:create", await get(rich.location));
  const recordedManaged = fixture(
    "managed_environment/resource/Validate_Create_And_Update/get_environment_create_response_extended_0.json",
  ) as { properties: { governanceConfiguration: unknown } };
  const governance = await call(
    emulator,
    "POST",
    `${BAP}/environments/${rich.id}/governanceConfiguration?api-version=2021-04-01`,
    {
      body: recordedManaged.properties.governanceConfiguration,
    },
  );
  expect(governance.status).toBe(202);
  await waitForOperation(emulator, governance.headers.get("location")!);
  answers.set("lifecycle:governance", await get(governance.headers.get("location")!));
  // Into the group only after the settings: the service refuses them for an environment in a group
  // (the Terraform provider's environment models: GovernanceConfigurationChangeBlockedByGroup).
  const joined = await call(
    emulator,
    "PATCH",
    `${BAP}/scopes/admin/environments/${rich.id}?api-version=2021-04-01`,
    {
      body: { properties: { parentEnvironmentGroup: { id: group.body.id } } },
    },
  );
  await waitForOperation(emulator, joined.headers.get("location")!);
  answers.set("env:rich", await get(`${BAP}/scopes/admin/environments/${rich.id}?${EXPAND}`));

  const dev = await created({
    location: "europe",
    properties: {
      displayName: "Contract developer",
      environmentSku: "Developer",
      billingPolicy: { id: policy.body.id },
      databaseType: "CommonDataService",
      linkedEnvironmentMetadata: dataverse("contract-dev"),
      parentEnvironmentGroup: { id: group.body.id },
      usedBy: {
        id: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
        type: "1",
        tenantId: "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
      },
    },
  });
  answers.set("env:dev", await get(`${BAP}/scopes/admin/environments/${dev.id}?${EXPAND}`));
  answers.set(
    "env:list",
    await get(
      `${BAP}/scopes/admin/environments?$expand=properties/billingPolicy,properties/copilotPolicies&api-version=2023-06-01`,
    ),
  );

  const plain = await created({
    location: "europe",
    properties: { displayName: "Contract plain", environmentSku: "Sandbox" },
  });
  const provision = await call(
    emulator,
    "POST",
    `${BAP}/environments/${plain.id}/provisionInstance?api-version=2021-04-01`,
    {
      body: dataverse("contract-plain"),
    },
  );
  expect(provision.status).toBe(202);
  let poll = await call(emulator, "GET", provision.headers.get("location")!);
  while (poll.status === 202) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    poll = await call(emulator, "GET", provision.headers.get("location")!);
  }
  answers.set("lifecycle:provision", poll.body);

  const busy = await call(
    emulator,
    "PATCH",
    `${BAP}/scopes/admin/environments/${dev.id}?api-version=2021-04-01`,
    {
      body: { properties: { description: "first" } },
    },
  );
  const conflict = await call(
    emulator,
    "PATCH",
    `${BAP}/scopes/admin/environments/${dev.id}?api-version=2021-04-01`,
    {
      body: { properties: { description: "second" } },
    },
  );
  expect(conflict.status).toBe(409);
  answers.set("error:busy", conflict.body);
  await waitForOperation(emulator, busy.headers.get("location")!);
  const badLocation = await call(emulator, "POST", `${BAP}/environments?api-version=2023-06-01`, {
    body: { location: "atlantis", properties: { displayName: "x", environmentSku: "Sandbox" } },
  });
  answers.set("error:bap", badLocation.body);

  emulator.setFaults({ lifecycleFailRate: 1 });
  const failing = await call(emulator, "POST", `${BAP}/environments?api-version=2023-06-01`, {
    body: { location: "europe", properties: { displayName: "Contract failing", environmentSku: "Sandbox" } },
  });
  answers.set("lifecycle:failed", (await waitForOperation(emulator, failing.headers.get("location")!)).body);
  const failingDelete = await call(
    emulator,
    "DELETE",
    `${BAP}/scopes/admin/environments/${plain.id}?api-version=2023-06-01`,
    {
      body: { code: "7", message: "Deleted by the contract test" },
    },
  );
  answers.set(
    "lifecycle:failedDelete",
    (await waitForOperation(emulator, failingDelete.headers.get("location")!)).body,
  );
  emulator.setFaults({});

  // DLP: the recorded create response, sent back as a request (it carries `endPoint`, rules, patterns).
  const recordedPolicy = fixture(
    "dlp_policy/resource/Validate_Create/get_policy_00000000-0000-0000-0000-000000000001.json",
  ) as {
    policyDefinition: Record<string, unknown>;
  };
  const request = structuredClone(recordedPolicy);
  for (const key of ["name", "etag", "createdTime", "lastModifiedTime"]) delete request.policyDefinition[key];
  request.policyDefinition.environments = [
    {
      id: `${BAP}/scopes/admin/environments/${rich.id}`,
      name: rich.id,
      type: "Microsoft.BusinessAppPlatform/scopes/environments",
    },
  ];
  const dlp = await call<{ policyDefinition: { name: string } }>(emulator, "POST", `${GOV}/v2/policies`, {
    body: request,
  });
  expect(dlp.status).toBe(201);
  answers.set("dlp:post", dlp.body);
  answers.set("dlp:get", await get(`${GOV}/v2/policies/${dlp.body.policyDefinition.name}`));
  answers.set("dlp:list", await get(`${GOV}/v2/policies`));

  answers.set(
    "connectors:apis",
    await get(
      "/providers/Microsoft.PowerApps/apis?$filter=environment eq '~Default'&api-version=2019-05-01&hideDlpExemptApis=true&showAllDlpEnforceableApis=true&showApisWithToS=true",
    ),
  );
  answers.set("connectors:unblockable", await get(`${GOV}/v1/connectors/metadata/unblockable`));
  answers.set("connectors:virtual", await get(`${GOV}/v1/connectors/metadata/virtual`));

  answers.set("billing:list", await get("/licensing/billingPolicies?api-version=2022-03-01-preview"));
  answers.set(
    "billing:get",
    await get(`/licensing/billingPolicies/${policy.body.id}?api-version=2022-03-01-preview`),
  );
  const renamed = await call(
    emulator,
    "PUT",
    `/licensing/billingPolicies/${policy.body.id}?api-version=2022-03-01-preview`,
    {
      body: { name: "contractPolicyRenamed", status: "Enabled" },
    },
  );
  answers.set("billing:put", renamed.body);
  answers.set(
    "billing:environments",
    await get(`/licensing/billingPolicies/${policy.body.id}/environments?api-version=2022-03-01-preview`),
  );
  answers.set(
    "billing:notFound",
    await get(
      "/licensing/billingPolicies/00000000-0000-0000-0000-000000000000?api-version=2022-03-01-preview",
      404,
    ),
  );
  answers.set("capacity", await get("/licensing/tenantCapacity?api-version=2022-03-01-preview"));

  answers.set("locations", await get(`${BAP}/locations?api-version=2023-06-01`));
  answers.set(
    "currencies",
    await get(`${BAP}/locations/unitedstates/environmentCurrencies?api-version=2023-06-01`),
  );
  answers.set(
    "languages",
    await get(`${BAP}/locations/unitedstates/environmentLanguages?api-version=2023-06-01`),
  );

  const settings = await call(emulator, "POST", `${BAP}/listTenantSettings?api-version=2023-06-01`);
  answers.set("settings:list", settings.body);
  const updated = await call(
    emulator,
    "POST",
    `${BAP}/scopes/admin/updateTenantSettings?api-version=2023-06-01`,
    {
      body: { walkMeOptOut: true },
    },
  );
  answers.set("settings:update", updated.body);
  answers.set("tenant", await get(`${BAP}/tenant?api-version=2021-04-01`));

  const state = emulator.state();
  const isolation = `/providers/PowerPlatform.Governance/v1/tenants/${state.tenantId}/tenantIsolationPolicy`;
  const put = await call(emulator, "PUT", isolation, {
    body: {
      properties: {
        tenantId: state.tenantId,
        isDisabled: false,
        allowedTenants: [
          { tenantId: "11111111-1111-1111-1111-111111111111", direction: { inbound: true, outbound: false } },
        ],
      },
    },
  });
  answers.set("isolation:put", put.body);
  answers.set("isolation:get", await get(isolation));
  const badIsolation = await call(
    emulator,
    "PUT",
    `/providers/PowerPlatform.Governance/v1/tenants/not-a-guid/tenantIsolationPolicy`,
    {
      body: { properties: { allowedTenants: [] } },
    },
  );
  expect(badIsolation.status).toBe(400);
  answers.set("isolation:error", badIsolation.body);

  const ruleSets = `/governance/environmentGroups/${group.body.id}/ruleSets?api-version=2021-10-01-preview`;
  const recordedRuleSet = fixture("environment_group_rule_set/Validate_Create/post_rule_set.json");
  const ruleSet = await call<{ id: string }>(emulator, "POST", ruleSets, { body: recordedRuleSet });
  expect(ruleSet.status).toBe(201);
  answers.set("ruleSet:post", ruleSet.body);
  answers.set("ruleSet:list", await get(ruleSets));
  const recordedUpdate = fixture("environment_group_rule_set/Validate_Update/put_rule_set_1.json") as {
    parameters: unknown;
  };
  const putRuleSet = await call(
    emulator,
    "PUT",
    `/governance/ruleSets/${ruleSet.body.id}?api-version=2021-10-01-preview`,
    {
      body: { parameters: recordedUpdate.parameters },
    },
  );
  answers.set("ruleSet:put", putRuleSet.body);
}, 60_000);

afterAll(async () => {
  await emulator?.close();
});

/** Recorded file → the answer it is compared with, plus any documented exceptions. */
const CASES: Record<string, { answer: string; exceptions?: ShapeException[] }> = {
  "environment/datasource/Validate_Read/get_environments.json": {
    answer: "env:list",
    exceptions: USED_BY_UPN,
  },
  "environment/datasource/Validate_Read/get_environment_00000000-0000-0000-0000-000000000001.json": {
    answer: "env:rich",
  },
  "environment/datasource/Validate_Read/get_environment_00000000-0000-0000-0000-000000000002.json": {
    answer: "env:rich",
  },
  "environment/resource/Create_Environment_And_Add_Env_Group/get_environment_00000000-0000-0000-0000-000000000001_1.json":
    { answer: "env:rich" },
  "environment/resource/Create_Environment_And_Add_Env_Group/get_environments_1.json": { answer: "env:list" },
  "environment/resource/Create_Environment_And_Add_Env_Group/get_environment_group_2.json": {
    answer: "group:get",
  },
  "environment/resource/Create_Environment_And_Add_Env_Group/post_environment_group_1.json": {
    answer: "group:post",
  },
  "environment/resource/Validate_Create/get_environment_00000000-0000-0000-0000-000000000001.json": {
    answer: "env:rich",
  },
  "environment/resource/Validate_Create/get_lifecycle.json": { answer: "lifecycle:create" },
  "environment/resource/Validate_Create/get_lifecycle_delete.json": { answer: "lifecycle:create" },
  "environment/resource/Validate_Create_Dev_Env/get_environment_00000000-0000-0000-0000-000000000001.json": {
    answer: "env:dev",
    exceptions: USED_BY_UPN,
  },
  "environment/resource/Validate_Create_Early_Release_Cycle/get_environment_00000000-0000-0000-0000-000000000001.json":
    { answer: "env:rich" },
  "environment/resource/Validate_Create_Environment_And_Dataverse/get_environment_1.json": {
    answer: "env:rich",
  },
  "environment/resource/Validate_Create_Environment_And_Dataverse/get_environment_6.json": {
    answer: "env:rich",
  },
  "environment/resource/Validate_Create_Environment_And_Dataverse/get_lifecycle_new_dataverse.json": {
    answer: "lifecycle:provision",
    exceptions: SERVICE_SCOPE_VIEW,
  },
  "environment/resource/Validate_Create_Lifecycle_Failed/get_lifecycle.json": { answer: "lifecycle:failed" },
  "environment/resource/Validate_Create_No_Dataverse/get_environment_00000000-0000-0000-0000-000000000001.json":
    { answer: "env:rich" },
  "environment/resource/Validate_Create_Waits_For_Dataverse_Metadata/get_environment_with_dataverse.json": {
    answer: "env:rich",
  },
  "environment/resource/Validate_Create_Waits_For_Dataverse_Metadata/get_environment_without_dataverse.json":
    { answer: "env:rich" },
  "environment/resource/Validate_Create_With_Billing_Policy/get_environment_00000000-0000-0000-0000-000000000001.json":
    { answer: "env:rich" },
  "environment/resource/Validate_Create_With_Billing_Policy/get_environment_without_billing_policy.json": {
    answer: "env:rich",
  },
  "environment/resource/Validate_Do_Not_Retry_On_NoCapacity/post_environment.json": { answer: "error:bap" },
  "environment/resource/Validate_Retry_LidecycleOperation/get_lifecycle_delete_1.json": {
    answer: "lifecycle:failedDelete",
  },
  "environment/resource/Validate_Retry_On_Running_LifecycleOperation/post_environment_operation_in_progress.json":
    { answer: "error:busy" },
  "environment/resource/Validate_Update_Environment_Type/get_environment_0.json": { answer: "env:rich" },
  "environment/resource/Validate_Update_Environment_Type/get_environment_10.json": { answer: "env:rich" },
  "environment/resource/Validate_Update_Generative_Ai_Features/get_environment.json": { answer: "env:rich" },
  "managed_environment/resource/Validate_Create_And_Update/get_environment_create_response_extended_0.json": {
    answer: "env:rich",
  },
  "managed_environment/resource/Validate_Create_And_Update/get_environment_create_response_not_managed.json":
    { answer: "env:rich" },
  "managed_environment/resource/Validate_Create_And_Update/get_environment_in_group.json": {
    answer: "env:rich",
  },
  "managed_environment/resource/Validate_Create_And_Update/get_lifecycle.json": {
    answer: "lifecycle:governance",
  },
  "environment_groups/resources/get_environment_group.json": { answer: "group:get" },
  "dlp_policy/datasource/Validate_Read/get_policies.json": { answer: "dlp:list" },
  "dlp_policy/datasource/Validate_Read/get_policy_00000000-0000-0000-0000-000000000001.json": {
    answer: "dlp:get",
  },
  "dlp_policy/datasource/Validate_Read/get_policy_00000000-0000-0000-0000-000000000002.json": {
    answer: "dlp:get",
  },
  "dlp_policy/resource/Validate_Create/get_policy_00000000-0000-0000-0000-000000000001.json": {
    answer: "dlp:post",
  },
  "connectors/Validate_Read/get_apis.json": { answer: "connectors:apis", exceptions: CONNECTOR_EXCEPTIONS },
  "connectors/Validate_Read/get_unblockable.json": { answer: "connectors:unblockable" },
  "connectors/Validate_Read/get_virtual.json": { answer: "connectors:virtual" },
  "licensing/datasource/policies/get_billing_policies.json": { answer: "billing:list" },
  "licensing/datasource/environments/get_environments_for_policy.json": { answer: "billing:environments" },
  "licensing/resource/environments/Validate_Update/get_environments_for_policy_1.json": {
    answer: "billing:environments",
  },
  "licensing/resource/environments/Validate_Update/get_environments_for_policy_11.json": {
    answer: "billing:environments",
  },
  "licensing/resource/environments/Validate_Read_ParentDeleted/get_billing_policy.json": {
    answer: "billing:notFound",
  },
  "licensing/resource/policies/Validate_Create/post_billing_policy.json": { answer: "billing:post" },
  "licensing/resource/policies/Validate_Create_WithoutFinalStatusInPostResponse/post_billing_policy.json": {
    answer: "billing:post",
  },
  "licensing/resource/policies/Validate_Create_WithoutFinalStatusInPostResponse/get_billing_policy.json": {
    answer: "billing:get",
  },
  "licensing/resource/policies/Validate_Create_TimeoutWithoutFinalStatus/get_billing_policy.json": {
    answer: "billing:get",
  },
  "licensing/resource/policies/Validate_Update/put_billing_policy_1.json": { answer: "billing:put" },
  "capacity/datasource/Validate_Read/get_tenant_capacity.json": { answer: "capacity" },
  "locations/datasource/Validate_Read/get_locations.json": { answer: "locations" },
  "currencies/datasource/Validate_Read/get_currencies.json": { answer: "currencies" },
  "languages/datasource/Validate_Read/get_languages.json": { answer: "languages" },
  "tenant_settings/datasource/post_list_tenant_settings.json": { answer: "settings:list" },
  "tenant_settings/resources/Validate_Create/post_update_tenant_settings.json": { answer: "settings:update" },
  "tenant_settings/resources/Validate_Create/get_tenant.json": { answer: "tenant" },
  "tenant_isolation_policy/resource/tenant.json": { answer: "tenant" },
  "tenant/datasource/Validate_Read/get_tenant.json": { answer: "tenant" },
  "powerapps/Validate_Read/get_environments.json": { answer: "env:list" },
  "tenant_isolation_policy/resource/Validate_Create/policy_response.json": { answer: "isolation:put" },
  "tenant_isolation_policy/resource/empty_policy.json": { answer: "isolation:get" },
  "tenant_isolation_policy/resource/Validate_Create_Error/error_response.json": { answer: "isolation:error" },
  "environment_group_rule_set/Validate_Create/post_rule_set.json": { answer: "ruleSet:post" },
  "environment_group_rule_set/Validate_Create/get_rule_set.json": { answer: "ruleSet:list" },
  "environment_group_rule_set/Validate_Import_Empty_Ruleset/get_rule_set.json": { answer: "ruleSet:list" },
  "environment_group_rule_set/Validate_Update/put_rule_set_1.json": { answer: "ruleSet:put" },
};

describe("emulator responses have the recorded shapes", () => {
  it("covers every recorded fixture (or says why not)", () => {
    const uncovered = allFixtures().filter((file) => !(file in CASES) && !(file in NOT_MODELED));
    expect(uncovered).toEqual([]);
    const stale = Object.keys(CASES).filter((file) => !existsSync(join(FIXTURES, file)));
    expect(stale).toEqual([]);
  });

  it.each(Object.entries(CASES))("%s", (file, { answer, exceptions }) => {
    expect(answers.has(answer), `answer ${answer} was collected`).toBe(true);
    expect(compareShape(fixture(file), answers.get(answer), exceptions)).toEqual([]);
  });
});
