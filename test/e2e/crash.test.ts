import { spawn } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RequestLogEntry,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { cliPath, repoRoot, runCli } from "../helpers/run-cli.js";

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

const opened: { emulator: RunningEmulator; cwd: string }[] = [];

afterEach(async () => {
  for (const { emulator, cwd } of opened.splice(0)) {
    await emulator.close();
    await rm(cwd, { recursive: true, force: true });
  }
});

describe("apply killed with SIGKILL, then run again", () => {
  it.each([
    ["the environment create was sent (its lifecycle operation still running)", ENVIRONMENT_CREATE],
    ["the DLP policy create was sent", DLP_CREATE],
    ["the last wave started", LAST_WAVE],
  ])(
    "converges with each create sent once when killed once %s",
    async (_moment, killWhen) => {
      // A slow lifecycle keeps the environment create in flight long enough to kill during it.
      const emulator = await startEmulator({
        seed: await loadSeedFile(sampleSeedPath),
        lifecycleDelayMs: 400,
      });
      const cwd = await mkdtemp(join(tmpdir(), "ppgov-crash-e2e-"));
      opened.push({ emulator, cwd });
      await cp(join(repoRoot, "policies"), join(cwd, "policies"), { recursive: true });
      const env = {
        PPGOV_ENDPOINT: emulator.url,
        PPGOV_TOKEN: "ppgov-dev",
        PPGOV_CACHE_DIR: join(cwd, "cache"),
        PPGOV_JOURNAL: join(cwd, "journal.jsonl"),
        PPGOV_LOCK_DIR: join(cwd, "locks"),
      };
      const planned = await runCli(["plan", "-d", "policies", "-o", "plan.json"], { cwd, env });
      expect(planned.code).toBe(0);

      const child = spawn(process.execPath, [cliPath, "apply", "plan.json", "--auto-approve"], {
        cwd,
        env: { PATH: process.env.PATH, NO_COLOR: "1", ...env },
        stdio: "ignore",
      });
      const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
      const deadline = Date.now() + 30_000;
      while (!emulator.requests().some(killWhen) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 2));
      expect(emulator.requests().some(killWhen)).toBe(true);
      child.kill("SIGKILL");
      // Killed, not finished: the apply never got to exit on its own.
      expect(await exited).toBeNull();

      const rerun = await runCli(["apply", "-d", "policies", "--auto-approve"], {
        cwd,
        env,
        timeoutMs: 60_000,
      });
      expect(rerun.stderr).toBe("");
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
