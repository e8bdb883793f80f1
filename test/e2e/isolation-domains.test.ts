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
import { runCli } from "../helpers/run-cli.js";

const FABRIKAM = "ae050c01-95ca-5f00-a4b2-6435df18b549";
const PARTNER = "7d4e2b19-3c5a-4f8e-9b61-2a0c8e5d4f73";

/**
 * Issue 23 item 6b through the built CLI over HTTP: allowedTenants written by domain resolve through
 * the emulator's Graph findTenantInformationByDomainName; export writes ids; a domain for an id already
 * allowed plans clean; a new domain plans its id with the domain beside it; an unknown domain is PPG417.
 */
describe("ppgov TenantIsolation by domain", () => {
  let emulator: RunningEmulator;
  let scratch: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const seed = await loadSeedFile(sampleSeedPath);
    seed.tenantDomains = { "fabrikam.onmicrosoft.com": FABRIKAM, "partner.onmicrosoft.com": PARTNER };
    emulator = await startEmulator({ seed, lifecycleDelayMs: 20 });
    scratch = await mkdtemp(join(tmpdir(), "ppgov-isolation-domains-e2e-"));
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

  it("exports ids, plans a domain clean, plans a new domain with its id, refuses an unknown one", async () => {
    const exported = await runCli(["export", "-o", "repo", "--kinds", "TenantIsolation"], {
      cwd: scratch,
      env,
    });
    expect(exported.code).toBe(0);
    const file = join(scratch, "repo", "tenant", "tenant-isolation.yaml");
    const written = await readFile(file, "utf8");
    expect(written).toContain(`    - tenantId: ${FABRIKAM}\n      direction: inbound\n`);

    const byDomain = written.replace(`- tenantId: ${FABRIKAM}`, "- domain: Fabrikam.onmicrosoft.com");
    await writeFile(file, byDomain);
    const clean = await runCli(["plan", "-d", "repo", "--detailed-exitcode"], { cwd: scratch, env });
    expect(clean.stderr).toBe("");
    expect(clean.stdout).toContain("No changes.");
    expect(clean.code).toBe(0);

    await writeFile(
      file,
      byDomain.replace(
        "      direction: inbound\n",
        "      direction: inbound\n    - domain: partner.onmicrosoft.com\n      direction: outbound\n",
      ),
    );
    const planned = await runCli(["plan", "-d", "repo", "--detailed-exitcode", "-o", "plan.json"], {
      cwd: scratch,
      env,
    });
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(2);
    expect(planned.stdout).toMatch(
      new RegExp(`\\+ allowedTenants\\.${PARTNER} = "outbound".*domain partner\\.onmicrosoft\\.com`),
    );
    const plan = JSON.parse(await readFile(join(scratch, "plan.json"), "utf8")) as Plan;
    expect(JSON.stringify(plan.steps[0]!.body)).toContain(`"tenantId":"${PARTNER}"`);
    expect(JSON.stringify(plan.steps[0]!.body)).not.toContain("onmicrosoft");

    // Apply re-reads the tenant (domains resolved again) and re-derives the plan before it writes.
    const applied = await runCli(["apply", "plan.json", "-d", "repo"], { cwd: scratch, env });
    expect(applied.stderr).not.toMatch(/error/i);
    expect(applied.code).toBe(0);
    const converged = await runCli(["plan", "-d", "repo", "--detailed-exitcode"], { cwd: scratch, env });
    expect(converged.stdout).toContain("No changes.");
    expect(converged.code).toBe(0);

    await writeFile(
      file,
      byDomain.replace(
        "      direction: inbound\n",
        "      direction: inbound\n    - domain: nobody.example\n      direction: both\n",
      ),
    );
    const unknown = await runCli(["plan", "-d", "repo"], { cwd: scratch, env });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout + unknown.stderr).toMatch(
      /tenant-isolation\.yaml:\d+:\d+: error PPG417 TenantIsolation\/tenant-isolation: no Entra tenant has the domain 'nobody\.example'/,
    );
  });
});
