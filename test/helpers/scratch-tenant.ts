import { spawn } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { cliPath, repoRoot } from "./run-cli.js";

/** The environment every e2e run of the CLI gets: its tenant, and journal, locks and cache in the scratch dir. */
export type ScratchEnv = Record<string, string> & {
  PPGOV_ENDPOINT: string;
  PPGOV_TOKEN: string;
  PPGOV_JOURNAL: string;
  PPGOV_LOCK_DIR: string;
  PPGOV_CACHE_DIR: string;
};

/** An emulated tenant and a temporary directory holding a copy of the shipped policies/. */
export interface ScratchTenant {
  emulator: RunningEmulator;
  cwd: string;
  env: ScratchEnv;
}

export interface ScratchTenants {
  /**
   * Starts an emulator (the sample seed unless `options.seed` says otherwise) and a temporary directory
   * named `prefix…` with policies/ copied in; `extraEnv` is added to the CLI environment.
   */
  open(options?: EmulatorOptions, extraEnv?: Record<string, string>): Promise<ScratchTenant>;
  /** Closes every emulator and removes every directory opened so far (call it from afterEach). */
  closeAll(): Promise<void>;
}

/** Scratch tenants for one test file; pair with `afterEach(() => tenants.closeAll())`. */
export function scratchTenants(prefix: string): ScratchTenants {
  const opened: ScratchTenant[] = [];
  return {
    async open(options = {}, extraEnv = {}) {
      const emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), ...options });
      const cwd = await mkdtemp(join(tmpdir(), prefix));
      const env: ScratchEnv = {
        PPGOV_ENDPOINT: emulator.url,
        PPGOV_TOKEN: "ppgov-dev",
        PPGOV_CACHE_DIR: join(cwd, "cache"),
        PPGOV_JOURNAL: join(cwd, "journal.jsonl"),
        PPGOV_LOCK_DIR: join(cwd, "locks"),
        ...extraEnv,
      };
      // Registered before the copy, so a failed copy still gets its emulator closed.
      const created = { emulator, cwd, env };
      opened.push(created);
      await cp(join(repoRoot, "policies"), join(cwd, "policies"), { recursive: true });
      return created;
    },
    async closeAll() {
      // The test may have swapped `emulator` for a restarted one: close whatever each tenant holds now.
      for (const { emulator, cwd } of opened.splice(0)) {
        await emulator.close();
        await rm(cwd, { recursive: true, force: true });
      }
    },
  };
}

/** A CLI process started without waiting for it, so a test can kill it or run two at once. */
export interface SpawnedCli {
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the exit code (null when a signal ended it) and what it printed. */
  finished: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Spawns the built CLI; output is collected only when `capture` is set (kill tests ignore it). */
export function spawnCli(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; capture?: boolean },
): SpawnedCli {
  const capture = options.capture ?? false;
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, NO_COLOR: "1", ...options.env },
    stdio: capture ? ["ignore", "pipe", "pipe"] : "ignore",
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { kill: (signal) => child.kill(signal), finished };
}

/** Polls `condition` every `intervalMs` until it holds or `timeoutMs` has passed; returns whether it held. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs, intervalMs }: { timeoutMs: number; intervalMs: number },
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * A lifecycle delay for suites that apply an environment change: the emulator's 202 then carries
 * Retry-After: 1 and the client polls each second; under a second it carries none and the client waits
 * its 5 s default before the first poll.
 */
export const POLLED_LIFECYCLE_MS = 1_000;
