import { readFileSync } from "node:fs";
import { TF_FIXTURES } from "../helpers/tf-fixtures.js";
import { describe, expect, it } from "vitest";
import { settingLeaves, TENANT_SETTING_PATHS } from "../../src/core/kinds/tenant-settings.js";
import { buildDesiredState, requiredLiveCollections } from "../../src/core/plan/desired-state.js";
import { emptyLiveTenant, type LiveTenant } from "../../src/core/plan/live-tenant.js";
import { buildPlan } from "../../src/core/plan/plan.js";
import { simulateApply } from "../../src/core/plan/simulate.js";
import { runPolicyRules } from "../../src/core/policy/rules/index.js";
import type { PolicyDocument, TenantIsolationSpec, TenantSettingsSpec } from "../../src/core/policy/types.js";
import type { WireTenantSettings } from "../../src/core/wire/types.js";
import { loaded } from "../core/builders.js";

const TENANT = "00000000-0000-0000-0000-000000000001";
const OTHER = "11111111-1111-1111-1111-111111111111";
const THIRD = "22222222-2222-2222-2222-222222222222";
const FIXTURES = TF_FIXTURES.replace(/\/$/, "");

function fixtureSettings(): WireTenantSettings {
  return JSON.parse(
    readFileSync(`${FIXTURES}/tenant_settings/datasource/post_list_tenant_settings.json`, "utf8"),
  ) as WireTenantSettings;
}

function settingsDoc(spec: TenantSettingsSpec, name = "tenant-settings"): PolicyDocument {
  return { apiVersion: "ppgov/v1", kind: "TenantSettings", metadata: { name }, spec };
}

function isolationDoc(spec: TenantIsolationSpec, name = "tenant-isolation"): PolicyDocument {
  return { apiVersion: "ppgov/v1", kind: "TenantIsolation", metadata: { name }, spec };
}

function liveWith(patch: Partial<LiveTenant>): LiveTenant {
  return { ...emptyLiveTenant(), tenantId: TENANT, ...patch };
}

function plan(documents: PolicyDocument[], live: LiveTenant) {
  return buildPlan(buildDesiredState(documents.map((d) => loaded(d))), live, {
    createdAt: "2026-01-01T00:00:00.000Z",
  });
}

