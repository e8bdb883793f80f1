/** Detect mode reports drift without changing the tenant; a second controller for the tenant is refused. */
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import type { EmulatorSeed } from "../../src/emulator/types.js";
import { cliPath, repoRoot, runCli } from "../helpers/run-cli.js";

let emulator: RunningEmulator;
let work: string;
let origin: string;

beforeAll(async () => {
  const seed = JSON.parse(
    readFileSync(join(repoRoot, "fixtures/seeds/sample-tenant.json"), "utf8"),
  ) as EmulatorSeed;
  emulator = await startEmulator({ seed, lifecycleDelayMs: 10 });
  work = mkdtempSync(join(tmpdir(), "ppgov-detect-"));
  origin = join(work, "origin");
  cpSync(join(repoRoot, "policies"), join(origin, "policies"), { recursive: true });
  const git = (...args: string[]): string => execFileSync("git", args, { cwd: origin, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=o@example.com", "-c", "user.name=O", "commit", "-q", "-m", "policies");
});

afterAll(async () => {
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
});

describe("ppgov controller --mode detect", () => {
  it("reports the drifted resources in /metrics, changes nothing, and holds the tenant alone", async () => {
    const env = {
      PATH: process.env.PATH,
      NO_COLOR: "1",
      PPGOV_ENDPOINT: emulator.url,
      PPGOV_TOKEN: "ppgov-dev",
      PPGOV_LOCK_DIR: join(work, "locks"),
    };
    const args = (name: string): string[] => [
      cliPath,
      "controller",
      "--repo",
      origin,
      "--interval",
      "1s",
      "--mode",
      "detect",
      "--listen",
      "127.0.0.1:0",
      "--work-dir",
      join(work, name),
    ];
    const child = spawn(process.execPath, args("first"), { cwd: work, env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      let drifted = 0;
      for (let attempt = 0; attempt < 200 && drifted === 0; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const base = /serving (http:\/\/[\d.:]+)\/metrics/.exec(stdout)?.[1];
        if (!base) continue;
        const text = await (await fetch(`${base}/metrics`)).text();
        drifted = Number(/^ppgov_drifted_resources (\d+)/m.exec(text)?.[1] ?? "0");
      }
      expect(drifted).toBe(14); // the sample tenant: 3 to add, 11 to change
      // No PPGOV_LOG_LEVEL: the controller still logs its one line per cycle (info is its default).
      for (let attempt = 0; attempt < 100 && !stderr.includes("cycle at "); attempt += 1)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stderr).toMatch(
        /"msg":"cycle at [0-9a-f]{12} \(new commit\): drift in 14 resources \([^)]+, … and 11 more\); detect only, nothing applied;/,
      );
      const requests = (await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as {
        method: string;
        path: string;
      }[];
      // listTenantSettings is a POST that only reads (wire-formats §9).
      expect(
        requests.filter(
          (request) => request.method !== "GET" && !request.path.includes("/listTenantSettings"),
        ),
      ).toEqual([]);

      const second = await runCli(args("second").slice(1), { cwd: work, env, timeoutMs: 30_000 });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/another ppgov controller \(pid \d+/);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  }, 60_000);

  it("a warm detect cycle reads list pages, not the DLP policies it has cached (one set of connections for all cycles)", async () => {
    const env = {
      PATH: process.env.PATH,
      NO_COLOR: "1",
      PPGOV_ENDPOINT: emulator.url,
      PPGOV_TOKEN: "ppgov-dev",
      PPGOV_LOCK_DIR: join(work, "locks-warm"),
    };
    const child = spawn(
      process.execPath,
      [
        cliPath,
        "controller",
        "--repo",
        origin,
        "--interval",
        "200ms",
        "--mode",
        "detect",
        "--listen",
        "127.0.0.1:0",
        "--work-dir",
        join(work, "warm"),
      ],
      { cwd: work, env },
    );
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const cycles = async (): Promise<number> => {
      const base = /serving (http:\/\/[\d.:]+)\/metrics/.exec(stdout)?.[1];
      if (!base) return 0;
      const text = await (await fetch(`${base}/metrics`)).text();
      return [...text.matchAll(/^ppgov_reconcile_total\{[^}]*\} (\d+)$/gm)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
    };
    const until = async (count: number): Promise<void> => {
      for (let attempt = 0; attempt < 600 && (await cycles()) < count; attempt += 1)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await cycles()).toBeGreaterThanOrEqual(count);
    };
    const policyGets = async (): Promise<number> => {
      const requests = (await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as {
        method: string;
        path: string;
      }[];
      return requests.filter((r) => r.method === "GET" && /\/policies\/[0-9a-f-]{36}/i.test(r.path)).length;
    };
    try {
      await until(1);
      const cold = await policyGets();
      expect(cold).toBeGreaterThan(0);
      await until((await cycles()) + 2);
      // The DLP policies were read in the first cycle; later cycles take them from the read cache.
      expect(await policyGets()).toBe(cold);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
