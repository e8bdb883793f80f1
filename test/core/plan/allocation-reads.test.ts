import { describe, expect, it } from "vitest";
import { exportRequirements } from "../../../src/core/export/index.js";
import {
  allocationEnvironments,
  requiredLiveCollections,
  environmentMatcher,
} from "../../../src/core/plan/desired-state.js";
import { desired, doc, guid } from "../builders.js";

describe("allocationEnvironments", () => {
  const state = desired(
    doc.environment({ name: "dev", displayName: "Dev Team" }),
    doc.environment({ name: "prod", displayName: "Production", id: guid(7).toUpperCase() }),
    doc.environment({ name: "test", displayName: "Test" }),
    doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: 1 } }),
    doc.allocation({ name: "prod", environment: "prod", allocations: { AppPass: 1 } }),
    doc.allocation({ name: "byid", environment: `id:${guid(9)}`, allocations: { AI: 5 } }),
    doc.allocation({ name: "default", environment: "default", allocations: { AI: 5 } }),
  );

  it("names the environments the documents refer to, the way the planner resolves refs", () => {
    expect(allocationEnvironments(state)).toEqual({
      ids: [guid(9), guid(7)],
      displayNames: ["dev team"],
      includesDefault: true,
    });
    // The Test environment has no allocation document: its allocations are not read.
    const selects = environmentMatcher(allocationEnvironments(state));
    const pick = (id: string, displayName: string, isDefault = false) =>
      selects({ id, displayName, isDefault });
    expect(pick(guid(1), "DEV TEAM")).toBe(true);
    expect(pick(guid(7).toUpperCase(), "Renamed")).toBe(true);
    expect(pick(guid(9), "whatever")).toBe(true);
    expect(pick(guid(4), "Default", true)).toBe(true);
    expect(pick(guid(5), "Test")).toBe(false);
  });

  it("is part of the plan's requirements unless LicenseAllocation prune needs every environment", () => {
    expect(requiredLiveCollections(state).allocationEnvironments?.displayNames).toEqual(["dev team"]);
    const pruning = desired(
      doc.tenant({ prune: { LicenseAllocation: true } }),
      doc.environment({ name: "dev", displayName: "Dev Team" }),
      doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: 1 } }),
    );
    expect(requiredLiveCollections(pruning).collections).toContain("allocations");
    expect(requiredLiveCollections(pruning).allocationEnvironments).toBeUndefined();
    // Export must see every allocation.
    expect(exportRequirements().allocationEnvironments).toBeUndefined();
    // No allocation documents: no allocations read at all.
    expect(requiredLiveCollections(desired(doc.environment({ name: "x" }))).collections).not.toContain(
      "allocations",
    );
  });
});
