import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadSeedFile, sampleSeedPath, type EmulatorSeed } from "../../src/emulator/server.js";
import type { RunningEmulator } from "../../src/emulator/server.js";
import { BAP, call, closeAll, waitForOperation, withEmulator } from "./helpers.js";

interface Env {
  name: string;
  id: string;
  location: string;
  properties: Record<string, unknown> & {
    displayName: string;
    environmentSku: string;
    linkedEnvironmentMetadata?: Record<string, unknown> | null;
    parentEnvironmentGroup?: { id: string };
    states: { management: { id: string }; runtime: { id: string } };
    governanceConfiguration: {
      protectionLevel: string;
      settings?: { extendedSettings: Record<string, string> };
    };
  };
}
interface Page<T> {
  value: T[];
  nextLink?: string;
}

const started: RunningEmulator[] = [];
let sample: EmulatorSeed;
beforeAll(async () => {
  sample = await loadSeedFile(sampleSeedPath);
});
afterEach(() => closeAll(started));

async function createEnv(
  emulator: RunningEmulator,
  properties: Record<string, unknown>,
  location = "europe",
) {
  const created = await call(emulator, "POST", `${BAP}/environments?api-version=2023-06-01`, {
    body: { location, properties },
  });
  return created;
}

describe("environments", () => {
  it("lists every environment across pages linked by an absolute nextLink", async () => {
    const emulator = await withEmulator(started, { seed: sample, pageSize: 5 });
    const names: string[] = [];
    let next: string | undefined = `${BAP}/scopes/admin/environments?api-version=2023-06-01`;
    let pages = 0;
    while (next) {
      const result: { status: number; body: Page<Env> } = await call<Page<Env>>(emulator, "GET", next);
      expect(result.status).toBe(200);
      names.push(...result.body.value.map((env) => env.name));
      next = result.body.nextLink;
      if (next) expect(next.startsWith(`${emulator.url}/`)).toBe(true);
      pages++;
    }
    expect(pages).toBe(3);
    expect(names).toHaveLength(13);
    expect(new Set(names).size).toBe(13);
  });

  it("filters by environment group and gets one environment, 404 in the BAP error shape", async () => {
    const emulator = await withEmulator(started, { seed: sample });
    const group = sample.environmentGroups!.find((g) => g.displayName === "Finance")!;
    const filtered = await call<Page<Env>>(
      emulator,
      "GET",
      `${BAP}/scopes/admin/environments?$filter=properties/parentEnvironmentGroup/id eq ${group.id}&api-version=2021-04-01`,
    );
    expect(filtered.body.value.map((env) => env.properties.displayName).sort()).toEqual([
      "Finance Production",
      "Finance UAT",
    ]);
    const missing = await call(
      emulator,
      "GET",
      `${BAP}/scopes/admin/environments/11111111-2222-3333-4444-555555555555`,
    );
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      error: { code: "EnvironmentNotFound", detailUrlType: "NotSpecified" },
    });
  });

  it("expands the billing policy projection and capacity only when asked", async () => {
    const emulator = await withEmulator(started, { seed: sample });
    const sandbox = sample.environments!.find((env) => env.properties.displayName === "Contoso Sandbox")!;
    const plain = await call<Env>(emulator, "GET", `${BAP}/scopes/admin/environments/${sandbox.name}`);
    expect(plain.body.properties.billingPolicy).toBeUndefined();
    const expanded = await call<Env>(
      emulator,
      "GET",
      `${BAP}/scopes/admin/environments/${sandbox.name}?$expand=permissions,properties.capacity,properties/billingPolicy&api-version=2023-06-01`,
    );
    expect(expanded.body.properties.billingPolicy).toMatchObject({
      name: "Contoso pay-as-you-go",
      status: "Enabled",
    });
    expect((expanded.body.properties.capacity as unknown[]).length).toBe(5);
  });

  it("creates through a lifecycle operation that moves Running -> Succeeded", async () => {
    const emulator = await withEmulator(started, { lifecycleDelayMs: 400 });
    const created = await createEnv(emulator, {
      displayName: "Contoso Sandbox",
      environmentSku: "Sandbox",
      linkedEnvironmentMetadata: { baseLanguage: 1033, domainName: "contoso-sbx", currency: { code: "EUR" } },
    });
    expect(created.status).toBe(202);
    const location = created.headers.get("location")!;
    expect(created.headers.get("retry-after")).toBeNull(); // sub-second operations: no whole-second hint
    expect(location).toMatch(
      new RegExp(
        `^${emulator.url}/providers/Microsoft.BusinessAppPlatform/lifecycleOperations/[0-9a-f-]{36}\\?api-version=2023-06-01$`,
      ),
    );
    const first = await call<{ state: { id: string }; stages: { id: string; state: { id: string } }[] }>(
      emulator,
      "GET",
      location,
    );
    expect(first.body.state.id).toBe("Running");
    expect(first.body.stages.map((stage) => stage.state.id)).toEqual([
      "Succeeded",
      "Succeeded",
      "Running",
      "NotStarted",
    ]);
    const list = await call<Page<Env>>(emulator, "GET", `${BAP}/scopes/admin/environments`);
    expect(list.body.value).toHaveLength(0);
    const done = await waitForOperation(emulator, location);
    expect(done.body.state.id).toBe("Succeeded");
    const id = done.body.links.environment.path.split("/").pop()!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const env = await call<Env>(emulator, "GET", `${BAP}/scopes/admin/environments/${id}`);
    expect(env.status).toBe(200);
    expect(env.body.properties).toMatchObject({
      displayName: "Contoso Sandbox",
      environmentSku: "Sandbox",
      provisioningState: "Succeeded",
      azureRegion: "westeurope",
      isDefault: false,
      states: { management: { id: "Ready" } },
      governanceConfiguration: { protectionLevel: "Basic" },
    });
    expect(env.body.properties.linkedEnvironmentMetadata).toMatchObject({
      domainName: "contoso-sbx",
      instanceUrl: "https://contoso-sbx.crm4.dynamics.com/",
      baseLanguage: 1033,
    });
    expect(typeof env.body.properties.createdTime).toBe("string");
  });

  it("lets reads lag behind a finished operation under the consistencyLagMs fault", async () => {
    const emulator = await withEmulator(started, { seed: sample, faults: { consistencyLagMs: 300 } });
    const policy = sample.billingPolicies![0]!;
    const created = await createEnv(emulator, {
      displayName: "Lagging",
      environmentSku: "Sandbox",
      billingPolicy: { id: policy.id },
      linkedEnvironmentMetadata: { baseLanguage: 1033, domainName: "lagging", currency: { code: "USD" } },
    });
    const done = await waitForOperation(emulator, created.headers.get("location")!);
    const id = done.body.links.environment.path.split("/").pop()!;
    const path = `${BAP}/scopes/admin/environments/${id}?$expand=properties/billingPolicy`;
    const stale = await call<Env>(emulator, "GET", path);
    expect(stale.body.properties.linkedEnvironmentMetadata).toBeNull();
    expect(stale.body.properties.billingPolicy).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 320));
    const fresh = await call<Env>(emulator, "GET", path);
    expect(fresh.body.properties.linkedEnvironmentMetadata).toMatchObject({ domainName: "lagging" });
    expect(fresh.body.properties.billingPolicy).toMatchObject({ id: policy.id });
    const patched = await call(emulator, "PATCH", path, { body: { properties: { description: "changed" } } });
    await waitForOperation(emulator, patched.headers.get("location")!);
    const running = await call<Env>(emulator, "GET", path);
    expect(running.body.properties.states.management.id).toBe("Running");
    expect(running.body.properties.description).toBe("changed");
  });

  it("answers 409 OperationNotStartable while an operation runs on the environment", async () => {
    const emulator = await withEmulator(started, { seed: sample, lifecycleDelayMs: 800 });
    const target = sample.environments!.find((env) => env.properties.displayName === "Marketing Sandbox")!;
    const path = `${BAP}/scopes/admin/environments/${target.name}?api-version=2021-04-01`;
    const first = await call(emulator, "PATCH", path, { body: { properties: { description: "one" } } });
    expect(first.status).toBe(202);
    expect(first.headers.get("retry-after")).toBeNull();
    const second = await call(emulator, "PATCH", path, { body: { properties: { description: "two" } } });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ error: { code: "OperationNotStartable" } });
    const del = await call(emulator, "DELETE", path, { body: { code: "7", message: "Deleted by ppgov" } });
    expect(del.status).toBe(409);
    await waitForOperation(emulator, first.headers.get("location")!);
    const after = await call<Env>(emulator, "GET", path);
    expect(after.body.properties.description).toBe("one");
  });

  it("applies a PATCH of name, cadence, group membership, admin mode and Dataverse settings", async () => {
    const emulator = await withEmulator(started, { seed: sample });
    const target = sample.environments!.find((env) => env.properties.displayName === "Finance UAT")!;
    const sandboxes = sample.environmentGroups!.find((g) => g.displayName === "Sandboxes")!;
    const path = `${BAP}/scopes/admin/environments/${target.name}?api-version=2021-04-01`;
    const patched = await call(emulator, "PATCH", path, {
      body: {
        properties: {
          displayName: "Finance Test",
          description: "renamed",
          updateCadence: { id: "Moderate" },
          parentEnvironmentGroup: { id: sandboxes.id },
          states: { runtime: { id: "AdminMode" } },
          linkedEnvironmentMetadata: { securityGroupId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" },
        },
      },
    });
    expect(patched.status).toBe(202);
    expect((await waitForOperation(emulator, patched.headers.get("location")!)).body.state.id).toBe(
      "Succeeded",
    );
    const env = await call<Env>(emulator, "GET", path);
    expect(env.body.properties).toMatchObject({
      displayName: "Finance Test",
      description: "renamed",
      updateCadence: { id: "Moderate" },
      parentEnvironmentGroup: { id: sandboxes.id },
      states: { runtime: { id: "AdminMode" } },
      linkedEnvironmentMetadata: { securityGroupId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" },
    });
    const removed = await call(emulator, "PATCH", path, {
      body: { properties: { parentEnvironmentGroup: { id: "00000000-0000-0000-0000-000000000000" } } },
    });
    await waitForOperation(emulator, removed.headers.get("location")!);
    expect((await call<Env>(emulator, "GET", path)).body.properties.parentEnvironmentGroup).toBeUndefined();
  });

  it("refuses managed-environment settings of an environment in a group, and takes them once it left", async () => {
    const emulator = await withEmulator(started, { seed: sample });
    const target = sample.environments!.find((env) => env.properties.displayName === "Finance UAT")!;
    const governance = `${BAP}/environments/${target.name}/governanceConfiguration?api-version=2021-04-01`;
    const body = {
      protectionLevel: "Standard",
      settings: { extendedSettings: { limitSharingMode: "noLimit" } },
    };
    // The Terraform provider: every governanceConfiguration call for an environment in a group is refused.
    const refused = await call(emulator, "POST", governance, { body });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: "GovernanceConfigurationChangeBlockedByGroup" } });
    const path = `${BAP}/scopes/admin/environments/${target.name}?api-version=2021-04-01`;
    const left = await call(emulator, "PATCH", path, {
      body: { properties: { parentEnvironmentGroup: { id: "00000000-0000-0000-0000-000000000000" } } },
    });
    await waitForOperation(emulator, left.headers.get("location")!);
    const accepted = await call(emulator, "POST", governance, { body });
    expect(accepted.status).toBe(202);
  });

  it("answers 204 to an AI-features PATCH that changes nothing", async () => {
    const emulator = await withEmulator(started, { seed: sample });
    const target = sample.environments!.find((env) => env.properties.displayName === "Contoso Sandbox")!;
    const path = `${BAP}/scopes/admin/environments/${target.name}?api-version=2021-04-01`;
    const same = await call(emulator, "PATCH", path, { body: { properties: { m365Enabled: true } } });
    expect(same.status).toBe(204);
    const changed = await call(emulator, "PATCH", path, { body: { properties: { m365Enabled: false } } });
    expect(changed.status).toBe(202);
  });

  it("deletes with a JSON body and the environment disappears after the operation", async () => {
    const emulator = await withEmulator(started, { seed: sample });
    const target = sample.environments!.find((env) => env.properties.displayName === "Trial - Sales pilot")!;
    const path = `${BAP}/scopes/admin/environments/${target.name}?api-version=2023-06-01`;
    const deleted = await call(emulator, "DELETE", path, {
      body: { code: "7", message: "Deleted using ppgov" },
    });
    expect(deleted.status).toBe(202);
    expect((await waitForOperation(emulator, deleted.headers.get("location")!)).body.state.id).toBe(
      "Succeeded",
    );
    expect((await call(emulator, "GET", path)).status).toBe(404);
    const defaultEnv = sample.environments!.find((env) => env.properties.isDefault === true)!;
    const refused = await call(emulator, "DELETE", `${BAP}/scopes/admin/environments/${defaultEnv.name}`);
    expect(refused.status).toBe(400);
  });

  it("changes the SKU through modifySku with an Operation-Location header", async () => {
    const emulator = await withEmulator(started, { seed: sample });
    const target = sample.environments!.find((env) => env.properties.displayName === "Contoso Sandbox")!;
    const result = await call(
      emulator,
      "POST",
      `${BAP}/scopes/admin/environments/${target.name}/modifySku?api-version=2021-04-01`,
      {
        body: { environmentSku: "Production" },
      },
    );
    expect(result.status).toBe(202);
    expect(result.headers.get("location")).toBeNull();
    const done = await waitForOperation(emulator, result.headers.get("operation-location")!);
    expect(done.body.state.id).toBe("Succeeded");
    const env = await call<Env>(emulator, "GET", `${BAP}/scopes/admin/environments/${target.name}`);
    expect(env.body.properties.environmentSku).toBe("Production");
    const bad = await call(emulator, "POST", `${BAP}/scopes/admin/environments/${target.name}/modifySku`, {
      body: { environmentSku: "Gold" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: "InvalidEnvironmentSku" } });
  });

  it("adds Dataverse with provisionInstance, whose poll answers the environment object", async () => {
    const emulator = await withEmulator(started, { seed: sample, lifecycleDelayMs: 400 });
    const target = sample.environments!.find((env) => env.properties.displayName === "Marketing Sandbox")!;
    const started202 = await call(
      emulator,
      "POST",
      `${BAP}/environments/${target.name}/provisionInstance?api-version=2021-04-01`,
      {
        body: { baseLanguage: 1033, domainName: "contoso-mkt", currency: { code: "USD" } },
      },
    );
    expect(started202.status).toBe(202);
    const location = started202.headers.get("location")!;
    const running = await call<Env>(emulator, "GET", location);
    expect(running.status).toBe(202);
    expect(running.body.properties.provisioningState).toBe("LinkedDatabaseProvisioning");
    let final = running;
    while (final.status === 202) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      final = await call<Env>(emulator, "GET", location);
    }
    expect(final.status).toBe(200);
    expect(final.body.properties.provisioningState).toBe("Succeeded");
    expect(final.body.properties.linkedEnvironmentMetadata).toMatchObject({ domainName: "contoso-mkt" });
  });

  it("enables a managed environment through governanceConfiguration", async () => {
    const emulator = await withEmulator(started, { seed: sample });
    const target = sample.environments!.find((env) => env.properties.displayName === "Contoso Sandbox")!;
    const result = await call(
      emulator,
      "POST",
      `${BAP}/environments/${target.name}/governanceConfiguration?api-version=2021-04-01`,
      {
        body: {
          protectionLevel: "Standard",
          settings: { extendedSettings: { maxLimitUserSharing: "10", solutionCheckerMode: "block" } },
        },
      },
    );
    expect(result.status).toBe(202);
    const done = await call<{ type: { id: string } }>(emulator, "GET", result.headers.get("location")!);
    expect(done.body.type.id).toBe("EnableGovernanceConfiguration");
    await waitForOperation(emulator, result.headers.get("location")!);
    const env = await call<Env>(emulator, "GET", `${BAP}/scopes/admin/environments/${target.name}`);
    expect(env.body.properties.governanceConfiguration).toEqual({
      protectionLevel: "Standard",
      settings: { extendedSettings: { maxLimitUserSharing: "10", solutionCheckerMode: "block" } },
    });
    const notStrings = await call(
      emulator,
      "POST",
      `${BAP}/environments/${target.name}/governanceConfiguration`,
      {
        body: { protectionLevel: "Standard", settings: { extendedSettings: { maxLimitUserSharing: 10 } } },
      },
    );
    expect(notStrings.status).toBe(400);
  });

  it("answers 409 to a governanceConfiguration the environment already has (wire-formats §3.2)", async () => {
    const emulator = await withEmulator(started, { seed: sample });
    const target = sample.environments!.find((env) => env.properties.displayName === "Contoso Sandbox")!;
    const post = (body: unknown) =>
      call(emulator, "POST", `${BAP}/environments/${target.name}/governanceConfiguration`, { body });
    expect((await post({ protectionLevel: "Basic" })).status).toBe(409);
    const managed = {
      protectionLevel: "Standard",
      settings: { extendedSettings: { solutionCheckerMode: "warn" } },
    };
    const enabled = await post(managed);
    expect(enabled.status).toBe(202);
    await waitForOperation(emulator, enabled.headers.get("location")!);
    expect((await post(managed)).status).toBe(409);
    // Another setting is a change: accepted.
    const changed = await post({
      protectionLevel: "Standard",
      settings: { extendedSettings: { solutionCheckerMode: "block" } },
    });
    expect(changed.status).toBe(202);
  });

  it("refuses an unknown location, a bad SKU, a bad region and a domain already in use", async () => {
    const emulator = await withEmulator(started, { seed: sample });
    const badLocation = await createEnv(
      emulator,
      { displayName: "X", environmentSku: "Sandbox" },
      "atlantis",
    );
    expect(badLocation.status).toBe(400);
    expect(badLocation.body).toMatchObject({ error: { code: "InvalidLocation" } });
    const badSku = await createEnv(emulator, { displayName: "X", environmentSku: "Default" });
    expect(badSku.body).toMatchObject({ error: { code: "InvalidEnvironmentSku" } });
    const badRegion = await createEnv(emulator, {
      displayName: "X",
      environmentSku: "Sandbox",
      azureRegion: "eastus",
    });
    expect(badRegion.body).toMatchObject({ error: { code: "InvalidAzureRegion" } });
    const taken = await createEnv(emulator, {
      displayName: "X",
      environmentSku: "Sandbox",
      linkedEnvironmentMetadata: {
        domainName: "contoso-test",
        baseLanguage: 1033,
        currency: { code: "EUR" },
      },
    });
    expect(taken.status).toBe(400);
    expect(taken.body).toMatchObject({ error: { code: "DomainNameAlreadyInUse" } });
    const validate = await call(
      emulator,
      "POST",
      `${BAP}/validateEnvironmentDetails?api-version=2021-04-01`,
      {
        body: { domainName: "contoso-test", environmentLocation: "europe" },
      },
    );
    expect(validate.status).toBe(400);
    const free = await call(emulator, "POST", `${BAP}/validateEnvironmentDetails`, {
      body: { domainName: "brand-new", environmentLocation: "europe" },
    });
    expect(free.status).toBe(200);
  });

  it("serves locations, currencies and languages in the recorded shapes", async () => {
    const emulator = await withEmulator(started);
    const locations = await call<Page<{ name: string }>>(
      emulator,
      "GET",
      `${BAP}/locations?api-version=2023-06-01`,
    );
    expect(locations.body.value.map((l) => l.name)).toContain("europe");
    const currencies = await call<Page<{ name: string; id: string }>>(
      emulator,
      "GET",
      `${BAP}/locations/europe/environmentCurrencies?api-version=2023-06-01`,
    );
    expect(currencies.body.value.find((c) => c.name === "EUR")?.id).toBe(
      `${BAP}/locations/europe/environmentCurrencies/EUR`,
    );
    const languages = await call<Page<{ name: string }>>(
      emulator,
      "GET",
      `${BAP}/locations/europe/environmentLanguages`,
    );
    expect(languages.body.value.map((l) => l.name)).toContain("1033");
    expect((await call(emulator, "GET", `${BAP}/locations/atlantis/environmentLanguages`)).status).toBe(404);
  });

  it("matches paths case-insensitively and rejects unknown paths with 404", async () => {
    const emulator = await withEmulator(started, { seed: sample });
    const lower = await call(
      emulator,
      "GET",
      "/providers/microsoft.businessappplatform/scopes/admin/environments",
    );
    expect(lower.status).toBe(200);
    const unknown = await call(emulator, "GET", `${BAP}/nothingHere`);
    expect(unknown.status).toBe(404);
  });
});
