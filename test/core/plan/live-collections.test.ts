import { describe, expect, it } from "vitest";
import { exportRequirements } from "../../../src/core/export/index.js";
import { requiredLiveCollections } from "../../../src/core/plan/desired-state.js";
import { doc, desired } from "../builders.js";

/**
 * The live collections each kind reads, now stated on the kind modules (liveCollections and their
 * plan/export variants): the exact lists, in order, that the hand-kept tables gave before.
 */
describe("live collections from the kind modules", () => {
  const planReads = (...documents: Parameters<typeof desired>): string[] =>
    requiredLiveCollections(desired(...documents)).collections;

  it("reads environment groups for a grouped environment, and their rule sets only for managed ones", () => {
    expect(planReads(doc.environment({ name: "e" }))).toEqual(["environments"]);
    expect(planReads(doc.environment({ name: "e", group: "g" }))).toEqual([
      "environments",
      "environmentGroups",
    ]);
    expect(
      planReads(
        doc.environment({ name: "e", group: "g", managed: { enabled: true } }),
        doc.group({ name: "g" }),
      ),
    ).toEqual(["environments", "environmentGroups", "environmentGroupRuleSets"]);
  });

  it("reads rule sets for groups that may be deleted, by ensure: absent or by prune", () => {
    expect(planReads(doc.group({ name: "g" }))).toEqual(["environments", "environmentGroups"]);
    expect(planReads(doc.group({ name: "g", ensure: "absent" }))).toEqual([
      "environments",
      "environmentGroups",
      "environmentGroupRuleSets",
    ]);
    expect(planReads(doc.tenant({ prune: { EnvironmentGroup: true } }))).toEqual([
      "environments",
      "environmentGroups",
      "environmentGroupRuleSets",
    ]);
  });

  it("reads every other kind's collections when it has documents or prune is on, in kind order", () => {
    expect(
      planReads(
        doc.tenant({ prune: { BillingPolicy: true, LicenseAllocation: true } }),
        doc.dlp({ name: "p" }),
        doc.assignment({ name: "a", group: "00000000-0000-0000-0000-000000000001", licenses: [] }),
      ),
    ).toEqual([
      "environments",
      "dlpPolicies",
      "connectors",
      "unblockableConnectorIds",
      "virtualConnectors",
      "billingPolicies",
      "allocations",
      "subscribedSkus",
      "licenseGroups",
    ]);
    expect(planReads(doc.tenant({ prune: { DlpPolicy: false } }))).toEqual(["environments"]);
  });

  it("exports each kind's collections, groups without their rule sets", () => {
    expect(exportRequirements().collections).toEqual([
      "environments",
      "environmentGroups",
      "dlpPolicies",
      "connectors",
      "unblockableConnectorIds",
      "virtualConnectors",
      "billingPolicies",
      "allocations",
      "subscribedSkus",
      "licenseGroups",
      "tenantSettings",
      "tenantIsolation",
    ]);
    expect(exportRequirements(["Environment"]).collections).toEqual(["environments", "environmentGroups"]);
    expect(exportRequirements(["Tenant"]).collections).toEqual(["environments"]);
  });
});
