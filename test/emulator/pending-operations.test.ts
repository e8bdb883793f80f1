import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadSeedFile, sampleSeedPath, type RunningEmulator } from "../../src/emulator/server.js";
import { BAP, call, closeAll, waitForOperation, withEmulator } from "./helpers.js";

/**
 * Lifecycle operations run server-side: an emulator restarted from its `--state` file still answers the
 * poll of an operation started before the restart, and the operation's effect happens once, at its time.
 */

const started: RunningEmulator[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await closeAll(started);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function statePath(): string {
  const dir = mkdtempSync(join(tmpdir(), "ppgov-pending-ops-"));
  dirs.push(dir);
  return join(dir, "state.json");
}

type Envs = { value: { name: string; properties: { displayName: string; description?: string } }[] };

async function restart(first: RunningEmulator, path: string, delayMs: number): Promise<RunningEmulator> {
  await first.close();
  started.splice(started.indexOf(first), 1);
  return withEmulator(started, { statePath: path, port: first.port, lifecycleDelayMs: delayMs });
}

describe("lifecycle operations across an emulator restart", () => {
  it("a create still running at the restart stays pollable and adds its environment once", async () => {
    const path = statePath();
    const first = await withEmulator(started, {
      seed: await loadSeedFile(sampleSeedPath),
      statePath: path,
      lifecycleDelayMs: 600,
    });
    const accepted = await call(first, "POST", `${BAP}/environments?api-version=2023-06-01`, {
      body: { location: "europe", properties: { displayName: "Pending Env", environmentSku: "Sandbox" } },
    });
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get("location")!;
    const onDisk = JSON.parse(readFileSync(path, "utf8")) as {
      lifecycleOperations: { state: string; effect: { kind: string } }[];
    };
    expect(onDisk.lifecycleOperations).toMatchObject([
      { state: "Running", effect: { kind: "addEnvironment" } },
    ]);

    const second = await restart(first, path, 600);
    const running = await call<{ state: { id: string } }>(second, "GET", location);
    expect(running.status).toBe(200);
    expect(running.body.state.id).toBe("Running");
    const finished = await waitForOperation(second, location);
    expect(finished.body.state.id).toBe("Succeeded");
    const id = finished.body.links.environment.path.split("/").pop();
    const envs = await call<Envs>(second, "GET", `${BAP}/scopes/admin/environments`);
    expect(envs.body.value.filter((env) => env.properties.displayName === "Pending Env")).toEqual([
      expect.objectContaining({ name: id }),
    ]);

    // Restarted once more after it finished: still one environment, and the operation still answers.
    const third = await restart(second, path, 600);
    expect((await call<{ state: { id: string } }>(third, "GET", location)).body.state.id).toBe("Succeeded");
    const again = await call<Envs>(third, "GET", `${BAP}/scopes/admin/environments`);
    expect(again.body.value.filter((env) => env.properties.displayName === "Pending Env")).toHaveLength(1);
  });

  it("an update due while the emulator was down is applied at the first request after the restart", async () => {
    const path = statePath();
    const first = await withEmulator(started, {
      seed: await loadSeedFile(sampleSeedPath),
      statePath: path,
      lifecycleDelayMs: 150,
    });
    const envs = await call<Envs>(first, "GET", `${BAP}/scopes/admin/environments`);
    const target = envs.body.value.find((env) => env.properties.displayName !== "")!;
    const accepted = await call(first, "PATCH", `${BAP}/scopes/admin/environments/${target.name}`, {
      body: { properties: { description: "changed while down" } },
    });
    expect(accepted.status).toBe(202);
    await first.close();
    started.splice(started.indexOf(first), 1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const second = await withEmulator(started, { statePath: path, port: first.port });
    const after = await call<{ properties: { description: string } }>(
      second,
      "GET",
      `${BAP}/scopes/admin/environments/${target.name}`,
    );
    expect(after.body.properties.description).toBe("changed while down");
    const operation = await call<{ state: { id: string } }>(second, "GET", accepted.headers.get("location")!);
    expect(operation.body.state.id).toBe("Succeeded");
  });
});
