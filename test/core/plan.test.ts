import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/core/plan/plan.js";
import { simulateApply } from "../../src/core/plan/simulate.js";
import { verifyPlanDigest } from "../../src/core/plan/digest.js";
import { findStaleResources } from "../../src/core/plan/stale.js";
import type { LiveTenant } from "../../src/core/plan/live-tenant.js";
import type { DesiredState } from "../../src/core/plan/desired-state.js";
import {
  doc,
  desired,
  guid,
  liveTenant,
  PLAN_OPTIONS,
  wireDlp,
  wireEnv,
  wireGroup,
  wireLicenseGroup,
  wireSku,
} from "./builders.js";

function plan(state: DesiredState, live: LiveTenant, options = {}) {
  return buildPlan(state, live, { ...PLAN_OPTIONS, ...options });
}

function errors(result: ReturnType<typeof plan>) {
  return result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
}

/** Plans, applies the steps to the model tenant, and plans again. */
function applyAndReplan(state: DesiredState, live: LiveTenant) {
  const first = plan(state, live);
  expect(errors(first)).toEqual([]);
  const after = simulateApply(first.plan, live);
  return { first, second: plan(state, after), after };
}

const SKU = guid(500);

describe("buildPlan", () => {
  it("creates a group, an environment in it, a DLP policy scoped to it, in dependency order", () => {
    const state = desired(
      doc.group({ name: "emea", displayName: "EMEA" }),
      // No managed settings: the service refuses them for an environment in a group (PPG406).
      doc.environment({ name: "dev", displayName: "Dev", group: "emea" }),
      doc.dlp({ name: "baseline", scope: { only: ["dev"] }, connectors: { blocked: ["shared_twitter"] } }),
    );
    const { first, second, after } = applyAndReplan(state, liveTenant());
    expect(first.plan.summary).toEqual({ add: 3, change: 0, destroy: 0, replace: 0, noop: 0 });
    expect(first.plan.steps.map((step) => [step.id, step.wave])).toEqual([
      ["EnvironmentGroup/emea:create", 1],
      ["Environment/dev:create", 2],
      ["DlpPolicy/baseline:create", 3],
    ]);
    const envCreate = first.plan.steps[1]!;
    expect(envCreate.path).toBe(
      "/providers/Microsoft.BusinessAppPlatform/environments?api-version=2023-06-01",
    );
    expect(envCreate.body).toMatchObject({
      properties: { parentEnvironmentGroup: { id: { $ref: "EnvironmentGroup/emea#id" } } },
    });
    expect(second.plan.summary).toMatchObject({ add: 0, change: 0, destroy: 0, replace: 0 });
    expect(second.plan.steps).toEqual([]);
    expect(after.dlpPolicies[0]!.policyDefinition.connectorGroups.map((g) => g.classification)).toEqual([
      "Confidential",
      "General",
      "Blocked",
    ]);
  });

  it("updates in place and lists the changed fields before → after", () => {
    const live = liveTenant({
      environments: [
        ...liveTenant().environments,
        wireEnv({ id: guid(2), displayName: "Dev", description: "old" }),
      ],
    });
    const state = desired(
      doc.environment({ name: "dev", displayName: "Dev", description: "new", type: "Production" }),
    );
    const { first, second } = applyAndReplan(state, live);
    const resource = first.plan.resources.find((r) => r.address === "Environment/dev")!;
    expect(resource.action).toBe("update");
    expect(resource.id).toBe(guid(2));
    expect(resource.changedPaths).toEqual([
      { path: "/description", before: "old", after: "new" },
      { path: "/type", before: "Sandbox", after: "Production" },
    ]);
    expect(first.plan.steps.map((step) => step.label)).toEqual(["modify-sku", "patch"]);
    expect(first.plan.steps[0]!.body).toEqual({ environmentSku: "Production" });
    expect(second.plan.steps).toEqual([]);
  });

  it("never changes the type of the default environment: a document asking for it is an error", () => {
    const result = plan(
      desired(
        doc.environment({
          name: "d",
          displayName: "Contoso (default)",
          type: "Production",
          description: "Everyone",
        }),
      ),
      liveTenant(),
    );
    expect(errors(result)).toEqual([
      expect.stringMatching(/^PPG416 Environment\/d changes type Default → Production/),
    ]);
  });

  it("leaves fields the document does not set unmanaged", () => {
    const live = liveTenant({
      environments: [
        ...liveTenant().environments,
        wireEnv({
          id: guid(2),
          displayName: "Dev",
          description: "kept",
          adminMode: true,
          updateCadence: "Frequent",
        }),
      ],
    });
    const result = plan(desired(doc.environment({ name: "dev", displayName: "Dev" })), live);
    expect(result.plan.resources.find((r) => r.address === "Environment/dev")!.action).toBe("no-op");
  });

  it("replaces an environment whose location changes, with the reason", () => {
    const live = liveTenant({
      environments: [...liveTenant().environments, wireEnv({ id: guid(2), displayName: "Dev" })],
    });
    const state = desired(doc.environment({ name: "dev", displayName: "Dev", location: "unitedstates" }));
    const { first, second } = applyAndReplan(state, live);
    const resource = first.plan.resources.find((r) => r.address === "Environment/dev")!;
    expect(resource.action).toBe("replace");
    expect(resource.reason).toBe("location is create-only: europe → unitedstates");
    expect(first.plan.steps.map((step) => step.label)).toEqual(["delete", "create"]);
    expect(second.plan.steps).toEqual([]);
  });

  it("replaces a billing policy whose billing instrument changes", () => {
    const live = liveTenant({
      billingPolicies: [
        {
          policy: {
            id: guid(400),
            name: "PAYG",
            status: "Enabled",
            location: "europe",
            billingInstrument: { subscriptionId: guid(900), resourceGroup: "rg" },
          },
          environmentIds: [],
        },
      ],
    });
    const { first, second } = applyAndReplan(
      desired(
        doc.billing({
          name: "payg",
          displayName: "PAYG",
          billingInstrument: { subscriptionId: guid(900), resourceGroup: "rg2" },
        }),
      ),
      live,
    );
    expect(first.plan.resources[0]).toMatchObject({
      action: "replace",
      reason: "billingInstrument.resourceGroup is create-only: rg → rg2",
    });
    expect(second.plan.steps).toEqual([]);
  });

  it("deletes with ensure: absent, and prunes unmanaged objects only when prune is on", () => {
    const live = liveTenant({
      environmentGroups: [wireGroup(guid(70), "Old"), wireGroup(guid(71), "Stray")],
    });
    const withoutPrune = plan(
      desired(doc.group({ name: "old", displayName: "Old", ensure: "absent" })),
      live,
    );
    expect(withoutPrune.plan.resources.map((r) => [r.address, r.action])).toEqual([
      ["EnvironmentGroup/old", "delete"],
    ]);
    const withPrune = plan(
      desired(
        doc.tenant({ prune: { EnvironmentGroup: true } }),
        doc.group({ name: "old", displayName: "Old", ensure: "absent" }),
      ),
      live,
    );
    expect(withPrune.plan.resources.map((r) => [r.address, r.action])).toEqual([
      ["EnvironmentGroup/old", "delete"],
      [`EnvironmentGroup/id:${guid(71)}`, "delete"],
    ]);
    expect(simulateApply(withPrune.plan, live).environmentGroups).toEqual([]);
  });

  it("takes environments out of a group before deleting the group", () => {
    const live = liveTenant({
      environmentGroups: [wireGroup(guid(70), "Old")],
      environments: [
        ...liveTenant().environments,
        wireEnv({ id: guid(2), displayName: "Dev", group: guid(70) }),
      ],
    });
    const result = plan(desired(doc.group({ name: "old", displayName: "Old", ensure: "absent" })), live);
    expect(result.plan.steps.map((step) => [step.label, step.wave])).toEqual([
      [`remove-${guid(2)}`, 1],
      ["delete", 2],
    ]);
    expect(
      simulateApply(result.plan, live).environments[1]!.properties.parentEnvironmentGroup,
    ).toBeUndefined();
  });

  it("deletes a group's rule set before the group", () => {
    const live = liveTenant({
      environmentGroups: [wireGroup(guid(70), "Old")],
      environmentGroupRuleSets: { [guid(70).toUpperCase()]: { id: "rs-1", parameters: [] } },
    });
    const result = plan(desired(doc.group({ name: "old", displayName: "Old", ensure: "absent" })), live);
    expect(result.plan.steps.map((step) => [step.label, step.method, step.path])).toEqual([
      ["delete-rule-set", "DELETE", "/governance/ruleSets/rs-1?api-version=2021-10-01-preview"],
      [
        "delete",
        "DELETE",
        `/providers/Microsoft.BusinessAppPlatform/environmentGroups/${guid(70)}?api-version=2021-04-01`,
      ],
    ]);
    const after = simulateApply(result.plan, live);
    expect(after.environmentGroups).toEqual([]);
    expect(after.environmentGroupRuleSets).toEqual({});
  });

  it("orders deletes in reverse: the environment goes before the group it belongs to", () => {
    const live = liveTenant({
      environmentGroups: [wireGroup(guid(70), "Old")],
      environments: [
        ...liveTenant().environments,
        wireEnv({ id: guid(2), displayName: "Dev", group: guid(70) }),
      ],
    });
    const result = plan(
      desired(
        doc.group({ name: "old", displayName: "Old", ensure: "absent" }),
        doc.environment({ name: "dev", displayName: "Dev", ensure: "absent" }),
      ),
      live,
    );
    expect(result.plan.steps.map((step) => step.id)).toEqual([
      "Environment/dev:delete",
      "EnvironmentGroup/old:delete",
    ]);
  });

  it("plans allocations, assignments and billing policies, and converges", () => {
    const live = liveTenant({
      environments: [...liveTenant().environments, wireEnv({ id: guid(2), displayName: "Dev" })],
      allocations: { [guid(2)]: [{ currencyType: "AI", allocated: 3 }] },
      subscribedSkus: [wireSku("POWERAPPS_PER_USER", SKU, 10, 0)],
      licenseGroups: [wireLicenseGroup(guid(60))],
    });
    const state = desired(
      doc.environment({ name: "dev", displayName: "Dev" }),
      doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: 4 } }),
      doc.assignment({ name: "makers", group: guid(60), licenses: [{ sku: "POWERAPPS_PER_USER" }] }),
      doc.billing({ name: "payg", displayName: "PAYG", environments: ["dev"] }),
    );
    const { first, second } = applyAndReplan(state, live);
    const allocation = first.plan.steps.find((step) => step.address === "LicenseAllocation/dev")!;
    expect(allocation.body).toEqual({
      currencyAllocations: [
        { currencyType: "AI", allocated: 0 },
        { currencyType: "AppPass", allocated: 4 },
      ],
    });
    const assignment = first.plan.steps.find((step) => step.address === "LicenseAssignment/makers")!;
    expect(assignment.body).toEqual({ addLicenses: [{ skuId: SKU, disabledPlans: [] }], removeLicenses: [] });
    expect(first.plan.names[SKU]).toBe("POWERAPPS_PER_USER");
    expect(
      first.plan.steps.filter((step) => step.address === "BillingPolicy/payg").map((step) => step.label),
    ).toEqual(["create", "environments-add"]);
    expect(second.plan.steps).toEqual([]);
  });

  it("signs the plan: the digest verifies, and any edit breaks it", () => {
    const { plan: built } = plan(desired(doc.group({ name: "emea", displayName: "EMEA" })), liveTenant());
    expect(verifyPlanDigest(built)).toBe(true);
    const tampered = structuredClone(built);
    tampered.steps[0]!.path = "/somewhere/else";
    expect(verifyPlanDigest(tampered)).toBe(false);
  });

  it("is deterministic: the same inputs give the same plan", () => {
    const state = desired(doc.dlp({ name: "a" }), doc.group({ name: "g" }));
    expect(plan(state, liveTenant()).plan).toEqual(plan(state, liveTenant()).plan);
  });

  it("records one fingerprint per live resource: DLP etag, environment modified time", () => {
    const live = liveTenant({
      environments: [
        ...liveTenant().environments,
        wireEnv({ id: guid(2), displayName: "Dev", lastModifiedTime: "t1" }),
      ],
      dlpPolicies: [wireDlp({ id: guid(300), displayName: "Base", etag: "e1" })],
      environmentGroups: [wireGroup(guid(70), "G")],
    });
    const result = plan(
      desired(
        doc.environment({ name: "dev", displayName: "Dev", description: "x" }),
        doc.dlp({ name: "base", displayName: "Base" }),
        doc.group({ name: "g", displayName: "G" }),
      ),
      live,
    );
    const fingerprints = Object.fromEntries(result.plan.resources.map((r) => [r.address, r.fingerprint]));
    expect(fingerprints["Environment/dev"]).toBe("t1");
    expect(fingerprints["DlpPolicy/base"]).toBe("e1");
    expect(fingerprints["EnvironmentGroup/g"]).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("finds stale resources: moved fingerprints and names that appeared", () => {
    const live = liveTenant({
      environments: [
        ...liveTenant().environments,
        wireEnv({ id: guid(2), displayName: "Dev", lastModifiedTime: "t1" }),
      ],
    });
    const { plan: built } = plan(
      desired(
        doc.environment({ name: "dev", displayName: "Dev", description: "x" }),
        doc.group({ name: "g", displayName: "G" }),
      ),
      live,
    );
    const moved = liveTenant({
      environments: [
        ...liveTenant().environments,
        wireEnv({ id: guid(2), displayName: "Dev", lastModifiedTime: "t2" }),
      ],
      environmentGroups: [wireGroup(guid(70), "G")],
    });
    expect(findStaleResources(built, moved).map((s) => s.address)).toEqual([
      "EnvironmentGroup/g",
      "Environment/dev",
    ]);
    expect(findStaleResources(built, live)).toEqual([]);
  });

  it("calls out connectors new in the catalogue and where they land", () => {
    const live = liveTenant({
      previousCatalogue: ["shared_sharepointonline", "shared_sql", "shared_approvals"],
    });
    const result = plan(desired(doc.dlp({ name: "base", defaultGroup: "blocked" })), live);
    expect(result.plan.newConnectors).toEqual([
      {
        name: "shared_twitter",
        displayName: "shared_twitter",
        effects: [{ address: "DlpPolicy/base", group: "blocked" }],
      },
    ]);
  });

  it("notes connectors that change through the default group", () => {
    const live = liveTenant({
      dlpPolicies: [wireDlp({ id: guid(300), displayName: "base", business: ["shared_sql"] })],
    });
    const result = plan(
      desired(doc.dlp({ name: "base", defaultGroup: "blocked", connectors: { business: ["shared_sql"] } })),
      live,
    );
    const resource = result.plan.resources[0]!;
    expect(resource.changedPaths).toContainEqual({
      path: "/connectors/shared_twitter",
      before: "nonBusiness",
      after: "blocked",
    });
    expect(resource.notes?.["/connectors/shared_twitter"]).toBe("via defaultGroup");
    expect(resource.notes?.["/defaultGroup"]).toBeUndefined();
  });
});
