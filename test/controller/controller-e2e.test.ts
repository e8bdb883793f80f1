/**
 * The built CLI's controller over a real local git repository against the emulator: the first cycle
 * applies the repository, a new commit is applied on the next cycle, /metrics and /healthz answer, and
 * SIGTERM in the middle of an apply exits 0 with a journal whose every started step has ended.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import type { EmulatorSeed } from "../../src/emulator/types.js";
import { cliPath, repoRoot } from "../helpers/run-cli.js";
import { policyRepo, type PolicyRepo } from "../helpers/policy-repo.js";
import { POLLED_LIFECYCLE_MS } from "../helpers/scratch-tenant.js";

let emulator: RunningEmulator;
let work: string;
let origin: string;
let child: ChildProcessWithoutNullStreams | undefined;

/** git in the checkout (set up in beforeAll). */
let git: PolicyRepo["git"];

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

async function emulatorState(): Promise<string> {
  return (await fetch(`${emulator.url}/_emulator/state`)).text();
}

beforeAll(async () => {
  const seed = JSON.parse(
    readFileSync(join(repoRoot, "fixtures/seeds/sample-tenant.json"), "utf8"),
  ) as EmulatorSeed;
  emulator = await startEmulator({ seed, lifecycleDelayMs: POLLED_LIFECYCLE_MS });
  work = mkdtempSync(join(tmpdir(), "ppgov-controller-"));
  origin = join(work, "origin");
  git = policyRepo(origin, { name: "Ops", email: "ops@example.com" }, "policies").git;
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
});

describe("ppgov controller --mode apply", () => {
  it("applies the branch, then each new commit; serves metrics; stops cleanly on SIGTERM", async () => {
    const workDir = join(work, "controller");
    child = spawn(
      process.execPath,
      [
        cliPath,
        "controller",
        "--repo",
        origin,
        "--branch",
        "main",
        "--interval",
        "2s",
        "--poll",
        "300ms",
        "--mode",
        "apply",
        "--listen",
        "127.0.0.1:0",
        "--work-dir",
        workDir,
      ],
      {
        cwd: work,
        env: {
          PATH: process.env.PATH,
          NO_COLOR: "1",
          PPGOV_ENDPOINT: emulator.url,
          PPGOV_TOKEN: "ppgov-dev",
          PPGOV_LOCK_DIR: join(work, "locks"),
          PPGOV_LOG_LEVEL: "info",
        },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child?.on("close", (code) => resolve(code)));

    const base = await until("the metrics URL", () =>
      Promise.resolve(/serving (http:\/\/[\d.:]+)\/metrics/.exec(stdout)?.[1]),
    );
    const metrics = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();
    const successes = async (): Promise<number> =>
      Number(
        /ppgov_reconcile_total\{mode="apply",result="success"\} (\d+)/.exec(await metrics())?.[1] ?? "0",
      );

    // First cycle: the sample tenant gets the repository's policies (it differs from them: 3 adds, 9 changes).
    await until("the first apply", async () => ((await successes()) >= 1 ? true : undefined));
    const requests = (await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as {
      method: string;
    }[];
    expect(requests.filter((request) => request.method !== "GET").length).toBeGreaterThan(0);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { commit: string }).commit).toBe(git("rev-parse", "HEAD"));

    // A commit changes a policy; the next cycle applies it.
    const dlp = join(origin, "policies/dlp/social-media.yaml");
    writeFileSync(
      dlp,
      readFileSync(dlp, "utf8").replace(/displayName: (.*)/, "displayName: Social media (controller)"),
    );
    git("commit", "-q", "-am", "rename");
    await until("the new commit applied", async () =>
      (await emulatorState()).includes("Social media (controller)") ? true : undefined,
    );
    // Each cycle says what it saw and did in one human line at info (JSON off a terminal).
    await until("the cycle's log line", () =>
      Promise.resolve(
        /"msg":"cycle at [0-9a-f]{12} \(new commit\): drift in 1 resource \(DlpPolicy\/[^)]*\); applied 1 step; \d+ API calls, 0 throttled; [\d.]+ s"/.test(
          stderr,
        )
          ? true
          : undefined,
      ),
    );
    expect(stderr).toMatch(/"msg":"cycle at [0-9a-f]{12} \(new commit\): drift in \d+ resources \(/);

    const text = await metrics();
    for (const name of [
      "ppgov_reconcile_duration_seconds_count",
      "ppgov_last_success_timestamp_seconds",
      "ppgov_drifted_resources",
      "ppgov_api_calls_total",
      "ppgov_throttled_total",
    ])
      expect(text).toMatch(new RegExp(`^${name} \\d`, "m"));
    expect(Number(/^ppgov_api_calls_total (\d+)/m.exec(text)?.[1])).toBeGreaterThan(10);

    // Mid-cycle stop: slow the tenant down, commit a change with several steps, stop during the apply.
    await fetch(`${emulator.url}/_emulator/faults`, {
      method: "PUT",
      body: JSON.stringify({ latencyMs: 150 }),
    });
    const env = join(origin, "policies/environments/innovation-lab.yaml");
    writeFileSync(
      env,
      readFileSync(env, "utf8").replace(/description: (.*)/, "description: changed by the controller test"),
    );
    writeFileSync(
      dlp,
      readFileSync(dlp, "utf8").replace(/displayName: (.*)/, "displayName: Social media (second)"),
    );
    git("commit", "-q", "-am", "two changes");
    const journal = join(workDir, "journal.jsonl");
    const journalEntries = (): { event: string; stepId: string; planDigest: string }[] =>
      readFileSync(journal, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as { event: string; stepId: string; planDigest: string });
    const before = journalEntries().length;
    await until("a step of the new plan to start", () =>
      Promise.resolve(journalEntries().length > before ? true : undefined),
    );
    child.kill("SIGTERM");
    expect(await exited, stderr).toBe(0);
    expect(stdout).toContain("controller stopped");

    const entries = journalEntries();
    const open = new Map<string, number>();
    for (const entry of entries) {
      const key = `${entry.planDigest}:${entry.stepId}`;
      open.set(key, (open.get(key) ?? 0) + (entry.event === "start" ? 1 : entry.event === "end" ? -1 : 0));
    }
    expect([...open.entries()].filter(([, count]) => count !== 0)).toEqual([]);
    await fetch(`${emulator.url}/_emulator/faults`, {
      method: "PUT",
      body: JSON.stringify({ latencyMs: 0 }),
    });
  }, 90_000);
});
