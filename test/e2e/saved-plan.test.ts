import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { computePlanDigest } from "../../src/core/plan/digest.js";
import type { Plan } from "../../src/core/plan/types.js";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { runCli } from "../helpers/run-cli.js";
import { tenantWrites } from "../helpers/tenant-writes.js";

/**
 * A saved plan is an approval, not a script (issue 21 item 1), it applies at most once (issue 20
 * item 1), it remembers its policy directory (issue 20 item 4), and `apply --format json` prints one
 * JSON object (issue 20 item 5). The built CLI against the embedded emulator.
 */

interface Scratch {
  emulator: RunningEmulator;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const opened: Scratch[] = [];

async function scratch(): Promise<Scratch> {
  const emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), lifecycleDelayMs: 20 });
  const cwd = await mkdtemp(join(tmpdir(), "ppgov-saved-plan-"));
  const env = {
    PPGOV_ENDPOINT: emulator.url,
    PPGOV_TOKEN: "ppgov-dev",
    PPGOV_CACHE_DIR: join(cwd, "cache"),
    PPGOV_JOURNAL: join(cwd, "journal.jsonl"),
    PPGOV_LOCK_DIR: join(cwd, "locks"),
  };
  const created = { emulator, cwd, env };
  opened.push(created);
  expect((await runCli(["export", "-o", "repo"], { cwd, env })).code).toBe(0);
  return created;
}

afterEach(async () => {
  for (const { emulator, cwd } of opened.splice(0)) {
    await emulator.close();
    await rm(cwd, { recursive: true, force: true });
  }
});

const DLP_FILE = "repo/dlp/production-strict.yaml";

/** Renames the production-strict DLP policy in the repository and saves the plan of that update. */
async function planDlpRename({ cwd, env }: Scratch, extraEnv: NodeJS.ProcessEnv = {}): Promise<Plan> {
  const file = join(cwd, DLP_FILE);
  const text = await readFile(file, "utf8");
  expect(text).toContain("displayName: Production - strict");
  await writeFile(
    file,
    text.replace("displayName: Production - strict", "displayName: Production strict v2"),
  );
  const planned = await runCli(["plan", "-d", "repo", "-o", "plan.json", "--detailed-exitcode"], {
    cwd,
    env: { ...env, ...extraEnv },
  });
  expect(planned.code).toBe(2);
  return JSON.parse(await readFile(join(cwd, "plan.json"), "utf8")) as Plan;
}

const dlpNamed = (emulator: RunningEmulator, name: string): boolean =>
  (emulator.state().dlpPolicies ?? []).some((policy) => policy.policyDefinition.displayName === name);

async function savePlan(cwd: string, file: string, plan: Plan): Promise<void> {
  await writeFile(join(cwd, file), JSON.stringify(plan, null, 2));
}

