import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { runCli } from "../helpers/run-cli.js";

/**
 * Off a terminal (a CI log), apply prints a line per step started and finished and, while it waits
 * on the tenant, a heartbeat naming what it waits for and for how long (issue 20 item 3).
 */

let emulator: RunningEmulator | undefined;
let cwd: string | undefined;

afterEach(async () => {
  await emulator?.close();
  if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
  emulator = undefined;
  cwd = undefined;
});

describe("apply off a terminal", () => {
  it("prints each step started and finished, and a heartbeat while an environment is created", async () => {
    // The environment's lifecycle operation runs longer than one heartbeat interval (10 s).
    emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), lifecycleDelayMs: 11_000 });
    cwd = await mkdtemp(join(tmpdir(), "ppgov-apply-progress-"));
    const env = {
      PPGOV_ENDPOINT: emulator.url,
      PPGOV_TOKEN: "ppgov-dev",
      PPGOV_CACHE_DIR: join(cwd, "cache"),
      PPGOV_JOURNAL: join(cwd, "journal.jsonl"),
      PPGOV_LOCK_DIR: join(cwd, "locks"),
      CI: "true",
    };
    expect((await runCli(["export", "-o", "repo"], { cwd, env })).code).toBe(0);
    await writeFile(
      join(cwd, "repo/environments/progress-lab.yaml"),
      [
        "apiVersion: ppgov/v1",
        "kind: Environment",
        "metadata:",
        "  name: progress-lab",
        "spec:",
        "  displayName: Progress Lab",
        "  location: unitedkingdom",
        "  type: Sandbox",
        "",
      ].join("\n"),
    );
    expect((await runCli(["plan", "-d", "repo", "-o", "plan.json"], { cwd, env })).code).toBe(0);
    const applied = await runCli(["apply", "plan.json"], { cwd, env, timeoutMs: 120_000 });
    expect(applied.code).toBe(0);
    const lines = applied.stderr.split("\n").filter((line) => line.startsWith("ppgov: "));
    expect(lines).toContain("ppgov: re-reading the tenant to check the plan is still current…");
    expect(lines).toContain("ppgov: step 1 of 1 started: Environment/progress-lab: create environment");
    expect(
      lines.some((line) =>
        /^ppgov: step 1 of 1 succeeded in \d+(\.\d)? s: Environment\/progress-lab/.test(line),
      ),
    ).toBe(true);
    expect(
      lines.some((line) =>
        /^ppgov: still waiting for Environment\/progress-lab \(create environment\) to finish, \d+(\.\d)? s so far$/.test(
          line,
        ),
      ),
    ).toBe(true);
    expect(lines).toContain("ppgov: checking that the tenant shows the applied state…");
    expect(applied.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
  }, 120_000);
});
