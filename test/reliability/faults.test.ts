import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { scratchTenants, spawnCli } from "../helpers/scratch-tenant.js";

/**
 * Issue 7 "Faults", end to end through the built CLI: two applies at once on one tenant, and a sustained
 * 429 storm. (The seeded soak and SIGKILL runs: bench/soak.mjs, reduced size in .ci/run.)
 */

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

const tenants = scratchTenants("ppgov-reliability-");
afterEach(() => tenants.closeAll());

/** Spawns the built CLI without waiting, so two can run at once. */
function start(args: string[], cwd: string, env: Record<string, string>): Promise<Finished> {
  return spawnCli(args, { cwd, env, capture: true }).finished;
}

/**
 * Lifecycle operations of a second: the 202 then carries Retry-After: 1, so the client polls each second;
 * a shorter one carries none and the client waits its 5 s default before the first poll.
 */
const LIFECYCLE_MS = 1_000;

const APPLY = ["apply", "-d", "policies", "--auto-approve"];

describe("two applies at once on one tenant", () => {
  it("lets exactly one proceed; the other stops with a clear lock message and changes nothing", async () => {
    // A slow lifecycle keeps the first apply (and its lock) busy while the second starts.
    const { emulator, cwd, env } = await tenants.open({ lifecycleDelayMs: 1500 });
    const [first, second] = await Promise.all([start(APPLY, cwd, env), start(APPLY, cwd, env)]);
    const outcomes = [first, second].sort((a, b) => (a.code ?? 9) - (b.code ?? 9));
    expect(outcomes.map((o) => o.code)).toEqual([0, 1]);
    const refused = outcomes[1] as Finished;
    expect(refused.stderr).toMatch(/another ppgov apply \(pid \d+ .*\) is changing this tenant/);
    expect(refused.stderr).toMatch(/Nothing was changed in the tenant\./);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const names = (emulator.state().environments ?? []).map((e) => e.properties.displayName);
    expect(names.filter((n) => n === "Innovation Lab")).toHaveLength(1);
    const replanned = await start(["plan", "-d", "policies", "--detailed-exitcode"], cwd, env);
    expect(replanned.code).toBe(0);
  }, 60_000);
});

describe("a sustained 429 storm", () => {
  it("honours Retry-After on every retry and stops at its retry budget with a clear message, never spinning", async () => {
    const { emulator, cwd, env } = await tenants.open({ faults: { rate429: 1, retryAfterSeconds: 1 } });
    const started = Date.now();
    const result = await start(APPLY, cwd, env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/429|throttl/i);
    expect(result.stderr).toMatch(/Nothing was changed in the tenant\./);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const requests = emulator.requests();
    // Bounded: a few attempts of the first reads, not a spin.
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.length).toBeLessThan(120);
    expect(requests.every((r) => r.status === 429)).toBe(true);
    // Each retry of one request waited the second Retry-After asked for.
    const byPath = new Map<string, number[]>();
    for (const r of requests) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r.at]);
    const gaps = [...byPath.values()].flatMap((times) =>
      times.slice(1).map((at, i) => at - (times[i] ?? at)),
    );
    expect(gaps.length).toBeGreaterThan(0);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(45_000);
  }, 60_000);

  it("reads through an intermittent 429 rate; the apply completes or stops clearly, and converges after", async () => {
    const { emulator, cwd, env } = await tenants.open({
      faults: { rate429: 0.2, retryAfterSeconds: 0 },
      lifecycleDelayMs: LIFECYCLE_MS,
      faultSeed: 11,
    });
    const result = await start(APPLY, cwd, env);
    expect(emulator.requests().filter((r) => r.status === 429).length).toBeGreaterThan(0);
    // Every throttled read was retried: the whole plan was read and shown.
    expect(result.stdout).toMatch(/Plan: \d+ to add/);
    expect(result.stdout).toMatch(/\d+ throttled \(429\)/);
    if (result.code !== 0) {
      // A step that still failed (its retries spent) stops the run, which says what was done and what not.
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/Apply failed at .*\n.*429/);
      expect(result.stdout).toMatch(/Not attempted|run ppgov plan and apply again/);
    }
    emulator.setFaults({});
    const again = await start(APPLY, cwd, env);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const replanned = await start(["plan", "-d", "policies", "--detailed-exitcode"], cwd, env);
    expect(replanned.code).toBe(0);
    const names = (emulator.state().dlpPolicies ?? []).map((p) => p.policyDefinition.displayName);
    expect(names.length).toBe(new Set(names).size);
  }, 60_000);
});

describe("a read failing after every step was sent", () => {
  it("still reports the apply, says the confirmation is missing, and a later plan shows it took effect", async () => {
    const { emulator, cwd, env } = await tenants.open({ lifecycleDelayMs: LIFECYCLE_MS });
    expect((await start(APPLY, cwd, env)).code).toBe(0);
    const settings = join(cwd, "policies", "tenant", "settings.yaml");
    const text = await readFile(settings, "utf8");
    await writeFile(
      settings,
      text.replace(
        "disableEnvironmentCreationByNonAdminUsers: true",
        "disableEnvironmentCreationByNonAdminUsers: false",
      ),
    );
    emulator.resetRequests();
    // Once the write has arrived, every read answers an HTML page with status 200.
    const watcher = setInterval(() => {
      const wrote = emulator
        .requests()
        .some((r) => r.method !== "GET" && !/\/list[A-Z][^/?]*(\?|$)/.test(r.path));
      if (wrote) emulator.setFaults({ rateMalformed: 1, malformedKind: "html-200" });
    }, 1);
    const result = await start(APPLY, cwd, env).finally(() => clearInterval(watcher));
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(
      /Apply sent every step, but checking that the tenant shows the result failed:/,
    );
    expect(result.stdout).toMatch(/unexpected response from/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    emulator.setFaults({});
    const replanned = await start(["plan", "-d", "policies", "--detailed-exitcode"], cwd, env);
    expect(replanned.code, replanned.stdout).toBe(0);
  }, 60_000);
});
