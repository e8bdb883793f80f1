import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/run-cli.js";
import { scratchTenants } from "../helpers/scratch-tenant.js";

/**
 * Issue 21 item 2, last line of defence: two applies of one repository against one tenant, each with
 * its own lock directory (two runners, no shared lock). Both see the same missing environments and
 * DLP policies and create them at the same time; the names re-checked around each create leave one
 * object per name.
 */
const tenants = scratchTenants("ppgov-unlocked-");
afterEach(() => tenants.closeAll());

function duplicates(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  for (const name of names) seen.set(name.toLowerCase(), (seen.get(name.toLowerCase()) ?? 0) + 1);
  return [...seen].filter(([, count]) => count > 1).map(([name]) => name);
}

describe("two applies without a shared lock", () => {
  it("end with no duplicate environment or DLP policy, and a plan with nothing left to do", async () => {
    const tenant = await tenants.open({ lifecycleDelayMs: 300 });
    const envFor = (who: string): Record<string, string> => ({
      ...tenant.env,
      PPGOV_LOCK_DIR: join(tenant.cwd, `locks-${who}`),
      PPGOV_JOURNAL: join(tenant.cwd, `journal-${who}.jsonl`),
      PPGOV_CACHE_DIR: join(tenant.cwd, `cache-${who}`),
    });
    const before = tenant.emulator.state();
    const environmentsBefore = (before.environments ?? []).length;
    const policiesBefore = (before.dlpPolicies ?? []).length;

    const [first, second] = await Promise.all(
      ["a", "b"].map((who) =>
        runCli(["apply", "-d", "policies", "--auto-approve"], {
          cwd: tenant.cwd,
          env: envFor(who),
          timeoutMs: 120_000,
        }),
      ),
    );
    expect(first!.code, first!.stdout + first!.stderr).toBe(0);
    expect(second!.code, second!.stdout + second!.stderr).toBe(0);

    const after = tenant.emulator.state();
    const environments = (after.environments ?? []).map((e) => e.properties.displayName as string);
    const policies = (after.dlpPolicies ?? []).map((p) => p.policyDefinition.displayName as string);
    // Both applies created something (the race was real), and what stays is one object per name.
    expect(environments.length).toBeGreaterThan(environmentsBefore);
    expect(policies.length).toBeGreaterThan(policiesBefore);
    expect(duplicates(environments)).toEqual([]);
    expect(duplicates(policies)).toEqual([]);

    const replanned = await runCli(["plan", "-d", "policies", "--detailed-exitcode"], {
      cwd: tenant.cwd,
      env: envFor("c"),
    });
    expect(replanned.code, replanned.stdout + replanned.stderr).toBe(0);
  }, 180_000);
});
