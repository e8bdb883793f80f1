import { mkdtemp, rm } from "node:fs/promises";
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

const POLICY_GET = /^\/providers\/PowerPlatform\.Governance\/v2\/policies\/[^/?]+/;

/** The built CLI: plan and drift use the read cache, `--no-cache` and apply do not. */
describe("the read cache in the plan command", () => {
  let emulator: RunningEmulator;
  let scratch: string;
  let env: NodeJS.ProcessEnv;
  const policies = join(repoRoot, "policies");

  beforeAll(async () => {
    emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath) });
    scratch = await mkdtemp(join(tmpdir(), "ppgov-plan-cache-"));
    env = { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev", PPGOV_CACHE_DIR: join(scratch, "cache") };
  });
  afterAll(async () => {
    await emulator.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const policyGets = (): number =>
    emulator.requests().filter((entry) => entry.method === "GET" && POLICY_GET.test(entry.path)).length;

  async function plan(...extra: string[]): Promise<{ code: number; gets: number; stdout: string }> {
    emulator.resetRequests();
    const result = await runCli(["plan", "-d", policies, "--format", "json", ...extra], {
      cwd: scratch,
      env,
    });
    return { code: result.code, gets: policyGets(), stdout: result.stdout };
  }

  it("reads each DLP policy once, then only the list while the tenant is unchanged", async () => {
    const cold = await plan();
    expect(cold.code).toBe(0);
    expect(cold.gets).toBeGreaterThan(0);

    const warm = await plan();
    expect(warm.code).toBe(0);
    expect(warm.gets).toBe(0);
    // The same plan either way (apart from its creation time and the digest that covers it).
    const strip = (text: string): unknown => {
      const {
        createdAt: _createdAt,
        planDigest: _planDigest,
        ...rest
      } = JSON.parse(text) as Record<string, unknown>;
      return rest;
    };
    expect(strip(warm.stdout)).toEqual(strip(cold.stdout));

    const bypassed = await plan("--no-cache");
    expect(bypassed.gets).toBe(cold.gets);
  });

  it("drift uses the cache; PPGOV_CONCURRENCY is checked like --concurrency", async () => {
    await plan();
    emulator.resetRequests();
    const drift = await runCli(["drift", "-d", policies], { cwd: scratch, env });
    expect(drift.code).not.toBe(1);
    expect(policyGets()).toBe(0);

    const refused = await runCli(["plan", "-d", policies], {
      cwd: scratch,
      env: { ...env, PPGOV_CONCURRENCY: "lots" },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('PPGOV_CONCURRENCY must be an integer between 1 and 256, got "lots"');
  });
});
