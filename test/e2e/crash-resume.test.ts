import { appendFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type EmulatorOptions,
  type RequestLogEntry,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { runCli, withoutProgress } from "../helpers/run-cli.js";
import { scratchTenants, spawnCli, waitUntil, type ScratchTenant } from "../helpers/scratch-tenant.js";

/**
 * kill -9 of `ppgov apply` right after the environment create's 202, with a lifecycle operation that
 * outlasts the re-run's settle window (PPGOV_CREATE_SETTLE_SECONDS=1): the object is still invisible when
 * the re-run looks, so only the journaled operation URL keeps it from sending the create a second time.
 */

const ENVIRONMENT_CREATE = (r: RequestLogEntry): boolean =>
  r.method === "POST" && r.path.startsWith("/providers/Microsoft.BusinessAppPlatform/environments?");
const OPERATION_POLL = (r: RequestLogEntry): boolean =>
  r.method === "GET" && r.path.startsWith("/providers/Microsoft.BusinessAppPlatform/lifecycleOperations/");
const LAB = "Innovation Lab";

type Tenant = ScratchTenant;

const tenants = scratchTenants("ppgov-resume-e2e-");
afterEach(() => tenants.closeAll());

function tenant(options: EmulatorOptions): Promise<Tenant> {
  return tenants.open(options, { PPGOV_CREATE_SETTLE_SECONDS: "1" });
}

async function journalText(path: string): Promise<string> {
  return readFile(path, "utf8").catch(() => "");
}

/** Starts `ppgov apply` and SIGKILLs it as soon as its journal holds the environment create's operation URL. */
async function applyKilledAfterAccepted({ cwd, env }: Tenant): Promise<void> {
  const child = spawnCli(["apply", "-d", "policies", "--auto-approve"], { cwd, env });
  const accepted = (text: string): boolean =>
    text.split("\n").some((line) => line.includes('"event":"accepted"') && line.includes(":create"));
  await waitUntil(async () => accepted(await journalText(env.PPGOV_JOURNAL)), {
    timeoutMs: 30_000,
    intervalMs: 5,
  });
  child.kill("SIGKILL");
  expect((await child.finished).code).toBeNull();
  expect(accepted(await journalText(env.PPGOV_JOURNAL))).toBe(true);
}

function labs(emulator: RunningEmulator): number {
  return emulator.state().environments?.filter((e) => e.properties.displayName === LAB).length ?? 0;
}

async function expectCleanReplan({ cwd, env }: Tenant): Promise<void> {
  const replanned = await runCli(["plan", "-d", "policies", "--detailed-exitcode"], { cwd, env });
  expect(replanned.stdout).toContain("No changes.");
  expect(replanned.code).toBe(0);
}

describe("a create killed between its 202 and its operation's end", () => {
  it.each([
    ["", false],
    [" (the journal ends in a torn line)", true],
  ])(
    "is followed to its end by the re-run and adopted, never sent twice%s",
    async (_label, torn) => {
      const target = await tenant({ lifecycleDelayMs: 3_000 });
      await applyKilledAfterAccepted(target);
      const { emulator, cwd, env } = target;
      // The operation is still running and the environment invisible: past the 1 s settle window.
      expect(labs(emulator)).toBe(0);
      if (torn) await appendFile(env.PPGOV_JOURNAL, '{"at":"2026-11-23T00:00:00.000Z","planDigest":"sha');
      const pollsBefore = emulator.requests().filter(OPERATION_POLL).length;

      const rerun = await runCli(["apply", "-d", "policies", "--auto-approve"], {
        cwd,
        env,
        timeoutMs: 60_000,
      });
      expect(withoutProgress(rerun.stderr)).toBe("");
      expect(rerun.code).toBe(0);
      expect(rerun.stdout).toContain("Apply complete!");

      const requests = emulator.requests();
      expect(requests.filter(ENVIRONMENT_CREATE)).toHaveLength(1);
      expect(requests.filter(OPERATION_POLL).length).toBeGreaterThan(pollsBefore);
      expect(labs(emulator)).toBe(1);
      await expectCleanReplan(target);
    },
    90_000,
  );

  it("is followed across a restart of the emulator from its --state file (the operation lives server-side)", async () => {
    const target = await tenant({ lifecycleDelayMs: 3_000 });
    const statePath = join(target.cwd, "tenant-state.json");
    // Re-host the tenant on a persisted emulator: same seed, state file, slow lifecycle.
    await target.emulator.close();
    const first = await startEmulator({
      seed: await loadSeedFile(sampleSeedPath),
      statePath,
      lifecycleDelayMs: 3_000,
    });
    target.env.PPGOV_ENDPOINT = first.url;
    target.emulator = first;
    await applyKilledAfterAccepted(target);
    await first.close();
    const second = await startEmulator({ statePath, port: first.port, lifecycleDelayMs: 3_000 });
    target.emulator = second;

    const rerun = await runCli(["apply", "-d", "policies", "--auto-approve"], {
      cwd: target.cwd,
      env: target.env,
      timeoutMs: 60_000,
    });
    expect(withoutProgress(rerun.stderr)).toBe("");
    expect(rerun.code).toBe(0);
    expect(first.requests().filter(ENVIRONMENT_CREATE)).toHaveLength(1);
    expect(second.requests().filter(ENVIRONMENT_CREATE)).toHaveLength(0);
    expect(second.requests().some(OPERATION_POLL)).toBe(true);
    expect(labs(second)).toBe(1);
    await expectCleanReplan(target);
  }, 90_000);

  it("that ends Failed: the re-run follows it, sees it changed nothing and creates it once more", async () => {
    // Every lifecycle operation started now fails: the create and any environment update the killed run sent.
    const target = await tenant({ lifecycleDelayMs: 2_000, faults: { lifecycleFailRate: 1 } });
    await applyKilledAfterAccepted(target);
    const { emulator, cwd, env } = target;
    emulator.setFaults({});

    const rerun = await runCli(["apply", "-d", "policies", "--auto-approve"], {
      cwd,
      env,
      timeoutMs: 60_000,
    });
    // Soak seed 7 run 149: this apply used to exit 1 on the old operation's failure.
    expect(rerun.code, rerun.stdout).toBe(0);
    expect(withoutProgress(rerun.stderr)).toBe("");
    expect(rerun.stderr).toMatch(
      /Environment\/[^\n]+: the operation the interrupted run left running ended Failed, so it changed nothing; sending the step again/,
    );
    // Followed first (the poll), sent again only once it was seen to have failed.
    const requests = emulator.requests();
    const creates = requests.flatMap((r, i) => (ENVIRONMENT_CREATE(r) ? [i] : []));
    expect(creates).toHaveLength(2);
    expect(requests.slice(creates[0], creates[1]).some(OPERATION_POLL)).toBe(true);
    expect(labs(emulator)).toBe(1);
    await expectCleanReplan(target);
  }, 120_000);
});
