import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { randomSeed } from "../export/random-seed.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";
import { POLLED_LIFECYCLE_MS } from "../helpers/scratch-tenant.js";

/** The built CLI against an emulator: export, then validate and plan the export. */
describe("ppgov export against the emulator (sample tenant)", () => {
  let emulator: RunningEmulator;
  let scratch: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    emulator = await startEmulator({
      seed: await loadSeedFile(sampleSeedPath),
      lifecycleDelayMs: POLLED_LIFECYCLE_MS,
    });
    scratch = await mkdtemp(join(tmpdir(), "ppgov-export-e2e-"));
    env = { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev" };
  });
  afterAll(async () => {
    await emulator.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("exports a repository that validates and plans no changes", async () => {
    const started = performance.now();
    const exported = await runCli(["export", "-o", "tmp"], { cwd: scratch, env });
    const elapsed = performance.now() - started;
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^Exported 29 documents to tmp\//);
    expect(exported.stdout).toContain('the default environment "Contoso (default)"');
    console.log(`export of the sample tenant: ${Math.round(elapsed)} ms wall (CLI start-up included)`);

    const validated = await runCli(["validate", "-d", "tmp"], { cwd: scratch, env });
    expect(validated.stdout).toContain("29 documents in 29 files are valid");
    expect(validated.code).toBe(0);

    const planned = await runCli(["plan", "-d", "tmp", "--detailed-exitcode"], { cwd: scratch, env });
    expect(planned.stdout).toContain("No changes.");
    expect(planned.code).toBe(0);
  });

  it("refuses a non-empty directory without --force, and with it replaces only policy files", async () => {
    const dir = join(scratch, "existing");
    await mkdir(join(dir, "old"), { recursive: true });
    await writeFile(join(dir, "README.md"), "kept\n");
    await writeFile(join(dir, "old", "stale.yaml"), "apiVersion: ppgov/v1\n");

    const refused = await runCli(["export", "-o", "existing"], { cwd: scratch, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("'existing' is not empty: pass --force");
    expect(refused.stderr).not.toMatch(/\n\s+at /);

    const forced = await runCli(["export", "-o", "existing", "--force"], { cwd: scratch, env });
    expect(forced.code).toBe(0);
    const entries = (await readdir(dir)).sort();
    expect(entries).toEqual([
      "README.md",
      "dlp",
      "environment-groups",
      "environments",
      "licensing",
      "tenant",
      "tenant.yaml",
    ]);
    expect(await readFile(join(dir, "README.md"), "utf8")).toBe("kept\n");
    // No temporary files left behind (.ppgov is the read cache of the plans run in this directory).
    expect((await readdir(scratch)).filter((name) => name.startsWith(".") && name !== ".ppgov")).toEqual([]);
  });

  it("exports only the kinds asked for and keeps what an existing repository ignores", async () => {
    const repo = join(scratch, "repo");
    await mkdir(repo, { recursive: true });
    await writeFile(
      join(repo, "tenant.yaml"),
      'apiVersion: ppgov/v1\nkind: Tenant\nmetadata:\n  name: contoso\nspec:\n  ignore:\n    - "Trial - *"\n',
    );
    const result = await runCli(
      ["export", "-o", "partial", "-d", "repo", "--kinds", "environment,DlpPolicy"],
      {
        cwd: scratch,
        env,
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Not written: 1 object matched by Tenant.ignore.");
    expect((await readdir(join(scratch, "partial"))).sort()).toEqual(["dlp", "environments", "tenant.yaml"]);
    expect(await readdir(join(scratch, "partial", "environments"))).not.toContain("trial-sales-pilot.yaml");
    expect(await readFile(join(scratch, "partial", "tenant.yaml"), "utf8")).toContain("    - Trial - *\n");

    const planned = await runCli(["plan", "-d", "partial", "--detailed-exitcode"], { cwd: scratch, env });
    expect(planned.code).toBe(0);
  });

  it("round-trips after an apply has changed the tenant", async () => {
    const applied = await runCli(["apply", "-d", join(repoRoot, "policies"), "--auto-approve"], {
      cwd: scratch,
      env,
    });
    expect(applied.stdout).toContain("Apply complete!");
    expect(applied.code).toBe(0);
    const exported = await runCli(["export", "-o", "after-apply"], { cwd: scratch, env });
    expect(exported.code).toBe(0);
    expect(exported.stderr).toBe("");
    const planned = await runCli(["plan", "-d", "after-apply", "--detailed-exitcode"], { cwd: scratch, env });
    expect(planned.stdout).toContain("No changes.");
    expect(planned.code).toBe(0);
  });

  it("rejects an unknown kind with a usage error", async () => {
    const result = await runCli(["export", "-o", "never", "--kinds", "Environmnet"], { cwd: scratch, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--kinds: unknown kind "Environmnet"');
  });
});

describe("ppgov export against a larger random tenant", () => {
  let emulator: RunningEmulator;
  let scratch: string;

  beforeAll(async () => {
    emulator = await startEmulator({
      seed: randomSeed(20261122, { environments: 50, dlpPolicies: 10, connectors: 120 }),
      lifecycleDelayMs: 20,
    });
    scratch = await mkdtemp(join(tmpdir(), "ppgov-export-big-"));
  });
  afterAll(async () => {
    await emulator.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("round-trips: export, then plan shows no changes", async () => {
    const env = { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev" };
    const exported = await runCli(["export", "-o", "policies"], { cwd: scratch, env });
    expect(exported.code).toBe(0);
    // Environments that share a display name cannot all be documents: they are reported, not written.
    const documents = Number(/^Exported (\d+) documents/.exec(exported.stdout)?.[1]);
    expect(documents).toBeGreaterThan(50);
    const planned = await runCli(["plan", "-d", "policies", "--detailed-exitcode"], { cwd: scratch, env });
    expect(planned.stdout).toContain("No changes.");
    expect(planned.code).toBe(0);
  });
});

describe("ppgov export against a tenant with leftovers no document can describe", () => {
  let emulator: RunningEmulator;
  let scratch: string;

  beforeAll(async () => {
    const seed = await loadSeedFile(sampleSeedPath);
    const environments = seed.environments as unknown as {
      name: string;
      properties: { displayName: string; createdTime: string };
    }[];
    const policies = seed.dlpPolicies as {
      policyDefinition: { name: string; displayName: string; environments?: unknown[] };
    }[];
    // A second "Legacy Apps", and a policy still scoping an environment that was deleted.
    const twin = structuredClone(environments.find((e) => e.properties.displayName === "Legacy Apps")!);
    twin.name = "0b7e9a55-1c2d-4e3f-8a9b-0c1d2e3f4a5b";
    twin.properties.createdTime = "2026-11-01T00:00:00Z";
    environments.push(twin);
    const stale = structuredClone(
      policies.find((p) => p.policyDefinition.displayName === "Production - strict")!,
    );
    stale.policyDefinition.name = "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    stale.policyDefinition.displayName = "Scoped to a deleted environment";
    stale.policyDefinition.environments = [
      {
        id: "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
        name: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
        type: "Microsoft.BusinessAppPlatform/scopes/environments",
      },
    ];
    policies.push(stale);
    emulator = await startEmulator({ seed, lifecycleDelayMs: 20 });
    scratch = await mkdtemp(join(tmpdir(), "ppgov-export-odd-"));
  });
  afterAll(async () => {
    await emulator.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("warns about what it leaves out, and the rest plans no changes", async () => {
    const env = { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev" };
    const exported = await runCli(["export"], { cwd: scratch, env });
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain("2 objects could not be written as documents that plan clean");
    expect(exported.stderr).toContain('warning: not exported: Environment "Legacy Apps" (0b7e9a55-');
    expect(exported.stderr).toContain(
      'warning: not exported: DlpPolicy "Scoped to a deleted environment" (6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d): its scope names environment "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", which is not in the tenant',
    );
    const planned = await runCli(["plan", "--detailed-exitcode"], { cwd: scratch, env });
    expect(planned.stdout).toContain("No changes.");
    expect(planned.code).toBe(0);
  });
});
