import { describe, expect, it } from "vitest";
import { exportRequirements } from "../../../src/core/export/index.js";
import {
  allocationEnvironments,
  requiredLiveCollections,
  environmentMatcher,
} from "../../../src/core/plan/desired-state.js";
import type { LiveTenant } from "../../../src/core/plan/live-tenant.js";
import { buildPlan } from "../../../src/core/plan/plan.js";
import { simulateApply } from "../../../src/core/plan/simulate.js";
import { desired, doc, guid, liveTenant, PLAN_OPTIONS, wireEnv } from "../builders.js";

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

describe("allocation pool check with only the declared environments read", () => {
  const environments = [
    ...liveTenant().environments,
    wireEnv({ id: guid(2), displayName: "Dev" }),
    wireEnv({ id: guid(3), displayName: "Other" }),
  ];
  const full: LiveTenant = liveTenant({
    environments,
    allocations: {
      [guid(3)]: [{ currencyType: "AppPass", allocated: 4 }],
      [guid(2)]: [{ currencyType: "AppPass", allocated: 9 }],
    },
    currencyPool: { AppPass: 10 },
  });
  // What the reader returns when the report has `allocated`: Dev's allocations only, plus the totals.
  const partial: LiveTenant = liveTenant({
    environments,
    allocations: { [guid(2)]: [{ currencyType: "AppPass", allocated: 9 }] },
    currencyPool: { AppPass: 10 },
    currencyAllocated: { AppPass: 13 },
    allocationsPartial: true,
  });
  const pool = (units: number) =>
    desired(
      doc.environment({ name: "dev", displayName: "Dev" }),
      doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: units } }),
    );
  const poolErrors = (units: number, live: LiveTenant) =>
    buildPlan(pool(units), live, PLAN_OPTIONS)
      .diagnostics.filter((d) => d.code === "PPG403")
      .map((d) => d.message);

  it("reports the same PPG403 from the report's total as from every environment's allocations", () => {
    const expected = [
      "AppPass allocations exceed the tenant's pool by 1: owned 10, already allocated elsewhere 4, requested 7 (1 document)",
    ];
    expect(poolErrors(7, full)).toEqual(expected);
    expect(poolErrors(7, partial)).toEqual(expected);
  });

  it("lets what fits pass either way", () => {
    expect(poolErrors(6, full)).toEqual([]);
    expect(poolErrors(6, partial)).toEqual([]);
  });

  it("keeps the tenant-wide total in step when an apply is simulated, so the re-plan is clean", () => {
    // Dev goes from 9 to 6: exactly what the pool allows (6 + 4 elsewhere = 10 owned).
    const first = buildPlan(pool(6), partial, PLAN_OPTIONS);
    expect(first.diagnostics.filter((d) => d.code === "PPG403")).toEqual([]);
    expect(first.plan.summary.change).toBe(1);
    const after = simulateApply(first.plan, partial);
    expect(after.currencyAllocated).toEqual({ AppPass: 10 });
    const again = buildPlan(pool(6), after, PLAN_OPTIONS);
    expect(again.diagnostics.filter((d) => d.code === "PPG403")).toEqual([]);
    expect(again.plan.summary.change).toBe(0);
  });

  it("never counts a negative remainder when the report lags a write", () => {
    const lagging = { ...partial, currencyAllocated: { AppPass: 5 } };
    expect(poolErrors(10, lagging)).toEqual([]);
    expect(poolErrors(11, lagging)[0]).toContain("already allocated elsewhere 0, requested 11");
  });
});
