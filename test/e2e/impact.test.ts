import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateInventory, type GeneratedInventory } from "../../src/emulator/routes/inventory-seed.js";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import type { JsonObject } from "../../src/emulator/types.js";
import type { Plan } from "../../src/core/plan/types.js";
import { connectorsOf } from "../../src/adapters/tenant/inventory-api.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";

/** Moved by the shipped policies/ against the sample tenant, and not moved anywhere: both kinds on purpose. */
const CONNECTORS = [
  { name: "shared_twitter", displayName: "X" },
  { name: "shared_sendgrid", displayName: "SendGrid" },
  { name: "shared_sharepointonline", displayName: "SharePoint" },
  { name: "shared_sql", displayName: "SQL Server" },
  { name: "shared_powerbi", displayName: "Power BI" },
  { name: "shared_onenote", displayName: "OneNote" },
  { name: "shared_flowpush", displayName: "Notifications" },
];

interface Expected {
  kind: "app" | "flow";
  id: string;
  environmentId: string;
  connectors: string[];
}

function groundTruth(inventory: GeneratedInventory): Expected[] {
  const out: Expected[] = [];
  for (const [kind, byEnvironment] of [
    ["app", inventory.apps],
    ["flow", inventory.flows],
  ] as const)
    for (const [environmentId, items] of Object.entries(byEnvironment))
      for (const item of items)
        out.push({
          kind,
          id: item.name as string,
          environmentId,
          connectors: connectorsOf((item.properties as JsonObject).connectionReferences as never),
        });
  return out;
}

describe("ppgov plan --impact on a seeded tenant with hundreds of apps and flows", () => {
  let emulator: RunningEmulator;
  let env: NodeJS.ProcessEnv;
  let truth: Expected[];

  beforeAll(async () => {
    const seed = await loadSeedFile(sampleSeedPath);
    const environmentIds = (seed.environments ?? []).map((environment) => environment.name.toLowerCase());
    const inventory = generateInventory({
      environmentIds,
      appsPerEnvironment: 25,
      flowsPerEnvironment: 25,
      connectors: CONNECTORS,
      tenantId: "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    });
    truth = groundTruth(inventory);
    // A small page size makes every list take several nextLinks.
    emulator = await startEmulator({ seed: { ...seed, ...inventory }, pageSize: 7, lifecycleDelayMs: 20 });
    env = { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev" };
  });
  afterAll(async () => {
    await emulator.close();
  });

  it("lists exactly the apps and flows that use the moved connectors in the affected environments", async () => {
    expect(truth.length).toBeGreaterThanOrEqual(600);
    const result = await runCli(["plan", "--impact", "--format", "json"], { cwd: repoRoot, env });
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as Plan;
    const effect = plan.effect ?? [];
    const impact = plan.impact;
    expect(impact?.complete).toBe(true);
    expect(effect.length).toBeGreaterThan(0);

    const moved = new Set(
      effect.flatMap((entry) => entry.moves.map((move) => `${entry.environmentId}\n${move.connector}`)),
    );
    const reported = new Set<string>();
    for (const entry of impact?.entries ?? []) {
      const expected = truth
        .filter(
          (item) => item.environmentId === entry.environmentId && item.connectors.includes(entry.connector),
        )
        .map((item) => `${item.kind}:${item.id}`)
        .sort();
      const got = [...entry.apps, ...entry.flows].map((item) => `${item.kind}:${item.id}`).sort();
      expect(got, `${entry.environmentName} ${entry.connector}`).toEqual(expected);
      for (const key of got) reported.add(`${entry.environmentId}/${key}`);
    }
    // One impact entry per moved (environment, connector), nothing more.
    expect(
      (impact?.entries ?? []).map((entry) => `${entry.environmentId}\n${entry.connector}`).sort(),
    ).toEqual([...moved].sort());
    // Nothing else: every item that uses no moved connector in its environment is absent.
    const untouched = truth.filter(
      (item) => !item.connectors.some((connector) => moved.has(`${item.environmentId}\n${connector}`)),
    );
    expect(untouched.length).toBeGreaterThan(0);
    for (const item of untouched)
      expect(reported.has(`${item.environmentId}/${item.kind}:${item.id}`)).toBe(false);
    const apps = [...reported].filter((key) => key.includes("/app:")).length;
    expect(impact?.totals).toEqual({ apps, flows: reported.size - apps });
  });

  it("the markdown plan gives counts, and says so when the time budget stops it early", async () => {
    const full = await runCli(["plan", "--impact", "--format", "markdown"], { cwd: repoRoot, env });
    expect(full.code).toBe(0);
    expect(full.stdout).toContain("### Effect on environments");
    expect(full.stdout).toMatch(/Apps and flows using them: \*\*\d+ apps, \d+ flows\*\*/);
    expect(full.stdout).toContain("| Environment | Connector | Before | After | Apps | Flows |");

    await fetch(`${emulator.url}/_emulator/faults`, {
      method: "PUT",
      body: JSON.stringify({ latencyMs: 30 }),
    });
    try {
      const early = await runCli(["plan", "--impact", "--impact-budget", "0.2", "--format", "markdown"], {
        cwd: repoRoot,
        env,
      });
      expect(early.stderr).toBe("");
      expect(early.code).toBe(0);
      expect(early.stdout).toMatch(
        /Impact analysis stopped early: \d+ environments? (was|were) not fully read/,
      );
      expect(early.stdout).toContain("time budget of 0.2 s spent");
    } finally {
      await fetch(`${emulator.url}/_emulator/faults`, {
        method: "PUT",
        body: JSON.stringify({ latencyMs: 0 }),
      });
    }
  });
});
