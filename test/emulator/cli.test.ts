import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cliPath, repoRoot, runCli } from "../helpers/run-cli.js";
import { loadSeedFile, sampleSeedPath, startEmulator } from "../../src/emulator/server.js";
import { BAP, call } from "./helpers.js";

interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stderr: () => string;
  exit: Promise<number | null>;
}

const children: ChildProcessWithoutNullStreams[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Spawns `ppgov emulator …` as a user would and waits for the URL on stdout's first line. */
function startCli(args: string[]): Promise<RunningCli> {
  const child = spawn(process.execPath, [cliPath, "emulator", ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, NO_COLOR: "1" },
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline >= 0) resolve({ child, url: stdout.slice(0, newline), stderr: () => stderr, exit });
    });
    void exit.then((code) => reject(new Error(`emulator exited early (${code}): ${stderr}`)));
  });
}

describe("ppgov emulator", () => {
  it("prints its URL first, serves the real paths of a seed file with the dev token, and exits 0 on SIGTERM", async () => {
    const running = await startCli(["--port", "0", "--seed", sampleSeedPath]);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const envs = await call<{ value: { properties: { displayName: string } }[] }>(
      running.url,
      "GET",
      `${BAP}/scopes/admin/environments?api-version=2023-06-01`,
    );
    expect(envs.status).toBe(200);
    expect(envs.body.value.map((env) => env.properties.displayName)).toContain("Contoso (default)");
    expect((await call(running.url, "GET", "/v1.0/subscribedSkus", { token: null })).status).toBe(401);
    running.child.kill("SIGTERM");
    expect(await running.exit).toBe(0);
  });

  it("keeps the first run's changes in a second run with --state", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ppgov-cli-emulator-"));
    dirs.push(dir);
    const state = join(dir, "tenant.json");
    const first = await startCli(["--seed", "sample", "--state", state, "--lifecycle-delay-ms", "10"]);
    const created = await call<{ id: string }>(
      first.url,
      "POST",
      `${BAP}/environmentGroups?api-version=2021-04-01`,
      {
        body: { displayName: "From run one", description: "" },
      },
    );
    expect(created.status).toBe(201);
    first.child.kill("SIGINT");
    expect(await first.exit).toBe(0);

    const second = await startCli(["--state", state, "--dev-token", "other-token", "--page-size", "2"]);
    const group = await call<{ displayName: string }>(
      second.url,
      "GET",
      `${BAP}/environmentGroups/${created.body.id}`,
      {
        token: "other-token",
      },
    );
    expect(group.body.displayName).toBe("From run one");
    const page = await call<{ value: unknown[]; nextLink?: string }>(
      second.url,
      "GET",
      `${BAP}/scopes/admin/environments`,
      {
        token: "other-token",
      },
    );
    expect(page.body.value).toHaveLength(2);
    expect(page.body.nextLink).toMatch(new RegExp(`^${second.url}/`));
    second.child.kill("SIGTERM");
    expect(await second.exit).toBe(0);
  });

  it("leaves a complete state file when killed in the middle of writes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ppgov-cli-emulator-"));
    dirs.push(dir);
    const state = join(dir, "tenant.json");
    const running = await startCli(["--seed", "sample", "--state", state]);
    const writes = Array.from({ length: 60 }, (_, i) =>
      call(running.url, "POST", `${BAP}/environmentGroups`, {
        body: { displayName: `Crash ${i}`, description: "" },
      }).catch(() => undefined),
    );
    await new Promise((resolve) => setTimeout(resolve, 40));
    running.child.kill("SIGKILL");
    await Promise.all(writes);
    await running.exit;
    // Whatever point the kill hit, the file is one whole state: the seed plus some of the groups.
    const seed = await loadSeedFile(state);
    expect(seed.environments).toHaveLength(13);
    expect(seed.environmentGroups!.length).toBeGreaterThanOrEqual(2);
    expect(seed.environmentGroups!.length).toBeLessThanOrEqual(62);
  });

  it("rejects bad flags and seeds with a clear message and exit 1", async () => {
    const badPort = await runCli(["emulator", "--port", "http"]);
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toContain('--port must be an integer between 0 and 65535, got "http"');
    const missing = await runCli(["emulator", "--seed", "/nonexistent/seed.json"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot read seed /nonexistent/seed.json: file not found");
    expect(missing.stderr).not.toContain("    at ");
    const taken = await startEmulator();
    try {
      const busy = await runCli(["emulator", "--port", String(taken.port)]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(`cannot listen on 127.0.0.1:${taken.port}: EADDRINUSE`);
    } finally {
      await taken.close();
    }
  });
});