describe("a saved plan is an approval, not a script", () => {
  it("refuses a DLP update step edited to DELETE with the digest recomputed, and sends nothing", async () => {
    const tenant = await scratch();
    const plan = await planDlpRename(tenant);
    const update = plan.steps.find((step) => step.address === "DlpPolicy/production-strict");
    expect(update?.method).toBe("PATCH");
    const { body: _body, ...rest } = update!;
    const edited: Plan = {
      ...plan,
      steps: plan.steps.map((step) => (step === update ? { ...rest, method: "DELETE" as const } : step)),
    };
    edited.planDigest = computePlanDigest(edited);
    await savePlan(tenant.cwd, "edited.json", edited);
    tenant.emulator.resetRequests();

    const refused = await runCli(["apply", "edited.json"], { cwd: tenant.cwd, env: tenant.env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/PLAN_MISMATCH|not the ones its policies/);
    expect(refused.stderr).toContain(
      "step DlpPolicy/production-strict:update: the plan says DELETE /providers/PowerPlatform.Governance/v2/policies/",
    );
    expect(refused.stderr).toContain("Nothing was changed in the tenant.");
    expect(tenantWrites(tenant.emulator)).toEqual([]);
    expect(dlpNamed(tenant.emulator, "Production - strict")).toBe(true);

    // The unedited plan applies, and its summary is counted from its steps.
    const applied = await runCli(["apply", "plan.json"], { cwd: tenant.cwd, env: tenant.env });
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    expect(dlpNamed(tenant.emulator, "Production strict v2")).toBe(true);
  });

  it("reports the summary from the steps, not from an edited summary", async () => {
    const tenant = await scratch();
    const plan = await planDlpRename(tenant);
    const edited: Plan = { ...plan, summary: { ...plan.summary, change: 0, add: 7 } };
    edited.planDigest = computePlanDigest(edited);
    await savePlan(tenant.cwd, "edited.json", edited);
    const applied = await runCli(["apply", "edited.json"], { cwd: tenant.cwd, env: tenant.env });
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
  });

  it("refuses a plan whose policies changed since it was made, naming the directory", async () => {
    const tenant = await scratch();
    await planDlpRename(tenant);
    const file = join(tenant.cwd, DLP_FILE);
    await writeFile(
      file,
      (await readFile(file, "utf8")).replace("displayName: Production strict v2", "displayName: Other"),
    );
    tenant.emulator.resetRequests();
    const refused = await runCli(["apply", "plan.json"], { cwd: tenant.cwd, env: tenant.env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("the policies in repo are not the ones the plan was made from");
    expect(tenantWrites(tenant.emulator)).toEqual([]);
  });

  it("with PPGOV_PLAN_KEY: plan signs, apply refuses unsigned, re-signed-by-another-key and edited plans", async () => {
    const tenant = await scratch();
    const key = { PPGOV_PLAN_KEY: "a shared secret between the plan and apply jobs" };
    const plan = await planDlpRename(tenant, key);
    expect(plan.signature).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);

    const { signature: _signature, ...unsigned } = plan;
    await savePlan(tenant.cwd, "unsigned.json", unsigned);
    // An edit that keeps the steps (so only the signature can catch it): the recorded directory.
    const edited: Plan = { ...plan, createdAt: "2020-01-01T00:00:00.000Z" };
    edited.planDigest = computePlanDigest(edited);
    await savePlan(tenant.cwd, "edited.json", edited);
    tenant.emulator.resetRequests();

    const noSignature = await runCli(["apply", "unsigned.json"], {
      cwd: tenant.cwd,
      env: { ...tenant.env, ...key },
    });
    expect(noSignature.code).toBe(1);
    expect(noSignature.stderr).toContain("PPGOV_PLAN_KEY is set, but the plan is not signed");
    const badSignature = await runCli(["apply", "edited.json"], {
      cwd: tenant.cwd,
      env: { ...tenant.env, ...key },
    });
    expect(badSignature.code).toBe(1);
    expect(badSignature.stderr).toContain("the plan's signature does not match PPGOV_PLAN_KEY");
    const otherKey = await runCli(["apply", "plan.json"], {
      cwd: tenant.cwd,
      env: { ...tenant.env, PPGOV_PLAN_KEY: "another key" },
    });
    expect(otherKey.code).toBe(1);
    expect(otherKey.stderr).toContain("the plan's signature does not match PPGOV_PLAN_KEY");
    expect(otherKey.stderr).not.toContain(key.PPGOV_PLAN_KEY);
    expect(tenantWrites(tenant.emulator)).toEqual([]);

    const applied = await runCli(["apply", "plan.json"], { cwd: tenant.cwd, env: { ...tenant.env, ...key } });
    expect(applied.code).toBe(0);
    expect(dlpNamed(tenant.emulator, "Production strict v2")).toBe(true);
  });
});

describe("a saved plan applies at most once", () => {
  it("refuses a re-apply with the journal, at once, without writing", async () => {
    const tenant = await scratch();
    await planDlpRename(tenant);
    expect((await runCli(["apply", "plan.json"], { cwd: tenant.cwd, env: tenant.env })).code).toBe(0);
    tenant.emulator.resetRequests();
    const again = await runCli(["apply", "plan.json"], { cwd: tenant.cwd, env: tenant.env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("this plan was already applied");
    expect(again.stderr).toContain("a saved plan applies at most once");
    expect(again.stdout).not.toContain("Apply complete");
    expect(tenantWrites(tenant.emulator)).toEqual([]);
    // Refused before reading the tenant: no convergence wait.
    expect(tenant.emulator.requests().filter((request) => request.path.includes("Governance"))).toEqual([]);
  });

  it("refuses a re-apply on another runner (no journal), and after an out-of-band change", async () => {
    const tenant = await scratch();
    await planDlpRename(tenant);
    expect((await runCli(["apply", "plan.json"], { cwd: tenant.cwd, env: tenant.env })).code).toBe(0);
    tenant.emulator.resetRequests();
    const elsewhere = await runCli(["apply", "plan.json"], {
      cwd: tenant.cwd,
      env: { ...tenant.env, PPGOV_JOURNAL: join(tenant.cwd, "other-runner.jsonl") },
    });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain("plan is stale: DlpPolicy/production-strict changed since the plan");
    expect(elsewhere.stderr).toContain("a saved plan applies at most once");
    expect(tenantWrites(tenant.emulator)).toEqual([]);

    // The policy moves behind the plan's back after it was applied (another apply, its own journal).
    const file = join(tenant.cwd, DLP_FILE);
    await writeFile(
      file,
      (await readFile(file, "utf8")).replace("displayName: Production strict v2", "displayName: Moved"),
    );
    const outOfBand = await runCli(["apply", "-d", "repo", "--auto-approve"], {
      cwd: tenant.cwd,
      env: { ...tenant.env, PPGOV_JOURNAL: join(tenant.cwd, "out-of-band.jsonl") },
    });
    expect(outOfBand.code).toBe(0);
    expect(dlpNamed(tenant.emulator, "Moved")).toBe(true);
    tenant.emulator.resetRequests();
    const again = await runCli(["apply", "plan.json"], { cwd: tenant.cwd, env: tenant.env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("this plan was already applied");
    expect(tenantWrites(tenant.emulator)).toEqual([]);
  });
});

describe("a saved plan remembers its policy directory", () => {
  it("records git.dir, and apply PLANFILE reads the policies there without -d", async () => {
    const tenant = await scratch();
    const plan = await planDlpRename(tenant);
    expect(plan.git.dir).toBe("repo");
    const applied = await runCli(["apply", "plan.json"], { cwd: tenant.cwd, env: tenant.env });
    expect(applied.code).toBe(0);
    // The convergence check ran against the plan's own policies (no "skipped" warning).
    expect(applied.stderr).not.toMatch(/skipped/);
  });

  it("names the recorded directory when it is missing", async () => {
    const tenant = await scratch();
    await planDlpRename(tenant);
    const elsewhere = await mkdtemp(join(tmpdir(), "ppgov-saved-plan-elsewhere-"));
    try {
      const refused = await runCli(["apply", join(tenant.cwd, "plan.json")], {
        cwd: elsewhere,
        env: tenant.env,
      });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("policy directory 'repo' does not exist");
      expect(refused.stderr).toContain("the plan was made from it");
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});

describe("apply --format json", () => {
  it("prints one result object, and a refusal as the JSON error envelope", async () => {
    const tenant = await scratch();
    await planDlpRename(tenant);
    const applied = await runCli(["apply", "plan.json", "--format", "json"], {
      cwd: tenant.cwd,
      env: tenant.env,
    });
    expect(applied.code).toBe(0);
    const result = JSON.parse(applied.stdout) as {
      status: string;
      summary: object;
      steps: { id: string; outcome: string }[];
      convergence: { converged: boolean };
    };
    expect(result.status).toBe("applied");
    expect(result.summary).toEqual({ add: 0, change: 1, destroy: 0 });
    expect(result.steps).toEqual([
      expect.objectContaining({ id: "DlpPolicy/production-strict:update", outcome: "succeeded" }),
    ]);
    expect(result.convergence.converged).toBe(true);

    const again = await runCli(["apply", "plan.json", "--format", "json"], {
      cwd: tenant.cwd,
      env: tenant.env,
    });
    expect(again.code).toBe(1);
    const envelope = JSON.parse(again.stdout) as { error: { code: string; message: string } };
    expect(envelope.error.code).toBe("PLAN_ALREADY_APPLIED");
  });

  it("plan-and-apply with --format json keeps the plan text off stdout", async () => {
    const tenant = await scratch();
    const file = join(tenant.cwd, DLP_FILE);
    await writeFile(
      file,
      (await readFile(file, "utf8")).replace("displayName: Production - strict", "displayName: Renamed"),
    );
    const applied = await runCli(["apply", "-d", "repo", "--auto-approve", "--format", "json"], {
      cwd: tenant.cwd,
      env: tenant.env,
    });
    expect(applied.code).toBe(0);
    expect((JSON.parse(applied.stdout) as { status: string }).status).toBe("applied");
    expect(applied.stderr).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
  });
});

describe("ppgov show PLANFILE", () => {
  it("prints a saved plan with its origin, or its JSON, without contacting the tenant", async () => {
    const tenant = await scratch();
    const plan = await planDlpRename(tenant, { PPGOV_PLAN_KEY: "k" });
    tenant.emulator.resetRequests();
    const shown = await runCli(["show", "plan.json"], { cwd: tenant.cwd, env: {} });
    expect(shown.code).toBe(0);
    expect(shown.stdout.split("\n")[0]).toBe(
      `Plan made ${plan.createdAt} from repo for tenant ${plan.tenantId}; digest intact, signed (set PPGOV_PLAN_KEY to check the signature).`,
    );
    expect(shown.stdout).toContain('~ displayName: "Production - strict" → "Production strict v2"');
    expect(shown.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    const checked = await runCli(["show", "plan.json"], {
      cwd: tenant.cwd,
      env: { PPGOV_PLAN_KEY: "other" },
    });
    expect(checked.stdout).toContain("signature does NOT match PPGOV_PLAN_KEY");

    const json = await runCli(["show", "plan.json", "--format", "json"], { cwd: tenant.cwd, env: {} });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(plan);

    await savePlan(tenant.cwd, "altered.json", { ...plan, createdAt: "2020-01-01T00:00:00.000Z" });
    const altered = await runCli(["show", "altered.json"], { cwd: tenant.cwd, env: {} });
    expect(altered.stdout).toContain("digest does NOT match: the file was altered, apply refuses it");
    expect(tenant.emulator.requests()).toEqual([]);

    const missing = await runCli(["show", "missing.json", "--format", "json"], { cwd: tenant.cwd, env: {} });
    expect(missing.code).toBe(1);
    expect((JSON.parse(missing.stdout) as { error: { code: string } }).error.code).toBe("PLAN_FILE");
  });
});
