import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadSeedFile, sampleSeedPath, type RunningEmulator } from "../../src/emulator/server.js";
import { BAP, GOV, call, closeAll, waitForOperation, withEmulator } from "./helpers.js";

const started: RunningEmulator[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await closeAll(started);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ppgov-emulator-"));
  dirs.push(dir);
  return dir;
}

describe("state persistence", () => {
  it("keeps changes across a restart and leaves no temp files behind", async () => {
    const dir = tempDir();
    const statePath = join(dir, "state.json");
    const seed = await loadSeedFile(sampleSeedPath);
    const first = await withEmulator(started, { seed, statePath });
    const group = await call<{ id: string }>(first, "POST", `${BAP}/environmentGroups`, {
      body: { displayName: "Persisted", description: "survives restarts" },
    });
    const created = await call(first, "POST", `${BAP}/environments?api-version=2023-06-01`, {
      body: { location: "europe", properties: { displayName: "Persisted Env", environmentSku: "Sandbox" } },
    });
    await waitForOperation(first, created.headers.get("location")!);
    const policies = await call<{ value: { policyDefinition: { name: string } }[] }>(
      first,
      "GET",
      `${GOV}/v2/policies`,
    );
    await call(first, "DELETE", `${GOV}/v2/policies/${policies.body.value[0]!.policyDefinition.name}`);
    await first.close();
    started.splice(started.indexOf(first), 1);

    expect(readdirSync(dir)).toEqual(["state.json"]);
    const onDisk = JSON.parse(readFileSync(statePath, "utf8")) as {
      environments: { properties: { displayName: string } }[];
    };
    expect(onDisk.environments.map((env) => env.properties.displayName)).toContain("Persisted Env");

    // Started again with an empty seed: the state file wins.
    const second = await withEmulator(started, { seed: {}, statePath });
    expect((await call(second, "GET", `${BAP}/environmentGroups/${group.body.id}`)).status).toBe(200);
    const envs = await call<{ value: { properties: { displayName: string } }[] }>(
      second,
      "GET",
      `${BAP}/scopes/admin/environments`,
    );
    expect(envs.body.value.map((env) => env.properties.displayName)).toContain("Persisted Env");
    expect(envs.body.value).toHaveLength(14);
    const after = await call<{ value: unknown[] }>(second, "GET", `${GOV}/v2/policies`);
    expect(after.body.value).toHaveLength(3);
  });

  it("writes the file atomically: concurrent mutations never leave a torn or partial file", async () => {
    const dir = tempDir();
    const statePath = join(dir, "state.json");
    const emulator = await withEmulator(started, { statePath });
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        call(emulator, "POST", `${BAP}/environmentGroups`, {
          body: { displayName: `G${i}`, description: "" },
        }),
      ),
    );
    // Every write completed before its response; the file parses and holds all 25 groups.
    const parsed = JSON.parse(readFileSync(statePath, "utf8")) as { environmentGroups: unknown[] };
    expect(parsed.environmentGroups).toHaveLength(25);
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it("refuses a state file that is not a valid seed, naming the file and the key", async () => {
    const dir = tempDir();
    const statePath = join(dir, "state.json");
    writeFileSync(statePath, JSON.stringify({ environments: {} }));
    await expect(withEmulator(started, { statePath })).rejects.toThrow(
      `${statePath}: "environments" must be a JSON array, found object`,
    );
  });
});

describe("seed loading", () => {
  it("loads the sample seed: a believable tenant", async () => {
    const seed = await loadSeedFile(sampleSeedPath);
    expect(seed.environments).toHaveLength(13);
    expect(seed.environments!.filter((env) => env.properties.isDefault === true)).toHaveLength(1);
    expect(seed.connectors!.length).toBeGreaterThanOrEqual(300);
    expect(seed.dlpPolicies!.map((p) => p.policyDefinition.environmentType).sort()).toEqual([
      "AllEnvironments",
      "ExceptEnvironments",
      "OnlyEnvironments",
      "OnlyEnvironments",
    ]);
    expect(seed.currencyPool).toEqual({
      AppPass: 50,
      PowerAutomatePerProcess: 10,
      AI: 5000,
      MCSMessages: 25000,
      MCSSessions: 500,
      PerFlowPlan: 5,
    });
  });

  it("is exactly what generate-sample.mjs produces", async () => {
    const out = join(tempDir(), "generated.json");
    execFileSync(process.execPath, [
      sampleSeedPath.replace(/sample-tenant\.json$/, "generate-sample.mjs"),
      out,
    ]);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(await loadSeedFile(sampleSeedPath));
  });

  it("names the file and the problem for bad seeds", async () => {
    const dir = tempDir();
    const write = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const notJson = write("a.json", "{ nope");
    await expect(loadSeedFile(notJson)).rejects.toThrow(`${notJson}: not valid JSON`);
    const unknownKey = write("b.json", JSON.stringify({ enviroments: [] }));
    await expect(loadSeedFile(unknownKey)).rejects.toThrow(`unknown top-level key "enviroments"`);
    const missingField = write("c.json", JSON.stringify({ environmentGroups: [{ displayName: "x" }] }));
    await expect(loadSeedFile(missingField)).rejects.toThrow(`environmentGroups[0] is missing "id"`);
    const badField = write(
      "e.json",
      JSON.stringify({ environments: [{ name: "x", location: "europe", properties: [] }] }),
    );
    await expect(loadSeedFile(badField)).rejects.toThrow(
      "environments[0].properties must be a JSON object, found array",
    );
    const badPool = write("d.json", JSON.stringify({ currencyPool: { AppPass: -1 } }));
    await expect(loadSeedFile(badPool)).rejects.toThrow(
      "currencyPool.AppPass must be a non-negative integer",
    );
    await expect(loadSeedFile(join(dir, "absent.json"))).rejects.toThrow("file not found");
  });
});
