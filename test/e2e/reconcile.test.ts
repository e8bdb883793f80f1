import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/server.js";
import { runCli, withoutProgress } from "../helpers/run-cli.js";
import { scratchTenants, spawnCli, waitUntil } from "../helpers/scratch-tenant.js";
import { tenantWrites } from "../helpers/tenant-writes.js";

/**
 * The reconcile loop as a user runs it: the built CLI plans the shipped policies against an emulator
 * over HTTP, applies the saved plan, and must leave a tenant that plans clean; and a kill -9 at several
 * journal points, after which a re-run converges. The refusals (no terminal, stale, tampered, other
 * tenant, protected delete, lock) are in apply.test.ts; two applies at once in reliability/faults.test.ts.
 */

/** Whole seconds a re-run looks for the object of a create a killed run started (the lifecycle takes 1 s). */
const SETTLE_SECONDS = "10";

const tenants = scratchTenants("ppgov-reconcile-");
afterEach(() => tenants.closeAll());

/** Operations of 1 s or more carry Retry-After, so the client polls every second instead of its 5 s default. */
function scratch(lifecycleDelayMs = 1_000): ReturnType<typeof tenants.open> {
  return tenants.open(
    { lifecycleDelayMs },
    // The emulator's creates finish in a second; a killed create that never reached it is then trusted
    // as absent after SETTLE_SECONDS instead of the 2 minutes a real tenant gets.
    { PPGOV_CREATE_SETTLE_SECONDS: SETTLE_SECONDS },
  );
}

/** Display names that occur more than once among the tenant's environments and DLP policies. */
function duplicates(emulator: RunningEmulator): string[] {
  const state = emulator.state();
  const names = [
    ...(state.environments ?? []).map(
      (environment) => `env:${JSON.stringify(environment.properties.displayName)}`,
    ),
    ...(state.dlpPolicies ?? []).map(
      (policy) => `dlp:${JSON.stringify(policy.policyDefinition.displayName)}`,
    ),
  ];
  return names.filter((name, index) => names.indexOf(name) !== index);
}

async function journalLines(path: string): Promise<string[]> {
  try {
    return (await readFile(path, "utf8")).split("\n").filter((line) => line !== "");
  } catch {
    return [];
  }
}

describe("plan, apply and drift through the built CLI", () => {
  it("applies a saved plan exactly, journals every step, and the tenant then plans clean", async () => {
    const { emulator, cwd: dir, env } = await scratch();

    const drifted = await runCli(["drift", "-d", "policies"], { cwd: dir, env });
    expect(drifted.code).toBe(2);
    expect(drifted.stdout).toContain("DlpPolicy/social-media");

    const planned = await runCli(["plan", "-d", "policies", "-o", "plan.json", "--detailed-exitcode"], {
      cwd: dir,
      env,
    });
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(2);
    const summary = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy\./.exec(planned.stdout);
    expect(summary).not.toBeNull();
    expect(planned.stdout).toMatch(/\d+ API calls, 0 throttled \(429\)/);
    const plan = JSON.parse(await readFile(join(dir, "plan.json"), "utf8")) as {
      steps: { id: string; address: string }[];
      summary: { add: number; change: number; destroy: number };
    };
    expect([plan.summary.add, plan.summary.change, plan.summary.destroy]).toEqual(
      summary?.slice(1, 4).map(Number),
    );
    expect(tenantWrites(emulator)).toEqual([]);

    const applied = await runCli(["apply", "plan.json", "--auto-approve"], { cwd: dir, env });
    expect(withoutProgress(applied.stderr)).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(
      `Apply complete! Resources: ${plan.summary.add} added, ${plan.summary.change} changed, ${plan.summary.destroy} destroyed.`,
    );

    const journal = (await journalLines(env.PPGOV_JOURNAL)).map(
      (line) => JSON.parse(line) as { stepId: string; event: string; outcome?: string },
    );
    // start and end per step, and between them "accepted" for a step the service ran as an operation.
    expect(journal.filter((entry) => entry.event !== "accepted")).toHaveLength(plan.steps.length * 2);
    expect(journal.some((entry) => entry.event === "accepted")).toBe(true);
    for (const step of plan.steps) {
      const events = journal.filter((entry) => entry.stepId === step.id).map((entry) => entry.event);
      expect(["start end", "start accepted end"]).toContain(events.join(" "));
    }
    expect(
      journal.filter((entry) => entry.event === "end").every((entry) => entry.outcome === "succeeded"),
    ).toBe(true);

    const replanned = await runCli(["plan", "-d", "policies", "--detailed-exitcode"], { cwd: dir, env });
    expect(replanned.code).toBe(0);
    expect(replanned.stdout).toContain("No changes.");
    const clean = await runCli(["drift", "-d", "policies"], { cwd: dir, env });
    expect(clean.code).toBe(0);

    const state = emulator.state();
    expect(state.environments?.filter((e) => e.properties.displayName === "Innovation Lab")).toHaveLength(1);
    expect(duplicates(emulator)).toEqual([]);
  });

  it.each([1, 4, 9])(
    "converges without duplicates after a kill -9 once the journal holds %i entries",
    async (entries) => {
      const { emulator, cwd: dir, env } = await scratch(1_000);
      const journal = env.PPGOV_JOURNAL;
      const planned = await runCli(["plan", "-d", "policies", "-o", "plan.json"], { cwd: dir, env });
      expect(planned.code).toBe(0);
      const { steps } = JSON.parse(await readFile(join(dir, "plan.json"), "utf8")) as { steps: unknown[] };
      const child = spawnCli(["apply", "-d", "policies", "--auto-approve"], { cwd: dir, env });
      await waitUntil(async () => (await journalLines(journal)).length >= entries, {
        timeoutMs: 60_000,
        intervalMs: 5,
      });
      child.kill("SIGKILL");
      await child.finished;
      const before = await journalLines(journal);
      expect(before.length).toBeGreaterThanOrEqual(entries);
      // The kill landed part-way: the journal does not hold a start and an end for every step.
      expect(before.length).toBeLessThan(steps.length * 2);

      const rerun = await runCli(["apply", "-d", "policies", "--auto-approve"], {
        cwd: dir,
        env,
        timeoutMs: 120_000,
      });
      expect(withoutProgress(rerun.stderr)).toBe("");
      expect(rerun.stdout.split("\n").slice(-15).join("\n")).not.toMatch(/Error|failed/);
      expect(rerun.code).toBe(0);
      expect(duplicates(emulator)).toEqual([]);
      const replanned = await runCli(["plan", "-d", "policies", "--detailed-exitcode"], { cwd: dir, env });
      expect(replanned.stdout).toContain("No changes.");
      expect(replanned.code).toBe(0);
    },
    150_000,
  );
});
