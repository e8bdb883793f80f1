import { spawn, type ChildProcess } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorSeed } from "../../src/emulator/types.js";
import { cliPath, repoRoot, runCli } from "../helpers/run-cli.js";

/**
 * The tenant (an `ppgov emulator --state FILE` subprocess) is killed with SIGKILL in the middle of an
 * apply and started again on the same port from its state file. The apply retries or fails clearly; the
 * re-run converges with no duplicate environment or DLP policy.
 */

const started: ChildProcess[] = [];
let workDir: string | undefined;

afterEach(async () => {
  for (const child of started.splice(0)) child.kill("SIGKILL");
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  workDir = undefined;
});

function startEmulatorProcess(args: string[]): Promise<string> {
  // A lifecycle of a second: its 202 carries Retry-After: 1, so the apply polls each second, not every 5 s.
  const child = spawn(process.execPath, [cliPath, "emulator", "--lifecycle-delay-ms", "1000", ...args], {
    env: { PATH: process.env.PATH, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  started.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(out)?.[0];
      if (url !== undefined) resolve(url);
    });
    child.on("close", () => reject(new Error(`emulator exited before listening: ${out}`)));
  });
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  return (await response.json()) as T;
}

describe("emulator killed and restarted with --state during an apply", () => {
  it("the apply retries or fails clearly, and a re-run converges with no duplicates", async () => {
    workDir = await mkdtemp(join(tmpdir(), "ppgov-restart-"));
    const cwd = workDir;
    await cp(join(repoRoot, "policies"), join(cwd, "policies"), { recursive: true });
    const statePath = join(cwd, "tenant.json");
    const url = await startEmulatorProcess(["--seed", "sample", "--state", statePath]);
    const port = new URL(url).port;
    const env = {
      PPGOV_ENDPOINT: url,
      PPGOV_TOKEN: "ppgov-dev",
      PPGOV_CACHE_DIR: join(cwd, "cache"),
      PPGOV_JOURNAL: join(cwd, "journal.jsonl"),
      PPGOV_LOCK_DIR: join(cwd, "locks"),
    };
    const apply = runCli(["apply", "-d", "policies", "--auto-approve"], { cwd, env, timeoutMs: 60_000 });
    // Kill the tenant once the apply has started changing it (the environment create was sent).
    const deadline = Date.now() + 30_000;
    let changing = false;
    for (;;) {
      const log = await getJson<{ method: string; path: string }[]>(`${url}/_emulator/requests`);
      changing = log.some((r) => r.method !== "GET");
      if (changing || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(changing).toBe(true);
    started.shift()?.kill("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 200));
    await startEmulatorProcess(["--state", statePath, "--port", port]);

    const first = await apply;
    if (first.code !== 0) {
      expect(first.code).toBe(1);
      expect(first.stdout + first.stderr).toMatch(/failed|not attempted/i);
    }
    expect(first.stderr).not.toMatch(/\n\s+at /);

    const again = await runCli(["apply", "-d", "policies", "--auto-approve"], {
      cwd,
      env,
      timeoutMs: 60_000,
    });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const replanned = await runCli(["plan", "-d", "policies", "--detailed-exitcode"], { cwd, env });
    expect(replanned.code).toBe(0);
    const state = await getJson<EmulatorSeed>(`${url}/_emulator/state`);
    const environments = (state.environments ?? []).map((e) => e.properties.displayName);
    const policies = (state.dlpPolicies ?? []).map((p) => p.policyDefinition.displayName);
    expect(environments.filter((n) => n === "Innovation Lab")).toHaveLength(1);
    expect(environments.length).toBe(new Set(environments).size);
    expect(policies.length).toBe(new Set(policies).size);
  }, 90_000);
});
