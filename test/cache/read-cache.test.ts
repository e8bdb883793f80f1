import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  cacheScope,
  createFileReadCache,
  defaultCacheDir,
  planReadCache,
  type ReadCache,
} from "../../src/adapters/cache/index.js";
import type { TenantClient } from "../../src/adapters/tenant/index.js";
import { readLiveTenant } from "../../src/adapters/tenant/live-reader.js";
import type { LiveRequirements } from "../../src/core/plan/index.js";
import type { DlpPolicyWriteBody } from "../../src/core/wire/types.js";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { clientForEmulator } from "../tenant/fake-fetch.js";

const DLP_ONLY: LiveRequirements = {
  collections: ["environments", "dlpPolicies"],
  licenseGroupIds: [],
  allLicensedGroups: false,
};
const POLICY_GET = /^\/providers\/PowerPlatform\.Governance\/v2\/policies\/[^/?]+/;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ppgov-cache-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function setup(): Promise<{ emulator: RunningEmulator; client: TenantClient; dir: string }> {
  const emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), pageSize: 5 });
  cleanup.push(() => emulator.close());
  const client = clientForEmulator(emulator.url);
  return { emulator, client, dir: tempDir() };
}

function cacheFor(dir: string, emulator: RunningEmulator): ReadCache {
  return createFileReadCache({ dir, scope: cacheScope({ PPGOV_ENDPOINT: emulator.url }, "tenant-a") });
}

/** GETs of single policies (not the list) the emulator received since the last reset. */
function policyGets(emulator: RunningEmulator): number {
  return emulator.requests().filter((r) => r.method === "GET" && POLICY_GET.test(r.path)).length;
}

function listCalls(emulator: RunningEmulator): number {
  return emulator.requests().filter((r) => !POLICY_GET.test(r.path)).length;
}

describe("the read cache with the live reader", () => {
  it("a warm read of an unchanged tenant costs only the list calls and returns the same policies", async () => {
    const { emulator, client, dir } = await setup();
    const cold = await readLiveTenant(client, DLP_ONLY, { cache: cacheFor(dir, emulator) });
    const policyCount = cold.dlpPolicies.length;
    expect(policyCount).toBeGreaterThan(1);
    expect(policyGets(emulator)).toBe(policyCount);
    const coldLists = listCalls(emulator);

    emulator.resetRequests();
    const cache = cacheFor(dir, emulator);
    const warm = await readLiveTenant(client, DLP_ONLY, { cache });
    expect(policyGets(emulator)).toBe(0);
    expect(emulator.requests()).toHaveLength(coldLists);
    expect(warm.dlpPolicies).toEqual(cold.dlpPolicies);
    expect(cache.stats()).toEqual({ hits: policyCount, misses: 0, writes: 0 });
  });

  it("a policy whose etag changed is read again, the others come from the cache", async () => {
    const { emulator, client, dir } = await setup();
    const cold = await readLiveTenant(client, DLP_ONLY, { cache: cacheFor(dir, emulator) });
    const target = cold.dlpPolicies[0];
    expect(target).toBeDefined();
    const name = target!.policyDefinition.name;
    const body = structuredClone(target!) as unknown as DlpPolicyWriteBody;
    body.policyDefinition.displayName = "Renamed behind ppgov's back";
    await client.governance.updatePolicy(name, body);

    emulator.resetRequests();
    const cache = cacheFor(dir, emulator);
    const warm = await readLiveTenant(client, DLP_ONLY, { cache });
    expect(policyGets(emulator)).toBe(1);
    expect(emulator.requests().some((r) => r.path.includes(name))).toBe(true);
    const renamed = warm.dlpPolicies.find((p) => p.policyDefinition.name === name);
    expect(renamed?.policyDefinition.displayName).toBe("Renamed behind ppgov's back");
    expect(cache.stats().hits).toBe(cold.dlpPolicies.length - 1);
    expect(cache.stats().writes).toBe(1);
  });

  it("ignores corrupted and foreign entries and rewrites them", async () => {
    const { emulator, client, dir } = await setup();
    const cold = await readLiveTenant(client, DLP_ONLY, { cache: cacheFor(dir, emulator) });
    const files = listFiles(dir);
    expect(files).toHaveLength(cold.dlpPolicies.length);
    writeFileSync(files[0]!, "{ not json");
    // Valid JSON with the right version but not a policy document: must not reach the planner.
    const entry = JSON.parse(readFileSync(files[1]!, "utf8")) as { value: unknown };
    entry.value = { policyDefinition: { name: "x" } };
    writeFileSync(files[1]!, JSON.stringify(entry));

    emulator.resetRequests();
    const warm = await readLiveTenant(client, DLP_ONLY, { cache: cacheFor(dir, emulator) });
    expect(policyGets(emulator)).toBe(2);
    expect(warm.dlpPolicies).toEqual(cold.dlpPolicies);
    expect(() => JSON.parse(readFileSync(files[0]!, "utf8")) as unknown).not.toThrow();
  });

  it("keeps tenants apart: another scope misses", async () => {
    const { emulator, client, dir } = await setup();
    await readLiveTenant(client, DLP_ONLY, { cache: cacheFor(dir, emulator) });
    emulator.resetRequests();
    const other = createFileReadCache({
      dir,
      scope: cacheScope({ PPGOV_ENDPOINT: emulator.url }, "tenant-b"),
    });
    const live = await readLiveTenant(client, DLP_ONLY, { cache: other });
    expect(policyGets(emulator)).toBe(live.dlpPolicies.length);
  });

  it("without a cache every policy is read (what apply does)", async () => {
    const { emulator, client, dir } = await setup();
    await readLiveTenant(client, DLP_ONLY, { cache: cacheFor(dir, emulator) });
    emulator.resetRequests();
    const live = await readLiveTenant(client, DLP_ONLY);
    expect(policyGets(emulator)).toBe(live.dlpPolicies.length);
  });
});

