import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/core/plan/plan.js";
import { doc, desired, guid, liveTenant, PLAN_OPTIONS, wireEnv, wireGroup } from "./builders.js";

const twoNamedDev = liveTenant({
  environments: [
    ...liveTenant().environments,
    wireEnv({ id: guid(2), displayName: "Dev" }),
    wireEnv({ id: guid(3), displayName: "dev" }),
    wireEnv({ id: guid(4), displayName: "Test" }),
  ],
});

function planOf(...args: Parameters<typeof desired>) {
  return buildPlan(desired(...args), twoNamedDev, PLAN_OPTIONS);
}

describe("matching documents to live objects", () => {
  it("matches by metadata.id first, case-insensitively", () => {
    const { plan, diagnostics } = planOf(
      doc.environment({ name: "dev", id: guid(3).toUpperCase(), displayName: "Dev" }),
    );
    expect(diagnostics).toEqual([]);
    expect(plan.resources[0]).toMatchObject({ id: guid(3), action: "update" });
    expect(plan.resources[0]!.changedPaths).toEqual([{ path: "/displayName", before: "dev", after: "Dev" }]);
  });

  it("matches by display name, ignoring case", () => {
    const { plan } = planOf(doc.environment({ name: "test", displayName: "TEST" }));
    expect(plan.resources[0]).toMatchObject({ id: guid(4), action: "update" });
  });

  it("refuses an ambiguous display name and quotes both ids", () => {
    const { diagnostics } = planOf(doc.environment({ name: "dev", displayName: "Dev" }));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: "PPG407",
      severity: "error",
      pointer: "/spec/displayName",
      line: 3,
      resource: "Environment/dev",
    });
    expect(diagnostics[0]!.message).toContain(
      `(${guid(2)}, ${guid(3)}): pin the one this document manages with metadata.id`,
    );
  });

  it("reports a pinned id missing from the tenant, unless the document says ensure: absent", () => {
    const missing = planOf(doc.environment({ name: "gone", id: guid(99), displayName: "Gone" }));
    expect(missing.diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        "PPG408",
        `metadata.id ${guid(99)} not found in the tenant: no environment has this id. Remove metadata.id to create a new one, or correct it.`,
      ],
    ]);
    const absent = planOf(
      doc.environment({ name: "gone", id: guid(99), displayName: "Gone", ensure: "absent" }),
    );
    expect(absent.diagnostics).toEqual([]);
    expect(absent.plan.resources[0]!.action).toBe("no-op");
  });

  it("creates when nothing matches", () => {
    expect(planOf(doc.environment({ name: "new", displayName: "New" })).plan.resources[0]!.action).toBe(
      "create",
    );
  });

  it("refuses two documents that match the same live object", () => {
    const { diagnostics } = planOf(
      doc.environment({ name: "a", id: guid(4), displayName: "A" }),
      doc.environment({ name: "b", displayName: "Test" }),
    );
    expect(diagnostics.map((d) => d.code)).toEqual(["PPG414"]);
  });

  it("resolves env refs: names, id:<guid> and default", () => {
    const { plan, diagnostics } = planOf(
      doc.environment({ name: "test", displayName: "Test" }),
      doc.environment({ name: "new", displayName: "New" }),
      doc.dlp({ name: "p", scope: { only: ["test", "new", "default", `id:${guid(2)}`] } }),
    );
    expect(diagnostics).toEqual([]);
    const scope = plan.resources
      .find((r) => r.address === "DlpPolicy/p")!
      .changedPaths.find((c) => c.path === "/scope/environments");
    expect(scope?.after).toEqual([guid(1), guid(2), guid(4), { $ref: "Environment/new#id" }]);
  });

  it("reports env refs that do not resolve", () => {
    const { diagnostics } = buildPlan(
      desired(doc.dlp({ name: "p", scope: { except: [`id:${guid(98)}`] } })),
      liveTenant({ environments: [] }),
      PLAN_OPTIONS,
    );
    expect(diagnostics.map((d) => [d.code, d.pointer])).toEqual([["PPG409", "/spec/scope/except/0"]]);
  });
});

describe("Tenant.ignore and prune", () => {
  const live = liveTenant({
    environmentGroups: [
      wireGroup(guid(70), "Keep me"),
      wireGroup(guid(71), "Scratch 1"),
      wireGroup(guid(72), "Other"),
    ],
    environments: [...twoNamedDev.environments],
  });

  it("never prunes ignored objects (by glob or id) nor the default environment", () => {
    const { plan } = buildPlan(
      desired(
        doc.tenant({
          prune: { EnvironmentGroup: true, Environment: true },
          ignore: ["scratch*", `id:${guid(72)}`, "Dev", "dev", "Test"],
        }),
      ),
      live,
      PLAN_OPTIONS,
    );
    expect(plan.resources.map((r) => [r.address, r.action])).toEqual([
      [`EnvironmentGroup/id:${guid(70)}`, "delete"],
    ]);
  });

  it("skips a document that matches an ignored object, with a warning", () => {
    const { plan, diagnostics } = buildPlan(
      desired(
        doc.tenant({ ignore: ["Keep*"] }),
        doc.group({ name: "keep", displayName: "Keep me", description: "changed" }),
      ),
      live,
      PLAN_OPTIONS,
    );
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["PPG412", "warning"]]);
    expect(plan.resources[0]!.action).toBe("no-op");
    expect(plan.steps).toEqual([]);
  });

  it("prunes nothing by default", () => {
    expect(buildPlan(desired(), live, PLAN_OPTIONS).plan.resources).toEqual([]);
  });
});

describe("requiredLiveCollections", () => {
  it("reads only what the documents and prune settings need", async () => {
    const { requiredLiveCollections } = await import("../../src/core/plan/desired-state.js");
    expect(requiredLiveCollections(desired(doc.group({ name: "g" }))).collections.sort()).toEqual([
      "environmentGroups",
      "environments",
    ]);
    const needs = requiredLiveCollections(
      desired(
        doc.tenant({ prune: { LicenseAssignment: true } }),
        doc.group({ name: "g", ensure: "absent" }),
        doc.dlp({ name: "p" }),
        doc.assignment({ name: "a", group: guid(60).toUpperCase(), licenses: [] }),
      ),
    );
    expect(needs.collections.sort()).toEqual([
      "connectors",
      "dlpPolicies",
      "environmentGroupRuleSets",
      "environmentGroups",
      "environments",
      "licenseGroups",
      "subscribedSkus",
      "unblockableConnectorIds",
      "virtualConnectors",
    ]);
    expect(needs.licenseGroupIds).toEqual([guid(60)]);
    expect(needs.allLicensedGroups).toBe(true);
    expect(needs.licenseGroupSkus).toEqual([{ group: guid(60), skus: [] }]);
  });

  it("names the SKUs each present LicenseAssignment wants, for the member counts", async () => {
    const { requiredLiveCollections } = await import("../../src/core/plan/desired-state.js");
    const needs = requiredLiveCollections(
      desired(
        doc.assignment({
          name: "a",
          group: guid(61).toUpperCase(),
          licenses: [{ sku: "POWERAPPS_PER_USER" }, { sku: guid(70) }],
        }),
        doc.assignment({
          name: "b",
          group: guid(62),
          licenses: [{ sku: "FLOW_PER_USER" }],
          ensure: "absent",
        }),
      ),
    );
    expect(needs.licenseGroupIds.sort()).toEqual([guid(61), guid(62)].sort());
    expect(needs.licenseGroupSkus).toEqual([{ group: guid(61), skus: ["POWERAPPS_PER_USER", guid(70)] }]);
  });
});
