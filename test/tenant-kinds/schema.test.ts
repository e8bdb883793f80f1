import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDirectory } from "../policy/load.js";

/** The two schemas as `ppgov validate` applies them: clear messages naming file, line and field. */
describe("TenantSettings and TenantIsolation schemas", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ppgov-tenant-kinds-schema-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function validate(text: string) {
    await rm(join(dir, "doc.yaml"), { force: true });
    await writeFile(join(dir, "doc.yaml"), text);
    return loadDirectory(dir);
  }

  it("accepts a partial settings document and an isolation policy", async () => {
    const result = await validate(
      [
        "apiVersion: ppgov/v1\nkind: TenantSettings\nmetadata:\n  name: settings\nspec:\n",
        "  powerPlatform:\n    licensing:\n      storageCapacityConsumptionWarningThreshold: 90\n",
        "---\napiVersion: ppgov/v1\nkind: TenantIsolation\nmetadata:\n  name: isolation\nspec:\n",
        "  enabled: true\n  allowedTenants:\n    - tenantId: '*'\n      direction: inbound\n",
      ].join(""),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.documents.map((d) => d.document.kind)).toEqual(["TenantSettings", "TenantIsolation"]);
  });

  it("refuses a misspelt setting at its line, suggesting the right name", async () => {
    const result = await validate(
      "apiVersion: ppgov/v1\nkind: TenantSettings\nmetadata:\n  name: settings\nspec:\n  powerPlatform:\n    powerApps:\n      disableShareWithEvryone: true\n",
    );
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ code: "PPG204", file: "doc.yaml", line: 8 });
    expect(result.diagnostics[0]!.message).toContain("disableShareWithEveryone");
  });

  it("refuses a threshold over 100 and a direction the service does not have", async () => {
    const settings = await validate(
      "apiVersion: ppgov/v1\nkind: TenantSettings\nmetadata:\n  name: s\nspec:\n  powerPlatform:\n    licensing:\n      storageCapacityConsumptionWarningThreshold: 120\n",
    );
    expect(settings.diagnostics.map((d) => [d.code, d.line])).toEqual([["PPG208", 8]]);
    const isolation = await validate(
      "apiVersion: ppgov/v1\nkind: TenantIsolation\nmetadata:\n  name: i\nspec:\n  enabled: true\n  allowedTenants:\n    - tenantId: contoso.com\n      direction: sideways\n",
    );
    expect(isolation.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ["PPG207", 8],
      ["PPG205", 9],
    ]);
  });

  it("requires enabled on an isolation policy", async () => {
    const result = await validate(
      "apiVersion: ppgov/v1\nkind: TenantIsolation\nmetadata:\n  name: i\nspec:\n  allowedTenants: []\n",
    );
    expect(result.diagnostics.map((d) => d.code)).toEqual(["PPG203"]);
    expect(result.diagnostics[0]!.message).toContain("enabled");
  });
});
