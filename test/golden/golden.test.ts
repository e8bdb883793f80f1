import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";

/**
 * Golden outputs of the shipped policies/ against the sample tenant, compared byte for byte, so that a
 * refactoring that must not change behaviour (issue 22) can show it did not: `ppgov demo` (its plan
 * text) and `ppgov plan --format json`. Only what differs from run to run is normalised: the emulator's
 * port, the plan's createdAt and the planDigest computed over it.
 *
 * When a change of output is intended (a policies/ sample edited, a renderer changed), regenerate and
 * review the diff of test/golden/*.golden in the commit:
 *
 *     UPDATE_GOLDEN=1 npx vitest run test/golden
 */

const update = process.env.UPDATE_GOLDEN === "1";
const goldenPath = (name: string): string => join(repoRoot, "test", "golden", name);

async function matchGolden(name: string, actual: string): Promise<void> {
  if (update) await writeFile(goldenPath(name), actual, "utf8");
  const expected = await readFile(goldenPath(name), "utf8");
  // Compared as strings, not parsed: a reordered key or a changed blank line is a change.
  expect(actual, `${name} differs from its golden (UPDATE_GOLDEN=1 to regenerate)`).toBe(expected);
}

const normalisePort = (text: string): string =>
  text.replace(/http:\/\/127\.0\.0\.1:\d+/g, "http://127.0.0.1:PORT");

function normalisePlanJson(text: string): string {
  const createdAt = /^ {2}"createdAt": "[^"]+",$/m;
  const planDigest = /^ {2}"planDigest": "sha256:[0-9a-f]{64}",$/m;
  // Fail rather than pass vacuously if the shape these normalisations expect ever changes.
  expect(text).toMatch(createdAt);
  expect(text).toMatch(planDigest);
  return text
    .replace(createdAt, '  "createdAt": "CREATED_AT",')
    .replace(planDigest, '  "planDigest": "sha256:PLAN_DIGEST",');
}

describe("golden outputs of the shipped policies against the sample tenant", () => {
  let emulator: RunningEmulator;
  let cwd: string;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), lifecycleDelayMs: 20 });
    cwd = await mkdtemp(join(tmpdir(), "ppgov-golden-"));
    await cp(join(repoRoot, "policies"), join(cwd, "policies"), { recursive: true });
  });
  afterAll(async () => {
    await emulator.close();
    await rm(cwd, { recursive: true, force: true });
  });

  it("ppgov demo prints the same plan text", async () => {
    const demo = await runCli(["demo"], { cwd });
    expect(demo.stderr).toBe("");
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/running at http:\/\/127\.0\.0\.1:\d+,/);
    await matchGolden("demo.txt.golden", normalisePort(demo.stdout));
  });

  it("ppgov plan --format json prints the same plan", async () => {
    const env = {
      PPGOV_ENDPOINT: emulator.url,
      PPGOV_TOKEN: "ppgov-dev",
      PPGOV_CACHE_DIR: join(cwd, "cache"),
    };
    const planned = await runCli(["plan", "-d", "policies", "--format", "json"], { cwd, env });
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(0);
    await matchGolden("plan.json.golden", normalisePlanJson(normalisePort(planned.stdout)));
  });
});
