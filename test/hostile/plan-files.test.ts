/**
 * Issue 7: saved plans that must not run — truncated, not JSON, tampered, from another tenant, of an
 * older format, a drift report — are refused by `ppgov apply PLANFILE` (the built CLI) with a clear
 * message, and the tenant receives no write.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computePlanDigest } from "../../src/core/plan/digest.js";
import { PLAN_FORMAT_VERSION, type Plan } from "../../src/core/plan/index.js";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";

let emulator: RunningEmulator;
let dir: string;
let env: NodeJS.ProcessEnv;
let planText: string;

beforeAll(async () => {
  emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), lifecycleDelayMs: 0 });
  dir = mkdtempSync(join(tmpdir(), "ppgov-hostile-plans-"));
  cpSync(join(repoRoot, "policies"), join(dir, "policies"), { recursive: true });
  env = { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev", PPGOV_LOCK_DIR: join(dir, "locks") };
  const planned = await runCli(["plan", "-d", "policies", "-o", "plan.json", "--detailed-exitcode"], {
    cwd: dir,
    env,
  });
  expect(planned.code, planned.stderr).toBe(2);
  planText = readFileSync(join(dir, "plan.json"), "utf8");
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A plan edited and then given a matching digest, as a genuine plan with that content would have. */
function resealed(edit: (plan: Plan) => void): string {
  const plan = JSON.parse(planText) as Plan;
  edit(plan);
  plan.planDigest = computePlanDigest(plan);
  return JSON.stringify(plan, null, 2);
}

const CASES: { name: string; text: () => string; says: RegExp }[] = [
  {
    name: "truncated",
    text: () => planText.slice(0, Math.floor(planText.length / 2)),
    says: /bad-plan\.json is not a JSON plan/,
  },
  {
    name: "an HTML page",
    text: () => "<html><body>Sign in</body></html>",
    says: /bad-plan\.json is not a JSON plan/,
  },
  {
    name: "tampered (a step's body changed, digest kept)",
    text: () => {
      const plan = JSON.parse(planText) as Plan;
      const step = plan.steps.find((candidate) => candidate.body !== undefined)!;
      step.body = { injected: true };
      return JSON.stringify(plan, null, 2);
    },
    says: /altered after it was made/,
  },
  {
    name: "tampered (a step's path changed, digest kept)",
    text: () =>
      planText.replace(
        /"path": "\/providers\/[^"]*"/,
        '"path": "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/x"',
      ),
    says: /altered after it was made/,
  },
  {
    name: "from another tenant",
    text: () => resealed((plan) => (plan.tenantId = "0e0e0e0e-1111-4222-8333-444455556666")),
    says: /made for tenant 0e0e0e0e-1111-4222-8333-444455556666.*refusing/,
  },
  {
    name: "of an older format",
    text: () =>
      resealed((plan) => ((plan as { formatVersion: number }).formatVersion = PLAN_FORMAT_VERSION - 1)),
    says: /formatVersion/,
  },
  {
    name: "a drift report",
    text: () => resealed((plan) => (plan.mode = "drift")),
    says: /drift report, not a plan/,
  },
];

describe("apply refuses plan files it must not run", () => {
  it("the untouched plan is one the refusals below would otherwise apply", () => {
    const plan = JSON.parse(planText) as Plan;
    expect(plan.steps.length).toBeGreaterThan(0);
    expect(plan.steps.some((step) => step.body !== undefined)).toBe(true);
  });

  it.each(CASES)("$name", async (hostile) => {
    const text = hostile.text();
    expect(text).not.toBe(planText);
    writeFileSync(join(dir, "bad-plan.json"), text);
    await fetch(`${emulator.url}/_emulator/reset`, { method: "POST" });
    const result = await runCli(["apply", "bad-plan.json", "-d", "policies", "--auto-approve"], {
      cwd: dir,
      env,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(1);
    expect(output).toMatch(hostile.says);
    expect(output).not.toMatch(/\n\s+at .+:\d+:\d+/);
    console.log(`apply of a plan that is ${hostile.name}: ${result.stderr.trim().split("\n").at(-1) ?? ""}`);
    const log = (await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as { method: string }[];
    expect(log.filter((request) => request.method !== "GET")).toEqual([]);
  });
});
