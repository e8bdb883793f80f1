import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { repoRoot, runCli, runOnTerminal } from "../helpers/run-cli.js";
import { tenantWrites } from "../helpers/tenant-writes.js";

/** `ppgov plan` through the built CLI against the sample tenant: every output format and exit code. */

const planSchema = JSON.parse(await readFile(join(repoRoot, "schemas/plan.schema.json"), "utf8")) as object;
const validatePlan = new Ajv2020({ strict: true, allErrors: true }).compile(planSchema);

interface JsonPlan {
  formatVersion: number;
  tenantId: string;
  planDigest: string;
  desiredDigest: string;
  steps: { id: string; address: string; method: string }[];
  resources: unknown;
  summary: { add: number; change: number; replace: number; destroy: number };
}

const SUMMARY = /^Plan: (\d+) to add, (\d+) to change, (\d+) to destroy\.$/m;
const ESC = "\u001b[";

describe("ppgov plan against the sample tenant", () => {
  let emulator: RunningEmulator;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), lifecycleDelayMs: 20 });
    cwd = await mkdtemp(join(tmpdir(), "ppgov-plan-e2e-"));
    await cp(join(repoRoot, "policies"), join(cwd, "policies"), { recursive: true });
    env = { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev", PPGOV_CACHE_DIR: join(cwd, "cache") };
  });
  afterAll(async () => {
    await emulator.close();
    await rm(cwd, { recursive: true, force: true });
  });
  beforeEach(() => emulator.resetRequests());

  it("prints a Terraform-style text plan, saves the JSON plan with -o, and exits 2 for changes", async () => {
    const planned = await runCli(["plan", "-d", "policies", "-o", "plan.json", "--detailed-exitcode"], {
      cwd,
      env,
    });
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(2);
    const text = planned.stdout;
    expect(text).toMatch(/^ppgov will perform the following actions:$/m);
    expect(text).toMatch(/^ {2}# Environment\/innovation-lab will be created$/m);
    expect(text).toMatch(/^ {2}\+ Environment\/innovation-lab \("Innovation Lab"\)$/m);
    expect(text).toMatch(/^ {6}\+ type = "Sandbox"$/m);
    expect(text).toMatch(/^ {2}~ EnvironmentGroup\/finance \("Finance", [0-9a-f-]{36}\)$/m);
    expect(text).toContain('~ managed.solutionCheckerMode: "warn" → "block"');
    expect(text).toMatch(/^\d+ API calls, 0 throttled \(429\)$/m);
    expect(text).toContain("Saved the plan to plan.json. To apply exactly it: ppgov apply plan.json");
    expect(text).not.toContain(ESC);

    const plan = JSON.parse(await readFile(join(cwd, "plan.json"), "utf8")) as JsonPlan;
    expect(validatePlan(plan), JSON.stringify(validatePlan.errors)).toBe(true);
    const counts = SUMMARY.exec(text)?.slice(1, 4).map(Number);
    expect(counts).toEqual([
      plan.summary.add,
      plan.summary.change + plan.summary.replace,
      plan.summary.destroy,
    ]);
    expect(plan.summary.add).toBe(3);
    expect(plan.planDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(plan.steps.map((step) => step.address)).toContain("Environment/innovation-lab");
    // Planning reads; it never writes.
    expect(emulator.requests().length).toBeGreaterThan(0);
    expect(tenantWrites(emulator)).toEqual([]);
  });

  it("prints the JSON plan on stdout with --format json, valid against schemas/plan.schema.json", async () => {
    const planned = await runCli(["plan", "-d", "policies", "--format", "json"], { cwd, env });
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as JsonPlan;
    expect(validatePlan(plan), JSON.stringify(validatePlan.errors)).toBe(true);
    expect(plan.formatVersion).toBe(1);
    expect(plan.tenantId).toMatch(/^[0-9a-f-]{36}$/);
    // Steps are ordered: the environment is created before the DLP policy that scopes it.
    const addresses = plan.steps.map((step) => step.address);
    expect(addresses.indexOf("Environment/innovation-lab")).toBeLessThan(
      addresses.indexOf("DlpPolicy/social-media"),
    );
  });

  it("renders markdown for a PR comment with a summary table and a section per kind", async () => {
    const planned = await runCli(["plan", "-d", "policies", "--format", "markdown"], { cwd, env });
    expect(planned.code).toBe(0);
    expect(planned.stdout).toMatch(/^## ppgov plan$/m);
    expect(planned.stdout).toMatch(/^\| ➕ add \| 3 \|$/m);
    expect(planned.stdout).toMatch(/^\*\*Plan: 3 to add, \d+ to change, 0 to destroy\.\*\*$/m);
    expect(planned.stdout).toMatch(/^### Environment \(\d+\)$/m);
    expect(planned.stdout).toMatch(/^### DlpPolicy \(\d+\)$/m);
    expect(planned.stdout).toContain("```diff");
  });

  it("colours the plan on a terminal, and not when NO_COLOR is set", async () => {
    const coloured = await runOnTerminal(["plan", "-d", "policies"], cwd, env);
    expect(coloured).toContain(`${ESC}1mPlan: 3 to add,`);
    expect(coloured).toContain(`${ESC}33m  ~${ESC}0m EnvironmentGroup/finance`);
    const plain = await runOnTerminal(["plan", "-d", "policies"], cwd, { ...env, NO_COLOR: "1" });
    expect(plain).toMatch(/^Plan: 3 to add, \d+ to change, 0 to destroy\.\r?$/m);
    expect(plain).not.toContain(ESC);
  });

  it("exits 0 with --detailed-exitcode when an export of the tenant is planned", async () => {
    const exported = await runCli(["export", "-o", "adopted"], { cwd, env });
    expect(exported.code).toBe(0);
    const planned = await runCli(["plan", "-d", "adopted", "--detailed-exitcode"], { cwd, env });
    expect(planned.stdout).toContain("No changes.");
    expect(planned.stdout).not.toMatch(SUMMARY);
    expect(planned.code).toBe(0);
  });

  it("stops on invalid policies with file:line:col diagnostics, exit 1, and sends nothing", async () => {
    const dir = join(cwd, "invalid");
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, "bad.yaml"),
      [
        "apiVersion: ppgov/v1",
        "kind: Environment",
        "metadata:",
        "  name: bad",
        "spec:",
        "  displayName: Bad",
        "  type: Sandboxx",
        "  location: unitedstates",
        "",
      ].join("\n"),
    );
    const planned = await runCli(["plan", "-d", "invalid", "--detailed-exitcode"], { cwd, env });
    expect(planned.code).toBe(1);
    expect(planned.stdout + planned.stderr).toMatch(/bad\.yaml:7:9: error PPG\d+ spec\.type .*Sandbox/);
    expect(planned.stderr).not.toMatch(/\n\s+at /);
    expect(tenantWrites(emulator)).toEqual([]);
    await expect(readFile(join(dir, "plan.json"), "utf8")).rejects.toThrow();
  });

  it("counts the members only of groups that gain a SKU, and refuses a plan that needs more seats", async () => {
    const dir = join(cwd, "seats");
    await mkdir(dir, { recursive: true });
    await cp(join(cwd, "policies", "tenant.yaml"), join(dir, "tenant.yaml"));
    // The makers group already holds both SKUs; "All Employees" (486 members) would gain Power Apps,
    // of which 9 seats are free.
    await cp(join(cwd, "policies", "licensing", "makers-group.yaml"), join(dir, "makers.yaml"));
    await writeFile(
      join(dir, "everyone.yaml"),
      [
        "apiVersion: ppgov/v1",
        "kind: LicenseAssignment",
        "metadata:",
        "  name: everyone",
        "spec:",
        "  group: B7C3E2A1-4F5D-4E6A-8B9C-0D1E2F3A4B5C",
        "  licenses:",
        "    - sku: ENTERPRISEPACK",
        "    - sku: powerapps_per_user",
        "",
      ].join("\n"),
    );
    const planned = await runCli(["plan", "-d", "seats", "--detailed-exitcode"], { cwd, env });
    expect(planned.code).toBe(1);
    expect(planned.stdout + planned.stderr).toMatch(
      /everyone\.yaml:\d+:\d+: error PPG404 .*POWERAPPS_PER_USER: new assignments need 486 seats but 9 are available/,
    );
    const counted = emulator
      .requests()
      .map((request) => request.path.split("?")[0] ?? "")
      .filter((path) => path.endsWith("/members/$count"));
    expect(counted).toEqual(["/v1.0/groups/b7c3e2a1-4f5d-4e6a-8b9c-0d1e2f3a4b5c/members/$count"]);
    expect(tenantWrites(emulator)).toEqual([]);
  });

  it("exits 1 with a clear message for a directory that does not exist", async () => {
    const planned = await runCli(["plan", "-d", "missing", "--detailed-exitcode"], { cwd, env });
    expect(planned.code).toBe(1);
    expect(planned.stderr).toContain("policy directory 'missing' does not exist");
    expect(planned.stderr).not.toMatch(/\n\s+at /);
  });
});
