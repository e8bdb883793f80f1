import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/core/plan/types.js";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import type { WireEnvironment } from "../../src/emulator/types.js";
import { runCli } from "../helpers/run-cli.js";

const TEAMS_ID = "3c1d7e52-8a4f-4b6e-9d20-5f7a1b2c3d4e";

/**
 * Issue 23 item 6a through the built CLI over HTTP: an emulator tenant with a Teams environment
 * exports it as `type: Teams`, plans the export clean, lets a DLP policy name it, and refuses to retype it.
 */
describe("ppgov and a Teams environment", () => {
  let emulator: RunningEmulator;
  let scratch: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const seed = await loadSeedFile(sampleSeedPath);
    const template = seed.environments!.find((e) => e.properties.displayName === "Marketing Sandbox")!;
    const teams: WireEnvironment = {
      ...template,
      id: template.id.replace(template.name, TEAMS_ID),
      name: TEAMS_ID,
      properties: { ...template.properties, displayName: "Sales team", environmentSku: "Teams" },
    };
    seed.environments = [...seed.environments!, teams];
    emulator = await startEmulator({ seed, lifecycleDelayMs: 20 });
    scratch = await mkdtemp(join(tmpdir(), "ppgov-env-types-e2e-"));
    env = {
      PPGOV_ENDPOINT: emulator.url,
      PPGOV_TOKEN: "ppgov-dev",
      PPGOV_JOURNAL: join(scratch, "journal.jsonl"),
    };
  });
  afterAll(async () => {
    await emulator.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("exports it, plans clean, lets a DLP policy name it, and refuses to change its type", async () => {
    const exported = await runCli(["export", "-o", "repo"], { cwd: scratch, env });
    expect(exported.code).toBe(0);
    const file = join(scratch, "repo", "environments", "sales-team.yaml");
    const written = await readFile(file, "utf8");
    expect(written).toContain(
      "  type: Teams # read only: ppgov never creates this type nor changes it (PPG416)\n",
    );
    expect(written).toContain(`  id: ${TEAMS_ID}`);

    const clean = await runCli(["plan", "-d", "repo", "--detailed-exitcode"], { cwd: scratch, env });
    expect(clean.stdout).toContain("No changes.");
    expect(clean.code).toBe(0);

    await writeFile(
      join(scratch, "repo", "teams-dlp.yaml"),
      [
        "apiVersion: ppgov/v1",
        "kind: DlpPolicy",
        "metadata:",
        "  name: teams-dlp",
        "spec:",
        "  displayName: Teams only",
        "  scope:",
        "    only: [sales-team]",
        "  defaultGroup: nonBusiness",
        "",
      ].join("\n"),
    );
    const planned = await runCli(["plan", "-d", "repo", "--detailed-exitcode", "-o", "plan.json"], {
      cwd: scratch,
      env,
    });
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
    const plan = JSON.parse(await readFile(join(scratch, "plan.json"), "utf8")) as Plan;
    const dlp = plan.steps.filter((step) => step.address === "DlpPolicy/teams-dlp");
    expect(JSON.stringify(dlp)).toContain(TEAMS_ID);

    await writeFile(file, written.replace("  type: Teams #", "  type: Sandbox #"));
    const retyped = await runCli(["plan", "-d", "repo"], { cwd: scratch, env });
    expect(retyped.code).toBe(1);
    expect(retyped.stdout + retyped.stderr).toMatch(
      /sales-team\.yaml:\d+:\d+: error PPG416 Environment\/sales-team changes type Teams → Sandbox/,
    );
  });
});
