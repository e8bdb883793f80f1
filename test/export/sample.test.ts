import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  exportTenant,
  renderExportFiles,
  type ExportFile,
  type TenantExport,
} from "../../src/core/export/index.js";
import { describeChanges, errorsOf, planDirectory, sampleLiveTenant, writeExportFiles } from "./helpers.js";

describe("exporting the sample tenant", () => {
  const live = sampleLiveTenant();
  let dir: string;
  let exported: TenantExport;
  let files: ExportFile[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ppgov-export-sample-"));
    exported = exportTenant(live);
    files = renderExportFiles(exported.documents, "../schemas/policy.schema.json");
    await writeExportFiles(dir, files);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("loads without errors and plans no changes", async () => {
    const result = await planDirectory(dir, live);
    expect(errorsOf(result.loadDiagnostics)).toEqual([]);
    expect(errorsOf(result.planDiagnostics)).toEqual([]);
    expect(describeChanges(result.changes)).toEqual([]);
    expect(result.documentCount).toBe(files.length);
  });

  it("writes every live object except the default environment", () => {
    expect(exported.skipped.map((skip) => skip.cause)).toEqual(["default-environment"]);
    const count = (kind: string) => exported.documents.filter((d) => d.document.kind === kind).length;
    expect(count("Tenant")).toBe(1);
    expect(count("Environment")).toBe(live.environments.length - 1);
    expect(count("DlpPolicy")).toBe(live.dlpPolicies.length);
    expect(count("EnvironmentGroup")).toBe(live.environmentGroups.length);
    expect(count("BillingPolicy")).toBe(live.billingPolicies.length);
    expect(count("LicenseAllocation")).toBe(Object.keys(live.allocations).length);
    expect(count("LicenseAssignment")).toBe(live.licenseGroups.length);
  });

  it("names connectors, groups and env refs in comments, and points editors at the schema", () => {
    const text = (path: string) => files.find((file) => file.path === path)?.text ?? "";
    const baseline = text("dlp/corporate-baseline.yaml");
    expect(baseline.split("\n")[0]).toBe("# yaml-language-server: $schema=../../schemas/policy.schema.json");
    expect(baseline).toContain("      - shared_sql # SQL Server\n");
    expect(baseline).toContain(
      "# Only connectors outside the default group are listed; the other 324 are nonBusiness.",
    );
    expect(text("environments/finance-uat.yaml")).toContain("  group: finance # Finance\n");
    expect(text("licensing/assignments/all-employees.yaml")).toContain(
      "group: b7c3e2a1-4f5d-4e6a-8b9c-0d1e2f3a4b5c # All Employees",
    );
    expect(text("tenant.yaml").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../schemas/policy.schema.json",
    );
  });
});
