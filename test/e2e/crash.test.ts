import { afterEach, describe, expect, it } from "vitest";
import type { RequestLogEntry } from "../../src/emulator/server.js";
import { runCli, withoutProgress } from "../helpers/run-cli.js";
import { scratchTenants, spawnCli, waitUntil } from "../helpers/scratch-tenant.js";

/**
 * kill -9 of `ppgov apply plan.json` at the moments that matter most, seen from the tenant's side (the
 * emulator's request log): a create was sent and the process died before it knew the outcome. Running
 * apply again must finish the job and send each create exactly once over both runs.
 * (Kills after N journal lines: test/e2e/reconcile.test.ts.)
 */

const ENVIRONMENT_CREATE = (r: RequestLogEntry): boolean =>
  r.method === "POST" && r.path.startsWith("/providers/Microsoft.BusinessAppPlatform/environments?");
const DLP_CREATE = (r: RequestLogEntry): boolean =>
  r.method === "POST" && r.path === "/providers/PowerPlatform.Governance/v2/policies";
const LAST_WAVE = (r: RequestLogEntry): boolean =>
  r.method === "PATCH" && r.path.startsWith("/providers/PowerPlatform.Governance/v2/policies/dd3182cb");

const tenants = scratchTenants("ppgov-crash-e2e-");
afterEach(() => tenants.closeAll());

describe("apply killed with SIGKILL, then run again", () => {
  it.each([
    ["the environment create was sent (its lifecycle operation still running)", ENVIRONMENT_CREATE],
    ["the DLP policy create was sent", DLP_CREATE],
    ["the last wave started", LAST_WAVE],
  ])(
    "converges with each create sent once when killed once %s",
    async (_moment, killWhen) => {
      // A slow lifecycle keeps the environment create in flight long enough to kill during it. A second:
      // the 202 then carries Retry-After: 1, so the re-run polls each second instead of the 5 s default.
      const { emulator, cwd, env } = await tenants.open({ lifecycleDelayMs: 1_000 });
      const planned = await runCli(["plan", "-d", "policies", "-o", "plan.json"], { cwd, env });
      expect(planned.code).toBe(0);

      const child = spawnCli(["apply", "plan.json", "--auto-approve"], { cwd, env });
      await waitUntil(() => emulator.requests().some(killWhen), { timeoutMs: 30_000, intervalMs: 2 });
      expect(emulator.requests().some(killWhen)).toBe(true);
      child.kill("SIGKILL");
      // Killed, not finished: the apply never got to exit on its own.
      expect((await child.finished).code).toBeNull();

      const rerun = await runCli(["apply", "-d", "policies", "--auto-approve"], {
        cwd,
        env,
        timeoutMs: 60_000,
      });
      expect(withoutProgress(rerun.stderr)).toBe("");
      expect(rerun.code).toBe(0);

      const requests = emulator.requests();
      expect(requests.filter(ENVIRONMENT_CREATE)).toHaveLength(1);
      expect(requests.filter(DLP_CREATE)).toHaveLength(1);
      const state = emulator.state();
      expect(state.environments?.filter((e) => e.properties.displayName === "Innovation Lab")).toHaveLength(
        1,
      );
      expect(
        state.dlpPolicies?.filter(
          (p) => p.policyDefinition.displayName === "Social media - blocked outside Innovation Lab",
        ),
      ).toHaveLength(1);

      const replanned = await runCli(["plan", "-d", "policies", "--detailed-exitcode"], { cwd, env });
      expect(replanned.stdout).toContain("No changes.");
      expect(replanned.code).toBe(0);
    },
    90_000,
  );
});
