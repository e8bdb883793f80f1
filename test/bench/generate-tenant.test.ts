import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs benchmark script without type declarations
import { generateTenant } from "../../bench/generate-tenant.mjs";
import { createPolicyValidator } from "../../src/adapters/fs/policy-schemas.js";
import { listPolicyFiles } from "../../src/adapters/fs/policy-files.js";
import { createLimiter } from "../../src/adapters/tenant/concurrency.js";
import { readLiveTenant } from "../../src/adapters/tenant/live-reader.js";
import { loadPolicies } from "../../src/core/policy/load-policies.js";
import { hasErrors } from "../../src/core/diagnostics.js";
import { buildDesiredState, buildPlan, requiredLiveCollections } from "../../src/core/plan/index.js";
import { loadSeedFile, startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import { clientForEmulator } from "../tenant/fake-fetch.js";

interface Generated {
  seedPath: string;
  repoDir: string;
  counts: Record<
    "environments" | "dlpPolicies" | "allocations" | "assignments" | "documents" | "changed",
    number
  >;
}
const generate = generateTenant as (options: { scale: number; out: string; seed?: number }) => Generated;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ppgov-bench-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("the benchmark tenant generator", () => {
  it.each([undefined, 987_654_321])(
    "writes a seed the emulator loads and a repository that validates and plans about one resource in a hundred changed (random seed %s)",
    async (randomSeed) => {
      const tenant = generate({
        scale: 0.02,
        out: tempDir(),
        ...(randomSeed === undefined ? {} : { seed: randomSeed }),
      });
      expect(tenant.counts).toMatchObject({
        environments: 100,
        dlpPolicies: 4,
        allocations: 99,
        assignments: 4,
      });

      const loaded = await loadPolicies(tenant.repoDir, {
        validator: createPolicyValidator(),
        listPolicyFiles: (dir) => listPolicyFiles(dir),
      });
      expect(hasErrors(loaded.diagnostics)).toBe(false);
      expect(loaded.documentCount).toBe(tenant.counts.documents);

      const emulator: RunningEmulator = await startEmulator({ seed: await loadSeedFile(tenant.seedPath) });
      cleanup.push(() => emulator.close());
      const client = clientForEmulator(emulator.url);
      const desired = buildDesiredState(loaded.documents);
      const live = await readLiveTenant(client, requiredLiveCollections(desired));
      expect(live.environments).toHaveLength(100);
      expect(Object.keys(live.allocations)).toHaveLength(99);
      const { plan, diagnostics } = buildPlan(desired, live, { createdAt: "2026-11-22T00:00:00.000Z" });
      expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(plan.summary.change).toBe(tenant.counts.changed);
      expect(plan.summary.add + plan.summary.destroy + plan.summary.replace).toBe(0);
    },
  );

  it("gives other ids and another classification, at the same sizes, for another random seed", async () => {
    const a = generate({ scale: 0.01, out: tempDir() });
    const b = generate({ scale: 0.01, out: tempDir(), seed: 7 });
    expect(b.counts).toEqual(a.counts);
    const read = async (path: string) =>
      JSON.parse(await (await import("node:fs/promises")).readFile(path, "utf8")) as {
        environments: { name: string }[];
        dlpPolicies: unknown[];
      };
    const [x, y] = await Promise.all([read(a.seedPath), read(b.seedPath)]);
    // The default environment's id is fixed; every other environment's comes from the PRNG.
    expect(y.environments.slice(1).map((env) => env.name)).not.toEqual(
      x.environments.slice(1).map((env) => env.name),
    );
    expect(JSON.stringify(y.dlpPolicies)).not.toBe(JSON.stringify(x.dlpPolicies));
  });

  it("is deterministic", () => {
    const a = generate({ scale: 0.01, out: tempDir() });
    const b = generate({ scale: 0.01, out: tempDir() });
    expect(a.counts).toEqual(b.counts);
    const read = async (path: string) => (await import("node:fs/promises")).readFile(path, "utf8");
    return Promise.all([read(a.seedPath), read(b.seedPath)]).then(([x, y]) => expect(x).toBe(y));
  });
});

describe("createLimiter", () => {
  it("never runs more than the limit at once and returns each task's result", async () => {
    const limited = createLimiter(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limited(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, i % 3));
          active -= 1;
          return i * 2;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });

  it("frees the slot of a failed task", async () => {
    const limited = createLimiter(1);
    await expect(limited(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(limited(() => Promise.resolve("next"))).resolves.toBe("next");
    expect(() => createLimiter(0)).toThrow(RangeError);
  });
});
