import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GithubClient } from "../../src/adapters/github/client.js";
import { GithubLockBackend } from "../../src/adapters/lock/github-lock.js";
import { lockName, lockPath } from "../../src/cli/compose.js";
import { FakeGithub } from "../helpers/fake-github.js";
import { runCli } from "../helpers/run-cli.js";
import { scratchTenants, type ScratchTenant } from "../helpers/scratch-tenant.js";
import { tenantWrites } from "../helpers/tenant-writes.js";

/** The built CLI with `--lock github` (against the fake GitHub) and the file lock's TTL, end to end. */
const tenants = scratchTenants("ppgov-lock-e2e-");
const github = new FakeGithub();
beforeAll(() => github.start(), 60_000);
afterAll(() => github.stop());
afterEach(() => tenants.closeAll());

async function tenantIdOf(tenant: ScratchTenant): Promise<string> {
  const planned = await runCli(["plan", "-d", "policies", "-o", "plan.json"], {
    cwd: tenant.cwd,
    env: tenant.env,
  });
  expect(planned.code, planned.stderr).toBe(0);
  return (JSON.parse(await readFile(join(tenant.cwd, "plan.json"), "utf8")) as { tenantId: string }).tenantId;
}

describe("ppgov apply --lock github", () => {
  it("takes the tenant's lock as a Git ref, refuses while another run holds it, and force-unlock frees it", async () => {
    const tenant = await tenants.open({ lifecycleDelayMs: 20 });
    const env = {
      ...tenant.env,
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: "ghs_fake_token",
      PPGOV_LOCK_GITHUB_REPOSITORY: "contoso/policies",
      GITHUB_RUN_ID: "4242",
      GITHUB_ACTOR: "octocat",
    };
    const tenantId = await tenantIdOf(tenant);
    const name = lockName(env, tenantId);

    // Another runner holds the lock.
    const other = new GithubLockBackend({
      client: new GithubClient({
        apiUrl: github.url,
        token: "ghs_fake_token",
        owner: "contoso",
        repo: "policies",
      }),
      ttlMs: 600_000,
      heartbeatMs: 600_000,
    });
    const held = await other.acquire(name, { host: "runner-b", pid: 77, command: "apply", runId: "run 41" });
    tenant.emulator.resetRequests();
    const refused = await runCli(["apply", "-d", "policies", "--auto-approve", "--lock", "github"], {
      cwd: tenant.cwd,
      env,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("another ppgov apply (pid 77 on runner-b, run 41");
    expect(refused.stderr).toContain(`ppgov force-unlock ${held.id}`);
    expect(refused.stderr).toContain("Nothing was changed in the tenant.");
    expect(tenantWrites(tenant.emulator)).toEqual([]);

    const unlocked = await runCli(["force-unlock", held.id, "--lock", "github"], { cwd: tenant.cwd, env });
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(unlocked.stdout).toContain(`removed the lock contoso/policies refs/ppgov-locks/${name}`);
    expect(github.git.refs.size).toBe(0);

    github.requests.length = 0;
    const applied = await runCli(["apply", "-d", "policies", "--auto-approve"], {
      cwd: tenant.cwd,
      env: { ...env, PPGOV_LOCK: "github" },
    });
    expect(applied.code, applied.stderr).toBe(0);
    expect(tenantWrites(tenant.emulator).length).toBeGreaterThan(0);
    const operations = github.requests.map((r) => r.operationId);
    expect(operations).toContain("git/create-ref");
    expect(operations.at(-1)).toBe("git/delete-ref");
    // The ref recorded this run: the commit that created it names run 4242 by octocat.
    const created = github.requests.find((r) => r.operationId === "git/create-commit");
    expect(JSON.stringify(created?.body)).toContain("run 4242");
    expect(JSON.stringify(created?.body)).toContain("octocat");
    expect(github.git.refs.size).toBe(0);
    expect(github.violations).toEqual([]);
  }, 120_000);

  it("says what is missing when the github lock has no repository or token", async () => {
    const tenant = await tenants.open({ lifecycleDelayMs: 20 });
    const result = await runCli(["apply", "-d", "policies", "--auto-approve", "--lock", "github"], {
      cwd: tenant.cwd,
      env: tenant.env,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("PPGOV_LOCK_GITHUB_REPOSITORY");
    expect(tenantWrites(tenant.emulator)).toEqual([]);
  }, 60_000);
});

describe("the file lock's TTL", () => {
  it("refuses a live hold from another host, and takes over one whose heartbeat deadline passed", async () => {
    const tenant = await tenants.open({ lifecycleDelayMs: 20 });
    const tenantId = await tenantIdOf(tenant);
    const path = lockPath(tenant.env, tenantId);
    await mkdir(join(tenant.cwd, "locks"), { recursive: true });
    const id = `${lockName(tenant.env, tenantId)}.abcdef012345`;
    const holder = {
      id,
      pid: 1,
      host: "another-host",
      command: "apply",
      startedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
    await writeFile(path, JSON.stringify(holder));
    tenant.emulator.resetRequests();
    const refused = await runCli(["apply", "-d", "policies", "--auto-approve"], {
      cwd: tenant.cwd,
      env: tenant.env,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`another ppgov apply (pid 1 on another-host`);
    expect(refused.stderr).toContain(`ppgov force-unlock ${id}`);
    expect(tenantWrites(tenant.emulator)).toEqual([]);

    await writeFile(
      path,
      JSON.stringify({ ...holder, expiresAt: new Date(Date.now() - 1_000).toISOString() }),
    );
    const applied = await runCli(["apply", "-d", "policies", "--auto-approve"], {
      cwd: tenant.cwd,
      env: tenant.env,
    });
    expect(applied.code, applied.stderr).toBe(0);
    expect(tenantWrites(tenant.emulator).length).toBeGreaterThan(0);
  }, 120_000);

  it("force-unlock removes the named file lock and refuses an id that is not a lock ID", async () => {
    const tenant = await tenants.open({ lifecycleDelayMs: 20 });
    const tenantId = await tenantIdOf(tenant);
    const path = lockPath(tenant.env, tenantId);
    await mkdir(join(tenant.cwd, "locks"), { recursive: true });
    const id = `${lockName(tenant.env, tenantId)}.abcdef012345`;
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    await writeFile(
      path,
      JSON.stringify({ id, pid: 1, host: "h", command: "apply", startedAt: "x", expiresAt }),
    );
    const wrong = await runCli(["force-unlock", `${lockName(tenant.env, tenantId)}.000000000000`], {
      cwd: tenant.cwd,
      env: tenant.env,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`held by another ppgov apply (pid 1 on h`);
    const bad = await runCli(["force-unlock", "nonsense"], { cwd: tenant.cwd, env: tenant.env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("is not a lock ID");
    const removed = await runCli(["force-unlock", id], { cwd: tenant.cwd, env: tenant.env });
    expect(removed.code, removed.stderr).toBe(0);
    await expect(readFile(path, "utf8")).rejects.toThrow(/ENOENT/);
  }, 60_000);
});
