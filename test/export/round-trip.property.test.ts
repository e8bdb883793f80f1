import fc from "fast-check";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportTenant, renderExportFiles, type TenantExport } from "../../src/core/export/index.js";
import { KIND_REGISTRY } from "../../src/core/kinds/registry.js";
import type { LiveTenant } from "../../src/core/plan/index.js";
import { liveTenantArb } from "./arbitraries.js";
import { describeChanges, errorsOf, planDirectory, writeExportFiles } from "./helpers.js";

/** Every live object of the kinds the export covers. */
function liveObjectCount(live: LiveTenant): number {
  return Object.values(KIND_REGISTRY).reduce(
    (sum, kind) => sum + (kind.listLive as (live: LiveTenant) => readonly unknown[])(live).length,
    0,
  );
}

describe("export → load → plan on random tenants", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "ppgov-export-prop-"));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  let run = 0;
  const roundTrip = async (live: LiveTenant): Promise<TenantExport> => {
    const dir = join(root, `run-${(run += 1)}`);
    const exported = exportTenant(live);
    await writeExportFiles(dir, renderExportFiles(exported.documents));
    const result = await planDirectory(dir, live);
    expect(errorsOf(result.loadDiagnostics)).toEqual([]);
    expect(errorsOf(result.planDiagnostics)).toEqual([]);
    expect(describeChanges(result.changes)).toEqual([]);
    expect(exported.warnings).toEqual([]);
    // Every live object is either written or reported as skipped.
    const written = exported.documents.filter((d) => d.document.kind !== "Tenant").length;
    expect(written + exported.skipped.length).toBe(liveObjectCount(live));
    await rm(dir, { recursive: true, force: true });
    return exported;
  };

  it("writes every object of a well-formed tenant, and it plans no changes", async () => {
    await fc.assert(
      fc.asyncProperty(liveTenantArb(false), async (live) => {
        const exported = await roundTrip(live);
        expect(exported.skipped.map((skip) => `${skip.kind} ${skip.reason}`)).toEqual([
          "Environment the default environment is referenced as `default`",
        ]);
      }),
      { numRuns: 60 },
    );
  });

  it("skips what a document cannot say, and the rest plans no changes", async () => {
    await fc.assert(
      fc.asyncProperty(liveTenantArb(true), async (live) => {
        await roundTrip(live);
      }),
      { numRuns: 100 },
    );
  });

  it("writes the same files whatever order the tenant lists its objects in", () => {
    fc.assert(
      fc.property(liveTenantArb(true), fc.nat(), (live, seed) => {
        const shuffle = <T>(items: readonly T[]): T[] =>
          items
            .map((item, index) => ({ item, key: (index * 7919 + seed) % 104729 }))
            .sort((a, b) => a.key - b.key)
            .map(({ item }) => item);
        const reordered: LiveTenant = {
          ...live,
          environments: shuffle(live.environments),
          environmentGroups: shuffle(live.environmentGroups),
          dlpPolicies: shuffle(live.dlpPolicies),
          billingPolicies: shuffle(live.billingPolicies),
          licenseGroups: shuffle(live.licenseGroups),
        };
        expect(renderExportFiles(exportTenant(reordered).documents)).toEqual(
          renderExportFiles(exportTenant(live).documents),
        );
      }),
      { numRuns: 100 },
    );
  });
});