describe("TenantSettings: declared partially", () => {
  const live = liveWith({ tenantSettings: { tenantId: TENANT, settings: fixtureSettings() } });

  it("plans clean when the named settings match, and counts the others as unmanaged", () => {
    const { plan: result, diagnostics } = plan(
      [
        settingsDoc({
          walkMeOptOut: false,
          powerPlatform: { teamsIntegration: { shareWithColleaguesUserLimit: 123 } },
        }),
      ],
      live,
    );
    expect(diagnostics).toEqual([]);
    expect(result.summary).toMatchObject({ add: 0, change: 0, destroy: 0, noop: 1 });
    const resource = result.resources[0]!;
    expect(resource).toMatchObject({
      address: "TenantSettings/tenant-settings",
      id: TENANT,
      action: "no-op",
    });
    const total = settingLeaves(fixtureSettings() as never).length;
    expect(resource.notes?.[""]).toBe(
      `${total - 2} other settings are unmanaged (not named in the document)`,
    );
    expect(result.steps).toEqual([]);
  });

  it("unmanaged settings never show as changes, whatever their live values", () => {
    const drifted = fixtureSettings();
    drifted.walkMeOptOut = true;
    (drifted.powerPlatform as { powerApps: Record<string, unknown> }).powerApps.disableShareWithEveryone =
      true;
    drifted.someFutureSetting = "new";
    const { plan: result } = plan(
      [settingsDoc({ powerPlatform: { intelligence: { disableCopilot: false } } })],
      liveWith({ tenantSettings: { tenantId: TENANT, settings: drifted } }),
    );
    expect(result.resources[0]!.action).toBe("no-op");
    expect(result.resources[0]!.changedPaths).toEqual([]);
  });

  it("changes exactly the named settings that differ, with one partial POST", () => {
    const { plan: result } = plan(
      [
        settingsDoc({
          disableEnvironmentCreationByNonAdminUsers: true,
          walkMeOptOut: false,
          powerPlatform: {
            powerApps: { disableShareWithEveryone: true },
            licensing: { storageCapacityConsumptionWarningThreshold: 80 },
          },
        }),
      ],
      live,
    );
    const resource = result.resources[0]!;
    expect(resource.action).toBe("update");
    expect(resource.changedPaths).toEqual([
      { path: "/disableEnvironmentCreationByNonAdminUsers", before: false, after: true },
      { path: "/powerPlatform/licensing/storageCapacityConsumptionWarningThreshold", before: 38, after: 80 },
      { path: "/powerPlatform/powerApps/disableShareWithEveryone", before: false, after: true },
    ]);
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]).toMatchObject({
      method: "POST",
      path: "/providers/Microsoft.BusinessAppPlatform/scopes/admin/updateTenantSettings?api-version=2023-06-01",
      body: {
        disableEnvironmentCreationByNonAdminUsers: true,
        powerPlatform: {
          licensing: { storageCapacityConsumptionWarningThreshold: 80 },
          powerApps: { disableShareWithEveryone: true },
        },
      },
      async: "none",
    });
    const after = simulateApply(result, live);
    expect(
      plan([settingsDoc({ disableEnvironmentCreationByNonAdminUsers: true })], after).plan.summary.change,
    ).toBe(0);
    // The settings the document does not name kept their values.
    expect(after.tenantSettings!.settings.walkMeOptOut).toBe(false);
    expect(after.tenantSettings!.settings.powerPlatform).toMatchObject({
      search: { disableDocsSearch: false },
    });
  });

  it("reads the settings only when a TenantSettings document exists", () => {
    const none = requiredLiveCollections(buildDesiredState([]));
    expect(none.collections).not.toContain("tenantSettings");
    const some = requiredLiveCollections(buildDesiredState([loaded(settingsDoc({ walkMeOptOut: true }))]));
    expect(some.collections).toContain("tenantSettings");
    expect(some.collections).not.toContain("tenantIsolation");
  });

  it("knows every setting of the recorded object and the schema declares exactly those", () => {
    const fixtureLeaves = settingLeaves(fixtureSettings() as never).filter(
      (p) => p !== "/powerPlatform/powerPages",
    );
    expect([...TENANT_SETTING_PATHS].sort()).toEqual(fixtureLeaves.sort());
    const schema = JSON.parse(readFileSync("schemas/tenant-settings.schema.json", "utf8")) as {
      properties: { spec: unknown };
    };
    const leaves: string[] = [];
    const walk = (node: unknown, path: string): void => {
      const record = node as { type?: string; properties?: Record<string, unknown> };
      if (record.type !== "object") {
        leaves.push(path);
        return;
      }
      for (const [key, child] of Object.entries(record.properties ?? {})) walk(child, `${path}/${key}`);
    };
    walk(schema.properties.spec, "");
    expect(leaves.sort()).toEqual([...TENANT_SETTING_PATHS].sort());
  });
});

