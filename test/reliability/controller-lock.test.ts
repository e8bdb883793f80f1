import { execFileSync, spawn } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { cliPath, repoRoot, runCli } from "../helpers/run-cli.js";

/** The controller and a manual apply on one tenant: the one that comes second waits its turn, never both. */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("controller and a manual apply at once", () => {
  it("the controller stops its cycle with the lock message while the manual apply runs, then converges", async () => {
    const emulator: RunningEmulator = await startEmulator({
      seed: await loadSeedFile(sampleSeedPath),
      lifecycleDelayMs: 2000,
    });
    cleanups.push(() => emulator.close());
    const work = await mkdtemp(join(tmpdir(), "ppgov-controller-lock-"));
    cleanups.push(() => rm(work, { recursive: true, force: true }));
    const origin = join(work, "origin");
    await cp(join(repoRoot, "policies"), join(origin, "policies"), { recursive: true });
    const git = (...args: string[]): string => execFileSync("git", args, { cwd: origin, encoding: "utf8" });
    git("init", "-q", "-b", "main");
    git("-c", "user.email=ops@example.com", "-c", "user.name=Ops", "add", ".");
    git("-c", "user.email=ops@example.com", "-c", "user.name=Ops", "commit", "-q", "-m", "policies");
    const env = {
      PPGOV_ENDPOINT: emulator.url,
      PPGOV_TOKEN: "ppgov-dev",
      PPGOV_LOCK_DIR: join(work, "locks"),
      PPGOV_CACHE_DIR: join(work, "cache"),
      PPGOV_JOURNAL: join(work, "journal.jsonl"),
      PPGOV_LOG_LEVEL: "info",
    };

    const manual = runCli(["apply", "-d", "origin/policies", "--auto-approve"], {
      cwd: work,
      env,
      timeoutMs: 60_000,
    });
    const deadline = Date.now() + 20_000;
    while (!emulator.requests().some((r) => r.method !== "GET") && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(emulator.requests().some((r) => r.method !== "GET")).toBe(true);

    const controller = spawn(
      process.execPath,
      [
        cliPath,
        "controller",
        "--repo",
        origin,
        "--mode",
        "apply",
        "--interval",
        "1s",
        "--poll",
        "300ms",
        "--work-dir",
        join(work, "controller"),
      ],
      {
        cwd: work,
        env: { PATH: process.env.PATH, NO_COLOR: "1", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    cleanups.push(() => void controller.kill("SIGKILL"));
    let output = "";
    controller.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    controller.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));

    const applied = await manual;
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(output).toMatch(/another ppgov apply \(pid \d+/);

    // Once the manual apply is done, the controller's next cycle finds nothing left to change.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const names = (emulator.state().environments ?? []).map((e) => e.properties.displayName);
    expect(names.filter((n) => n === "Innovation Lab")).toHaveLength(1);
    const replanned = await runCli(["plan", "-d", "origin/policies", "--detailed-exitcode"], {
      cwd: work,
      env,
    });
    expect(replanned.code).toBe(0);
  }, 90_000);
});
