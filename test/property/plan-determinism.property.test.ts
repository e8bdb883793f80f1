/**
 * Issue 7: the plan of any valid document set against any tenant is deterministic. Document sets are
 * exports of one generated tenant, the live tenant is an emulator seeded with another; the JSON plan
 * (what `plan -o` writes, under a fixed clock) must be byte-identical across runs and whatever order the
 * files come in.
 */
import fc from "fast-check";
import { parseDocument } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { SecretRegistry } from "../../src/adapters/log/secrets.js";
import { createLogger } from "../../src/adapters/log/logger.js";
import { createTenantClient, readLiveTenant } from "../../src/adapters/tenant/index.js";
import { loadPolicies } from "../../src/core/policy/load-policies.js";
import { silentProgress } from "../../src/adapters/progress/index.js";
import { runPlan, type TenantUsage } from "../../src/app/plan.js";
import { exportTenant, renderExportFiles } from "../../src/core/export/index.js";
import type { PolicyFile } from "../../src/core/policy/parse-yaml.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import { renderPlanJson } from "../../src/render/plan-json.js";
import { liveFromSeed } from "../export/helpers.js";
import { randomSeed } from "../export/random-seed.js";
import { testValidator } from "../policy/load.js";

const SIZE = { environments: 6, dlpPolicies: 3, connectors: 12 };
const running: RunningEmulator[] = [];
afterAll(async () => {
  await Promise.all(running.map((emulator) => emulator.close()));
});

/** The policy files of a generated tenant, as `ppgov export` would write them. */
function documentSet(seed: number): PolicyFile[] {
  const live = liveFromSeed(randomSeed(seed, SIZE) as Parameters<typeof liveFromSeed>[0]);
  // Without the id pins the export writes, the documents match another tenant's objects by name or
  // create them, instead of being refused as pinned to ids that tenant does not have.
  return renderExportFiles(exportTenant(live).documents).map((file) => {
    const document = parseDocument(file.text);
    document.deleteIn(["metadata", "id"]);
    return { path: `policies/${file.path}`, text: document.toString() };
  });
}

/** One `ppgov plan -o` worth of work in-process, with a fresh client (no cache shared between runs). */
async function planJson(emulator: RunningEmulator, files: PolicyFile[]): Promise<string> {
  const secrets = new SecretRegistry();
  const logger = createLogger({ level: "silent", secrets });
  const usage: TenantUsage = { apiCalls: 0, throttled: 0 };
  const client = createTenantClient({
    env: { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev" },
    logger,
    secrets,
  });
  const outcome = await runPlan(
    { dir: "policies" },
    {
      loadPolicies: (dir) =>
        loadPolicies(dir, {
          validator: testValidator(),
          listPolicyFiles: () => Promise.resolve({ files, diagnostics: [], fileCount: files.length }),
        }),
      tenant: {
        tenantId: async () => (await client.admin.getTenant()).tenantId.toLowerCase(),
        readLive: (requirements, tenantId) => readLiveTenant(client, requirements, { tenantId }),
        readAllocationAvailability: (environmentIds, entitlementIds) =>
          client.licensing.getAllocationAvailabilityForEnvironments(environmentIds, entitlementIds),
        usage: () => ({ ...usage }),
      },
      // A fixed clock: createdAt is the only field allowed to differ, so with it fixed the whole file
      // (planDigest included) must be byte-identical.
      now: () => new Date("2026-01-01T00:00:00Z"),
      gitHead: () => Promise.resolve({}),
      progress: silentProgress,
    },
  );
  if (outcome.status === "invalid") throw new Error(JSON.stringify(outcome.loaded.diagnostics));
  if (outcome.status === "rejected") return `rejected ${JSON.stringify(outcome.diagnostics)}`;
  return renderPlanJson(outcome.planned.plan);
}

describe("plan determinism", () => {
  it("byte-identical JSON plans across runs and file orders, for generated documents and tenants", async () => {
    let changes = 0;
    let runs = 0;
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.boolean(),
        fc.infiniteStream(fc.nat()),
        async (desiredSeed, liveSeed, same, shuffle) => {
          const emulator = await startEmulator({ seed: randomSeed(same ? desiredSeed : liveSeed, SIZE) });
          running.push(emulator);
          const files = documentSet(desiredSeed);
          const first = await planJson(emulator, files);
          const second = await planJson(emulator, files);
          expect(second).toBe(first);
          // Fisher–Yates with the generated stream: the loader's order must not matter.
          const shuffled = [...files];
          const draws = shuffle[Symbol.iterator]();
          for (let index = shuffled.length - 1; index > 0; index -= 1) {
            const other = (draws.next().value as number) % (index + 1);
            [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
          }
          expect(await planJson(emulator, shuffled)).toBe(first);
          const plan = JSON.parse(first.startsWith("rejected") ? "{}" : first) as { resources?: unknown[] };
          if (first.startsWith("rejected")) rejected += 1;
          changes += plan.resources?.length ?? 0;
          runs += 1;
          await emulator.close();
          running.splice(running.indexOf(emulator), 1);
        },
      ),
      { numRuns: 12 },
    );
    console.log(
      `plan determinism: ${runs} document sets × 3 plans each (${rejected} rejected by plan checks), ${changes} planned resources compared`,
    );
    expect(runs).toBe(12);
    expect(rejected).toBeLessThan(runs);
  });
});
