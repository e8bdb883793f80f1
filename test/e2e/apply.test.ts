import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { lockPath } from "../../src/cli/compose.js";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { runCli, withoutProgress } from "../helpers/run-cli.js";
import { tenantWrites } from "../helpers/tenant-writes.js";

/**
 * `ppgov apply PLANFILE` refuses every plan it cannot apply exactly as reviewed, and changes nothing
 * when it refuses. (Concurrent applies and kill -9 recovery: test/e2e/reconcile.test.ts.)
 */

interface Scratch {
  emulator: RunningEmulator;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const opened: Scratch[] = [];

async function scratch(tenantId?: string): Promise<Scratch> {
  const seed = await loadSeedFile(sampleSeedPath);
  const emulator = await startEmulator({
    seed: tenantId === undefined ? seed : { ...seed, tenantId },
    lifecycleDelayMs: 20,
  });
  const cwd = await mkdtemp(join(tmpdir(), "ppgov-apply-e2e-"));
  const env = {
    PPGOV_ENDPOINT: emulator.url,
    PPGOV_TOKEN: "ppgov-dev",
    PPGOV_CACHE_DIR: join(cwd, "cache"),
    PPGOV_JOURNAL: join(cwd, "journal.jsonl"),
    PPGOV_LOCK_DIR: join(cwd, "locks"),
  };
  const created = { emulator, cwd, env };
  opened.push(created);
  const exported = await runCli(["export", "-o", "repo"], { cwd, env });
  expect(exported.code).toBe(0);
  return created;
}

afterEach(async () => {
  for (const { emulator, cwd } of opened.splice(0)) {
    await emulator.close();
    await rm(cwd, { recursive: true, force: true });
  }
});

/** Edits the adopted repository's Finance group and saves a plan of that one change. */
async function planGroupEdit({ cwd, env }: Scratch): Promise<string> {
  const file = join(cwd, "repo/environment-groups/finance.yaml");
  const text = await readFile(file, "utf8");
  await writeFile(
    file,
    text.replace("description: Finance department environments", "description: Reviewed"),
  );
  const planned = await runCli(["plan", "-d", "repo", "-o", "plan.json", "--detailed-exitcode"], {
    cwd,
    env,
  });
  expect(planned.code).toBe(2);
  return join(cwd, "plan.json");
}

async function putGroupDescription(emulator: RunningEmulator, description: string): Promise<void> {
  const group = emulator.state().environmentGroups?.find((g) => g.displayName === "Finance");
  const response = await fetch(
    `${emulator.url}/providers/Microsoft.BusinessAppPlatform/environmentGroups/${group?.id ?? ""}?api-version=2021-04-01`,
    {
      method: "PUT",
      headers: { authorization: "Bearer ppgov-dev", "content-type": "application/json" },
      body: JSON.stringify({ displayName: "Finance", description }),
    },
  );
  expect(response.ok).toBe(true);
}

const financeDescription = (emulator: RunningEmulator): string | undefined =>
  emulator.state().environmentGroups?.find((g) => g.displayName === "Finance")?.description as
    string | undefined;

describe("ppgov apply PLANFILE refusals", () => {
  it("applies a fresh plan, but refuses it once the tenant changed, naming the resource", async () => {
    const fresh = await scratch();
    await planGroupEdit(fresh);
    const applied = await runCli(["apply", "plan.json", "-d", "repo"], { cwd: fresh.cwd, env: fresh.env });
    expect(applied.code).toBe(0);
    expect(financeDescription(fresh.emulator)).toBe("Reviewed");

    const moved = await scratch();
    await planGroupEdit(moved);
    // Someone edits the group in the portal between review and apply.
    await putGroupDescription(moved.emulator, "edited in the portal");
    moved.emulator.resetRequests();
    const stale = await runCli(["apply", "plan.json", "-d", "repo", "--auto-approve"], {
      cwd: moved.cwd,
      env: moved.env,
    });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/plan is stale: EnvironmentGroup\/finance changed since the plan/);
    expect(stale.stderr).not.toMatch(/\n\s+at /);
    expect(tenantWrites(moved.emulator)).toEqual([]);
    expect(financeDescription(moved.emulator)).toBe("edited in the portal");
  });

  it("refuses a plan whose content was edited after it was made", async () => {
    const tenant = await scratch();
    const planFile = await planGroupEdit(tenant);
    const text = await readFile(planFile, "utf8");
    expect(text).toContain('"Reviewed"');
    await writeFile(planFile, text.replaceAll('"Reviewed"', '"Sneaked in"'));
    tenant.emulator.resetRequests();
    const refused = await runCli(["apply", "plan.json", "-d", "repo", "--auto-approve"], {
      cwd: tenant.cwd,
      env: tenant.env,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/digest/i);
    expect(tenantWrites(tenant.emulator)).toEqual([]);
    expect(financeDescription(tenant.emulator)).toBe("Finance department environments");
  });

  it("refuses a plan made against another tenant", async () => {
    const home = await scratch();
    const planFile = await planGroupEdit(home);
    const other = await scratch("0b7c2d4e-1f3a-4b5c-8d9e-0f1a2b3c4d5e");
    other.emulator.resetRequests();
    const refused = await runCli(["apply", planFile, "-d", "repo", "--auto-approve"], {
      cwd: other.cwd,
      env: other.env,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/tenant/i);
    expect(refused.stderr).toContain("0b7c2d4e-1f3a-4b5c-8d9e-0f1a2b3c4d5e");
    expect(tenantWrites(other.emulator)).toEqual([]);
  });

  it("refuses a protected delete without --allow-protected-deletes, at plan and at apply", async () => {
    const tenant = await scratch();
    const file = join(tenant.cwd, "repo/environments/legacy-apps.yaml");
    await writeFile(file, (await readFile(file, "utf8")).replace("\nspec:\n", "\nspec:\n  ensure: absent\n"));
    await rm(join(tenant.cwd, "repo/dlp/security-team-emergency-lockdown.yaml"));
    const planned = await runCli(["plan", "-d", "repo", "-o", "plan.json"], {
      cwd: tenant.cwd,
      env: tenant.env,
    });
    expect(planned.code).toBe(1);
    expect(planned.stdout + planned.stderr).toMatch(/legacy-apps\.yaml:\d+:\d+: error PPG405 .*protected/);
    const applied = await runCli(["apply", "-d", "repo", "--auto-approve"], {
      cwd: tenant.cwd,
      env: tenant.env,
    });
    expect(applied.code).toBe(1);
    expect(tenantWrites(tenant.emulator)).toEqual([]);
    expect(
      tenant.emulator.state().environments?.some((e) => e.properties.displayName === "Legacy Apps"),
    ).toBe(true);
  });

  it("refuses to plan-and-apply without a terminal unless --auto-approve", async () => {
    const tenant = await scratch();
    await planGroupEdit(tenant);
    tenant.emulator.resetRequests();
    const refused = await runCli(["apply", "-d", "repo"], { cwd: tenant.cwd, env: tenant.env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--auto-approve");
    expect(tenantWrites(tenant.emulator)).toEqual([]);
    expect(financeDescription(tenant.emulator)).toBe("Finance department environments");
  });

  it("refuses while another live apply holds the tenant lock, and takes over a dead one's lock", async () => {
    const tenant = await scratch();
    await planGroupEdit(tenant);
    const plan = JSON.parse(await readFile(join(tenant.cwd, "plan.json"), "utf8")) as { tenantId: string };
    const lock = lockPath(tenant.env, plan.tenantId);
    await mkdir(join(tenant.cwd, "locks"), { recursive: true });
    const holder = {
      pid: process.pid,
      host: hostname(),
      command: "apply",
      startedAt: new Date().toISOString(),
    };
    await writeFile(lock, JSON.stringify(holder));
    tenant.emulator.resetRequests();
    const locked = await runCli(["apply", "plan.json", "-d", "repo"], { cwd: tenant.cwd, env: tenant.env });
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain(`another ppgov apply (pid ${process.pid} on ${hostname()}`);
    expect(tenantWrites(tenant.emulator)).toEqual([]);

    // A lock left by a process that no longer exists does not block the next apply.
    await writeFile(lock, JSON.stringify({ ...holder, pid: 2 ** 22 + 17 }));
    const applied = await runCli(["apply", "plan.json", "-d", "repo"], { cwd: tenant.cwd, env: tenant.env });
    expect(withoutProgress(applied.stderr)).toBe("");
    expect(applied.code).toBe(0);
    expect(financeDescription(tenant.emulator)).toBe("Reviewed");
  });
});