describe("TenantIsolation", () => {
  const policy = (isDisabled: boolean, allowed: [string, boolean, boolean][]) => ({
    properties: {
      tenantId: TENANT,
      isDisabled,
      allowedTenants: allowed.map(([tenantId, inbound, outbound]) => ({
        tenantId,
        direction: { inbound, outbound },
      })),
    },
  });

  it("no policy (404) and a document that turns isolation off plan clean", () => {
    const live = liveWith({ tenantIsolation: { tenantId: TENANT, policy: null } });
    const { plan: result } = plan([isolationDoc({ enabled: false, allowedTenants: [] })], live);
    expect(result.resources[0]!.action).toBe("no-op");
    expect(result.steps).toEqual([]);
  });

  it("plans a PUT of the whole policy with 202 polling when enabling from no policy", () => {
    const live = liveWith({ tenantIsolation: { tenantId: TENANT, policy: null } });
    const { plan: result } = plan(
      [
        isolationDoc({
          enabled: true,
          allowedTenants: [{ tenantId: OTHER.toUpperCase(), direction: "inbound" }],
        }),
      ],
      live,
    );
    const resource = result.resources[0]!;
    expect(resource.action).toBe("update");
    expect(resource.changedPaths).toEqual([
      { path: `/allowedTenants/${OTHER}`, after: "inbound" },
      { path: "/enabled", before: false, after: true },
    ]);
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]).toMatchObject({
      method: "PUT",
      path: `/providers/PowerPlatform.Governance/v1/tenants/${TENANT}/tenantIsolationPolicy`,
      expect: [200, 202],
      async: "tenantIsolation",
      body: {
        properties: {
          tenantId: TENANT,
          isDisabled: false,
          allowedTenants: [{ tenantId: OTHER, direction: { inbound: true, outbound: false } }],
        },
      },
    });
    const after = simulateApply(result, live);
    expect(
      plan(
        [isolationDoc({ enabled: true, allowedTenants: [{ tenantId: OTHER, direction: "inbound" }] })],
        after,
      ).plan.summary.change,
    ).toBe(0);
  });

  it("shows a direction change as one path and keeps an unmanaged list when allowedTenants is absent", () => {
    const live = liveWith({
      tenantIsolation: {
        tenantId: TENANT,
        policy: policy(false, [
          [OTHER, true, false],
          [THIRD, false, true],
        ]),
      },
    });
    const changed = plan(
      [
        isolationDoc({
          enabled: true,
          allowedTenants: [
            { tenantId: OTHER, direction: "both" },
            { tenantId: THIRD, direction: "outbound" },
          ],
        }),
      ],
      live,
    ).plan;
    expect(changed.resources[0]!.changedPaths).toEqual([
      { path: `/allowedTenants/${OTHER}`, before: "inbound", after: "both" },
    ]);
    const unmanagedList = plan([isolationDoc({ enabled: false })], live).plan;
    expect(unmanagedList.resources[0]!.changedPaths).toEqual([
      { path: "/enabled", before: true, after: false },
    ]);
    expect(unmanagedList.steps[0]!.body).toMatchObject({
      properties: { isDisabled: true, allowedTenants: [{ tenantId: OTHER }, { tenantId: THIRD }] },
    });
  });
});

describe("PPG315: singleton kinds", () => {
  it("reports a second document of either kind at the extra one, naming the first", () => {
    const diagnostics = runPolicyRules([
      loaded(settingsDoc({ walkMeOptOut: true }, "a"), "policies/a.yaml"),
      loaded(settingsDoc({ walkMeOptOut: false }, "b"), "policies/b.yaml"),
      loaded(isolationDoc({ enabled: true }, "one"), "policies/one.yaml"),
      loaded(isolationDoc({ enabled: false }, "two"), "policies/two.yaml"),
    ]);
    const singles = diagnostics.filter((d) => d.code === "PPG315");
    expect(singles.map((d) => [d.resource, d.file, d.pointer])).toEqual([
      ["TenantSettings/b", "policies/b.yaml", "/kind"],
      ["TenantIsolation/two", "policies/two.yaml", "/kind"],
    ]);
    expect(singles[0]!.message).toContain("the first is TenantSettings/a at policies/a.yaml:1");
    expect(singles[0]!.severity).toBe("error");
  });

  it("PPG316: a tenant listed twice in allowedTenants, whatever its case", () => {
    const diagnostics = runPolicyRules([
      loaded(
        isolationDoc({
          enabled: true,
          allowedTenants: [
            { tenantId: OTHER, direction: "inbound" },
            { tenantId: THIRD, direction: "inbound" },
            { tenantId: OTHER.toUpperCase(), direction: "outbound" },
          ],
        }),
      ),
    ]);
    expect(diagnostics.map((d) => [d.code, d.pointer])).toEqual([
      ["PPG316", "/spec/allowedTenants/2/tenantId"],
    ]);
    expect(diagnostics[0]!.message).toContain("already listed at spec.allowedTenants[0]");
  });

  it("one document of each kind is fine", () => {
    const diagnostics = runPolicyRules([
      loaded(settingsDoc({ walkMeOptOut: true })),
      loaded(isolationDoc({ enabled: true })),
    ]);
    expect(diagnostics).toEqual([]);
  });
});
