import { afterEach, describe, expect, it } from "vitest";
import type { TenantClient } from "../../src/adapters/tenant/index.js";
import { executeStep } from "../../src/adapters/tenant/step-executor.js";
import type { StepRequest } from "../../src/core/kinds/resource-kind.js";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { testClient, clientForEmulator } from "./fake-fetch.js";

const BAP = "/providers/Microsoft.BusinessAppPlatform";
const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

async function emulatorClient(): Promise<{ emulator: RunningEmulator; client: TenantClient }> {
  const emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), lifecycleDelayMs: 0 });
  running.push(emulator);
  const client = clientForEmulator(emulator.url, {
    lifecycle: { pollIntervalMs: 10, maxPollIntervalMs: 10 },
    licensing: { billingPollIntervalMs: 10 },
  });
  return { emulator, client };
}

function step(partial: Partial<StepRequest> & Pick<StepRequest, "api" | "method" | "path">): StepRequest {
  return { label: "x", description: "test step", expect: [200], async: "none", idempotent: true, ...partial };
}

describe("executeStep against the emulator", () => {
  it("creates an environment, waits for its lifecycle and yields its id; then patches and deletes it", async () => {
    const { client, emulator } = await emulatorClient();
    const created = await executeStep(
      client,
      step({
        api: "bap",
        method: "POST",
        path: `${BAP}/environments?api-version=2023-06-01`,
        body: { location: "europe", properties: { displayName: "From a plan", environmentSku: "Sandbox" } },
        expect: [201, 202],
        async: "lifecycle",
        idempotent: false,
        produces: { ref: "Environment/from-plan#id", from: "lifecycle.environment" },
      }),
    );
    expect(created.status).toBe(202);
    expect(created.operation?.state.id).toBe("Succeeded");
    const id = created.producedId!;
    expect((await client.admin.getEnvironment(id))?.properties.displayName).toBe("From a plan");

    await executeStep(
      client,
      step({
        api: "bap",
        method: "PATCH",
        path: `${BAP}/scopes/admin/environments/${id}?api-version=2021-04-01`,
        body: { properties: { states: { runtime: { id: "AdminMode" } } } },
        expect: [200, 202],
        async: "lifecycle",
      }),
    );
    expect((await client.admin.getEnvironment(id))?.properties.states?.runtime?.id).toBe("AdminMode");

    await executeStep(
      client,
      step({
        api: "bap",
        method: "DELETE",
        path: `${BAP}/scopes/admin/environments/${id}?api-version=2023-06-01`,
        body: { code: "7", message: "Deleted by ppgov" },
        expect: [200, 202, 204, 404],
        async: "lifecycle",
      }),
    );
    expect(await client.admin.getEnvironment(id)).toBeUndefined();
    expect(emulator.requests().every((r) => r.status < 400 || r.status === 404)).toBe(true);
  });

  it("re-sends an environment DELETE whose lifecycle operation ended Failed, and stops after 10 re-sends", async () => {
    const { client, emulator } = await emulatorClient();
    const deleteStep = (id: string): StepRequest =>
      step({
        api: "bap",
        method: "DELETE",
        path: `${BAP}/scopes/admin/environments/${id}?api-version=2023-06-01`,
        body: { code: "7", message: "Deleted by ppgov" },
        expect: [200, 202, 204, 404],
        async: "lifecycle",
        description: `delete environment ${id}`,
      });
    const deletable = (await client.admin.listEnvironments()).filter((e) => e.properties.isDefault !== true);
    const [first, second, third] = deletable.map((e) => e.name);
    const deletes = (id: string | undefined): number =>
      emulator.requests().filter((r) => r.method === "DELETE" && r.path.includes(`/environments/${id}?`))
        .length;

    // Two failed operations, then one that succeeds: three DELETEs, the environment is gone.
    emulator.setFaults({ deleteFailures: 2 });
    const outcome = await executeStep(client, deleteStep(first!), { busyIntervalMs: 1 });
    expect(outcome.operation?.state.id).toBe("Succeeded");
    expect(deletes(first)).toBe(3);
    expect(await client.admin.getEnvironment(first!)).toBeUndefined();

    // Always Failed: 1 DELETE + 10 re-sends, then the failure says so; the environment stays.
    emulator.setFaults({ deleteFailures: 100 });
    const error = await executeStep(client, deleteStep(second!), { busyIntervalMs: 1 }).then(
      () => new Error("resolved") as Error & { code?: string },
      (caught: unknown) => caught as Error & { code?: string },
    );
    expect(error.code).toBe("TENANT_LIFECYCLE_FAILED");
    expect(error.message).toMatch(
      /^delete environment .* failed at stage "Run" .*; sent 11 times, each operation ended Failed$/,
    );
    expect(deletes(second)).toBe(11);
    expect(await client.admin.getEnvironment(second!)).toBeDefined();

    // The admin API's delete does the same.
    emulator.setFaults({ deleteFailures: 1 });
    await client.admin.deleteEnvironment(third!);
    expect(deletes(third)).toBe(2);
    expect(await client.admin.getEnvironment(third!)).toBeUndefined();
  });

  it("does not re-send a create whose lifecycle operation ended Failed", async () => {
    const { client, emulator } = await emulatorClient();
    emulator.setFaults({ lifecycleFailRate: 1 });
    const error = await executeStep(
      client,
      step({
        api: "bap",
        method: "POST",
        path: `${BAP}/environments?api-version=2023-06-01`,
        body: { location: "europe", properties: { displayName: "Fails", environmentSku: "Sandbox" } },
        expect: [201, 202],
        async: "lifecycle",
        idempotent: false,
      }),
      { busyIntervalMs: 1 },
    ).then(
      () => ({ code: "resolved" }),
      (caught: unknown) => caught as { code?: string },
    );
    expect(error.code).toBe("TENANT_LIFECYCLE_FAILED");
    expect(emulator.requests().filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("yields the server-assigned DLP policy name and the new billing policy id after it is final", async () => {
    const { client } = await emulatorClient();
    const policy = await executeStep(
      client,
      step({
        api: "bap",
        method: "POST",
        path: "/providers/PowerPlatform.Governance/v2/policies",
        body: {
          policyDefinition: {
            displayName: "Plan policy",
            defaultConnectorsClassification: "General",
            connectorGroups: [
              { classification: "Confidential", connectors: [] },
              { classification: "General", connectors: [] },
              { classification: "Blocked", connectors: [] },
            ],
            environmentType: "AllEnvironments",
            environments: [],
          },
          customConnectorUrlPatternsDefinition: { rules: null },
        },
        expect: [200, 201],
        idempotent: false,
        produces: { ref: "DlpPolicy/plan#id", from: "body.policyDefinition.name" },
      }),
    );
    expect((await client.governance.getPolicy(policy.producedId!))?.policyDefinition.displayName).toBe(
      "Plan policy",
    );

    const billing = await executeStep(
      client,
      step({
        api: "powerplatform",
        method: "POST",
        path: "/licensing/BillingPolicies?api-version=2022-03-01-preview",
        body: {
          location: "europe",
          name: "plan-billing",
          status: "Enabled",
          billingInstrument: { resourceGroup: "rg", subscriptionId: "00000000-0000-0000-0000-00000000abcd" },
        },
        expect: [200, 201],
        async: "billingPolicyStatus",
        idempotent: false,
        produces: { ref: "BillingPolicy/plan#id", from: "body.id" },
      }),
    );
    expect((billing.body as { status: string }).status).toBe("Enabled");
    expect((await client.licensing.getBillingPolicy(billing.producedId!))?.name).toBe("plan-billing");
  });

  it("fails clearly when a step's response lacks the id it should produce", async () => {
    const t = testClient([
      {
        method: "POST",
        path: "/providers/Microsoft.BusinessAppPlatform/environmentGroups",
        replies: [{ status: 201, body: {} }],
      },
    ]);
    await expect(
      executeStep(
        t.client,
        step({
          api: "bap",
          method: "POST",
          path: `${BAP}/environmentGroups?api-version=2021-04-01`,
          body: { displayName: "g", description: "" },
          expect: [201],
          idempotent: false,
          produces: { ref: "EnvironmentGroup/g#id", from: "body.id" },
          description: "create environment group g",
        }),
      ),
    ).rejects.toThrow(
      "unexpected response from POST /providers/Microsoft.BusinessAppPlatform/environmentGroups: no body.id to identify EnvironmentGroup/g#id (create environment group g)",
    );
  });

  it("sends tenant-host steps to the sharded host and needs the tenant id", async () => {
    const t = testClient([
      {
        method: "POST",
        path: "/environmentmanagement/environmentGroups/g/removeEnvironment/e",
        replies: [{ status: 202 }],
      },
    ]);
    const remove = step({
      api: "powerplatform-tenant",
      method: "POST",
      path: "/environmentmanagement/environmentGroups/g/removeEnvironment/e?api-version=1",
      expect: [202],
      description: "remove e from g",
    });
    await expect(executeStep(t.client, remove)).rejects.toThrow(
      'step "remove e from g" calls the tenant-specific Power Platform API host',
    );
    await executeStep(t.client, remove, { tenantId: "00000000-0000-0000-0000-000000000001" });
    expect(t.fake.requests[0]?.url.host).toBe(
      "000000000000000000000000000000.01.tenant.api.powerplatform.com",
    );
    expect(t.fake.requests[0]?.headers.get("authorization")).toBe("Bearer tok-0-api.powerplatform.com");
  });

  it("re-sends a BAP step refused because another operation is running", async () => {
    const t = testClient([
      {
        method: "POST",
        path: `${BAP}/scopes/admin/environments/e1/modifySku`,
        replies: [
          { status: 409, body: { error: { code: "OperationNotStartable", message: "busy" } } },
          { status: 200, body: {} },
        ],
      },
    ]);
    const outcome = await executeStep(
      t.client,
      step({
        api: "bap",
        method: "POST",
        path: `${BAP}/scopes/admin/environments/e1/modifySku?api-version=2021-04-01`,
        body: { environmentSku: "Production" },
        expect: [200, 202],
        async: "lifecycle",
      }),
      { busyIntervalMs: 5 },
    );
    expect(outcome.status).toBe(200);
    expect(t.fake.requests).toHaveLength(2);
    expect(t.sleeps).toEqual([5]);
  });

  it("takes a 409 on managed-environment settings the environment already has as done, against the emulator", async () => {
    const { emulator, client } = await emulatorClient();
    const target = emulator
      .state()
      .environments!.find((env) => env.properties.displayName === "Contoso Sandbox")!;
    const settings = step({
      api: "bap",
      method: "POST",
      path: `${BAP}/environments/${target.name}/governanceConfiguration?api-version=2021-04-01`,
      body: { protectionLevel: "Standard", settings: { extendedSettings: { solutionCheckerMode: "warn" } } },
      expect: [200, 202, 204],
      async: "lifecycle",
    });
    expect((await executeStep(client, settings)).status).toBe(202);
    // Sent again, as a resumed apply does when the first run was killed after the service took it.
    expect((await executeStep(client, settings)).status).toBe(409);
    const posts = emulator
      .requests()
      .filter((request) => request.method === "POST" && request.path.includes("/governanceConfiguration"));
    expect(posts.map((request) => request.status)).toEqual([202, 409]);
    // A different setting is still a change, and still sent.
    const other = {
      ...settings,
      body: { protectionLevel: "Standard", settings: { extendedSettings: { solutionCheckerMode: "block" } } },
    };
    expect((await executeStep(client, other)).status).toBe(202);
  });
});
