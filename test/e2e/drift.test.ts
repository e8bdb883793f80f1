import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { runCli } from "../helpers/run-cli.js";

/**
 * `ppgov drift` through the built CLI: an adopted tenant is clean (0), a change made outside git (here a
 * PUT as the admin portal would send it) is drift (2) naming the resource, and a failure is 1.
 */
describe("ppgov drift against the sample tenant", () => {
  let emulator: RunningEmulator;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), lifecycleDelayMs: 20 });
    cwd = await mkdtemp(join(tmpdir(), "ppgov-drift-e2e-"));
    env = { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev", PPGOV_CACHE_DIR: join(cwd, "cache") };
    const exported = await runCli(["export", "-o", "adopted"], { cwd, env });
    expect(exported.code).toBe(0);
  });
  afterAll(async () => {
    await emulator.close();
    await rm(cwd, { recursive: true, force: true });
  });

  it("exits 0 when the tenant matches the policies", async () => {
    const drift = await runCli(["drift", "-d", "adopted"], { cwd, env });
    expect(drift.stderr).toBe("");
    expect(drift.code).toBe(0);
    expect(drift.stdout).not.toContain("Drift detected");
  });

  it("exits 2 and names the drifted resource and field after a change made outside git", async () => {
    const group = emulator.state().environmentGroups?.find((g) => g.displayName === "Finance");
    expect(group).toBeDefined();
    const response = await fetch(
      `${emulator.url}/providers/Microsoft.BusinessAppPlatform/environmentGroups/${group?.id ?? ""}?api-version=2021-04-01`,
      {
        method: "PUT",
        headers: { authorization: "Bearer ppgov-dev", "content-type": "application/json" },
        body: JSON.stringify({ displayName: "Finance", description: "edited in the portal" }),
      },
    );
    expect(response.ok).toBe(true);

    const drift = await runCli(["drift", "-d", "adopted", "-o", "drift.json"], { cwd, env });
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain("Drift detected");
    expect(drift.stdout).toMatch(/^ {2}~ EnvironmentGroup\/finance \("Finance", /m);
    expect(drift.stdout).toContain('~ description: "edited in the portal" → ');
    expect(drift.stdout).toMatch(/^Plan: 0 to add, 1 to change, 0 to destroy\.$/m);
    const saved = JSON.parse(await readFile(join(cwd, "drift.json"), "utf8")) as {
      steps: { address: string }[];
    };
    expect(saved.steps.map((step) => step.address)).toEqual(["EnvironmentGroup/finance"]);
  });

  it("exits 1 when the tenant cannot be read, without a stack trace", async () => {
    const drift = await runCli(["drift", "-d", "adopted"], {
      cwd,
      env: { ...env, PPGOV_TOKEN: "not-a-valid-token" },
    });
    expect(drift.code).toBe(1);
    expect(drift.stderr).toMatch(/^error: /m);
    expect(drift.stderr).not.toMatch(/\n\s+at /);
    expect(drift.stdout).not.toContain("Drift detected");
  });
});
