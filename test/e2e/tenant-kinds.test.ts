import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/core/plan/types.js";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import type { EmulatorSeed } from "../../src/emulator/types.js";
import { runCli } from "../helpers/run-cli.js";

const BAP = "/providers/Microsoft.BusinessAppPlatform";
const PARTNER = "7d4e2b19-3c5a-4f8e-9b61-2a0c8e5d4f73";

/**
 * The round trip of issue 8 for TenantSettings and TenantIsolation, through the built CLI against an
 * emulator whose isolation PUTs answer 202 (so apply must follow the operation to its end):
 * export → plan clean → edit → plan exact → apply → plan clean.
 */
describe("ppgov round trip of the tenant singletons", () => {
  let emulator: RunningEmulator;
  let scratch: string;
  let env: NodeJS.ProcessEnv;
  let sample: EmulatorSeed;

  const admin = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      headers: { Authorization: "Bearer ppgov-dev", "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return text === "" ? undefined : JSON.parse(text);
  };

  beforeAll(async () => {
    sample = await loadSeedFile(sampleSeedPath);
    emulator = await startEmulator({ seed: sample, lifecycleDelayMs: 20 });
    scratch = await mkdtemp(join(tmpdir(), "ppgov-tenant-kinds-e2e-"));
    env = {
      PPGOV_ENDPOINT: emulator.url,
      PPGOV_TOKEN: "ppgov-dev",
      PPGOV_JOURNAL: join(scratch, "journal.jsonl"),
    };
    await admin("PUT", "/_emulator/faults", { isolationAsyncMs: 300 });
  });
  afterAll(async () => {
    await emulator.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("exports, plans clean, plans an edit exactly, applies it (202 and poll) and plans clean again", async () => {
    const exported = await runCli(["export", "-o", "repo", "--kinds", "TenantSettings,TenantIsolation"], {
      cwd: scratch,
      env,
    });
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/TenantSettings\s+1\n\s+TenantIsolation\s+1\n/);

    const clean = await runCli(["plan", "-d", "repo", "--detailed-exitcode"], { cwd: scratch, env });
    expect(clean.stdout).toContain("No changes.");
    expect(clean.code).toBe(0);

    // Edit: one setting changed, one setting no longer named (unmanaged); one tenant's direction
    // widened and a partner added.
    const settingsFile = join(scratch, "repo", "tenant", "tenant-settings.yaml");
    const settings = await readFile(settingsFile, "utf8");
    expect(settings).toContain("      disableShareWithEveryone: false\n");
    expect(settings).toContain("  walkMeOptOut: false\n");
    await writeFile(
      settingsFile,
      settings
        .replace("      disableShareWithEveryone: false\n", "      disableShareWithEveryone: true\n")
        .replace("  walkMeOptOut: false\n", ""),
    );
    const isolationFile = join(scratch, "repo", "tenant", "tenant-isolation.yaml");
    const isolation = await readFile(isolationFile, "utf8");
    expect(isolation).toContain("      direction: inbound\n");
    await writeFile(
      isolationFile,
      isolation.replace(
        "      direction: inbound\n",
        `      direction: both\n    - tenantId: ${PARTNER}\n      direction: outbound\n`,
      ),
    );
    // Someone flips the setting the repository no longer manages: never a change.
    await admin("POST", `${BAP}/scopes/admin/updateTenantSettings?api-version=2023-06-01`, {
      walkMeOptOut: true,
    });

    const planned = await runCli(["plan", "-d", "repo", "--detailed-exitcode", "-o", "plan.json"], {
      cwd: scratch,
      env,
    });
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(2);
    const fabrikam = (
      sample.tenantIsolationPolicy as { properties: { allowedTenants: { tenantId: string }[] } }
    ).properties.allowedTenants[0]!.tenantId;
    expect(planned.stdout).toContain(
      "# TenantSettings/tenant-settings will be updated in place; 1 other setting is unmanaged (not named in the document)",
    );
    expect(planned.stdout).toContain("~ powerPlatform.powerApps.disableShareWithEveryone: false → true");
    expect(planned.stdout).toContain(`~ allowedTenants.${fabrikam}: "inbound" → "both"`);
    expect(planned.stdout).toContain(`+ allowedTenants.${PARTNER} = "outbound"`);
    expect(planned.stdout).not.toContain("walkMeOptOut");
    expect(planned.stdout).toContain("Plan: 0 to add, 2 to change, 0 to destroy.");

    const plan = JSON.parse(await readFile(join(scratch, "plan.json"), "utf8")) as Plan;
    expect(plan.resources.map((r) => [r.address, r.action, r.changedPaths.map((p) => p.path)])).toEqual([
      ["TenantSettings/tenant-settings", "update", ["/powerPlatform/powerApps/disableShareWithEveryone"]],
      [
        "TenantIsolation/tenant-isolation",
        "update",
        [`/allowedTenants/${fabrikam}`, `/allowedTenants/${PARTNER}`].sort(),
      ],
    ]);
    expect(plan.steps.map((s) => [s.method, s.path.split("?")[0], s.async])).toEqual([
      ["POST", `${BAP}/scopes/admin/updateTenantSettings`, "none"],
      [
        "PUT",
        `/providers/PowerPlatform.Governance/v1/tenants/${sample.tenantId}/tenantIsolationPolicy`,
        "tenantIsolation",
      ],
    ]);
    expect(plan.steps[0]!.body).toEqual({ powerPlatform: { powerApps: { disableShareWithEveryone: true } } });

    await admin("POST", "/_emulator/reset");
    const applied = await runCli(["apply", "plan.json", "-d", "repo"], { cwd: scratch, env });
    expect(applied.stderr).not.toMatch(/error/i);
    expect(applied.code).toBe(0);
    const requests = (await admin("GET", "/_emulator/requests")) as {
      method: string;
      path: string;
      status: number;
    }[];
    const isolationWrites = requests.filter(
      (r) => r.path.includes("tenantIsolationPolicy") && r.method !== "GET",
    );
    expect(isolationWrites.map((r) => r.status)).toEqual([202]);
    const polls = requests.filter((r) => r.path.includes("tenantIsolationPolicy/operations/"));
    expect(polls.at(-1)?.status).toBe(200);

    const state = (await admin("GET", "/_emulator/state")) as Required<EmulatorSeed>;
    expect(state.tenantIsolationPolicy).toEqual({
      properties: {
        tenantId: sample.tenantId,
        isDisabled: false,
        allowedTenants: [
          { tenantId: PARTNER, direction: { inbound: false, outbound: true } },
          { tenantId: fabrikam, direction: { inbound: true, outbound: true } },
        ].sort((a, b) => (a.tenantId < b.tenantId ? -1 : 1)),
      },
    });
    expect(state.tenantSettings).toMatchObject({
      walkMeOptOut: true,
      powerPlatform: { powerApps: { disableShareWithEveryone: true } },
    });

    const again = await runCli(["plan", "-d", "repo", "--detailed-exitcode"], { cwd: scratch, env });
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);
  }, 60_000);

  it("refuses a second TenantSettings document with PPG315 at the extra one", async () => {
    const dir = join(scratch, "twice");
    await rm(dir, { recursive: true, force: true });
    await import("node:fs/promises").then((fs) => fs.mkdir(dir, { recursive: true }));
    const document = (name: string, value: boolean) =>
      `apiVersion: ppgov/v1\nkind: TenantSettings\nmetadata:\n  name: ${name}\nspec:\n  walkMeOptOut: ${value}\n`;
    await writeFile(
      join(dir, "settings.yaml"),
      `${document("first", true)}---\n${document("second", false)}`,
    );
    const validated = await runCli(["validate", "-d", "twice"], { cwd: scratch, env });
    expect(validated.code).toBe(1);
    expect(validated.stdout + validated.stderr).toMatch(
      /twice\/settings\.yaml:9:7: error PPG315 a second TenantSettings document \(the first is TenantSettings\/first at twice\/settings\.yaml:1\)/,
    );
  });
});