describe("createFileReadCache", () => {
  it("returns a value only at the version it was stored at", async () => {
    const cache = createFileReadCache({ dir: tempDir(), scope: "s" });
    await cache.set("thing", "ID-1", "v1", { a: 1 });
    expect(await cache.get("thing", "id-1", "v1")).toEqual({ a: 1 });
    expect(await cache.get("thing", "id-1", "v2")).toBeUndefined();
    expect(await cache.get("other", "id-1", "v1")).toBeUndefined();
    expect(cache.stats()).toEqual({ hits: 1, misses: 2, writes: 1 });
  });

  it("leaves no temporary files behind and survives an unwritable directory", async () => {
    const dir = tempDir();
    const cache = createFileReadCache({ dir, scope: "s" });
    await Promise.all(Array.from({ length: 10 }, (_, i) => cache.set("thing", "same", `v${i}`, { i })));
    expect(listFiles(dir).filter((file) => file.endsWith(".tmp"))).toEqual([]);
    const blocked = join(dir, "file");
    writeFileSync(blocked, "");
    const broken = createFileReadCache({ dir: blocked, scope: "s" });
    await expect(broken.set("thing", "x", "v", 1)).resolves.toBeUndefined();
    expect(await broken.get("thing", "x", "v")).toBeUndefined();
  });

  it("defaults to .ppgov/cache under the working directory, or PPGOV_CACHE_DIR", () => {
    expect(defaultCacheDir({}, "/work/repo")).toBe(join("/work/repo", ".ppgov", "cache"));
    expect(defaultCacheDir({ PPGOV_CACHE_DIR: "/var/cache/ppgov" }, "/w")).toBe("/var/cache/ppgov");
    expect(defaultCacheDir({ PPGOV_CACHE_DIR: "c" }, "/w")).toBe(join("/w", "c"));
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

describe("planReadCache", () => {
  it("is off with --no-cache and otherwise scoped to the endpoint and tenant", async () => {
    const dir = tempDir();
    const env = { PPGOV_CACHE_DIR: dir, PPGOV_ENDPOINT: "http://127.0.0.1:1" };
    expect(planReadCache({ env, cwd: "/", tenantId: "t", enabled: false })).toBeUndefined();
    const a = planReadCache({ env, cwd: "/", tenantId: "T", enabled: true });
    await a?.set("k", "id", "v", 1);
    expect(await planReadCache({ env, cwd: "/", tenantId: "t", enabled: true })?.get("k", "id", "v")).toBe(1);
    const other = planReadCache({
      env: { ...env, PPGOV_ENDPOINT: "http://x" },
      cwd: "/",
      tenantId: "t",
      enabled: true,
    });
    expect(await other?.get("k", "id", "v")).toBeUndefined();
  });
});
