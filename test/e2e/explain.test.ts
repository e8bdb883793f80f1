import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";

/** `ppgov explain` through the built CLI against the sample tenant and the shipped policies/. */
describe("ppgov explain on the sample tenant", () => {
  let emulator: RunningEmulator;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), lifecycleDelayMs: 20 });
    env = { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev" };
  });
  afterAll(async () => {
    await emulator.close();
  });

  it("names the policies that apply and why, by metadata.name; nothing mixed in production", async () => {
    const result = await runCli(["explain", "contoso-production"], { cwd: repoRoot, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Effective DLP policy of Contoso Production \(/);
    expect(result.stdout).toContain("as declared");
    expect(result.stdout).toContain("  - Corporate baseline: applies to every environment");
    expect(result.stdout).toContain("  - Production - strict: lists this environment");
    // The shipped policies agree on every connector in production (issue 20 item 7): nothing mixed.
    expect(result.stdout).not.toContain("Mixed");
    // Long connector lists wrap at 100 columns.
    expect(result.stdout).toMatch(
      /^Business: 10\n {4}shared_approvals, [^\n]+,\n {4}shared_office365users, /m,
    );
    const business = result.stdout.split("\nBusiness: 10\n")[1]?.split(/\n(?! )/)[0] ?? "";
    for (const line of business.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
  });

  it("names the mixed connectors and the policies that split them", async () => {
    // HR Developer is also covered by the tenant's "Developer Sandbox Policy", which the shipped
    // policies do not manage and which classifies some connectors the other way.
    const result = await runCli(["explain", "hr-developer"], { cwd: repoRoot, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Mixed \(business in one policy, non-business in another\): \d+/);
    expect(result.stdout).toContain(
      'shared_github: business in "Developer Sandbox Policy"; non-business in "Corporate baseline"',
    );
    expect(result.stdout).toContain("cannot be used together");
  });

  it("--live --format json: the live policies, by display name, every connector with its group", async () => {
    const result = await runCli(["explain", "HR Developer", "--live", "--format", "json"], {
      cwd: repoRoot,
      env,
    });
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      source: string;
      environment: { displayName: string };
      applied: { displayName: string; reason: string }[];
      connectors: { connector: string; group: string }[];
    };
    expect(parsed.source).toBe("live");
    expect(parsed.environment.displayName).toBe("HR Developer");
    expect(parsed.applied.map((policy) => policy.reason)).toContain("all");
    const twitter = parsed.connectors.find((entry) => entry.connector === "shared_twitter");
    expect(twitter?.group).toBe("blocked");
  });

  it("an unknown environment is a clear error listing known ones, no stack trace", async () => {
    const result = await runCli(["explain", "nope"], { cwd: repoRoot, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no environment "nope"');
    expect(result.stderr).toContain("Contoso Production");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
