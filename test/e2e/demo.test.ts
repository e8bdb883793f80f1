import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli, withoutProgress } from "../helpers/run-cli.js";

/**
 * The README's two demo commands, run as a newcomer would, in a scratch directory so that
 * .ppgov/demo-state.json never lands in the repository.
 */
describe("ppgov demo", () => {
  let cwd: string;
  const statePath = (): string => join(cwd, ".ppgov", "demo-state.json");

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), "ppgov-demo-e2e-"));
    await cp(join(repoRoot, "policies"), join(cwd, "policies"), { recursive: true });
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it("plans the shipped policies against the sample tenant and changes nothing", async () => {
    const demo = await runCli(["demo"], { cwd });
    expect(demo.stderr).toBe("");
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain("seeded with the sample tenant");
    expect(demo.stdout).toMatch(/^Plan: 3 to add, \d+ to change, 0 to destroy\.$/m);
    expect(demo.stdout).toContain("+ Environment/innovation-lab");
    expect(demo.stdout).toMatch(/^\d+ API calls, 0 throttled \(429\)$/m);
    expect(demo.stdout).toContain("  ppgov demo --apply   apply this plan");
    expect(demo.stdout).not.toContain("node bin/ppgov.js");
    // The sample is a model repository: its effect section has no accidental "mixed" (before: 12
    // of 13 environments showed "business → mixed"), says in a line what it means, and wraps.
    const effect = demo.stdout.slice(
      demo.stdout.indexOf("Effect on environments"),
      demo.stdout.indexOf("\nPlan: "),
    );
    expect(effect).toMatch(/^ {2}what makers can use there after this plan \(blocked anywhere wins; /m);
    expect(effect).toContain(
      "      non-business → blocked: shared_linkedinv2, shared_sendgrid, shared_youtube",
    );
    expect(effect).toContain("  Contoso Production, Finance Production:\n      mixed → business: ");
    expect(effect).not.toMatch(/→ mixed/);
    for (const line of effect.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
    // Long values are one item a line (before: a 500-character licenses line).
    expect(demo.stdout).toContain(
      '      ~ urlPatterns:\n          + { group = "business", pattern = "https://api.contoso.com/*" }\n            { group = "business", pattern = "https://*.contoso.com" }',
    );
    for (const line of demo.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(200);
    // A plan-only demo keeps no state: the next run starts from the sample again.
    expect(existsSync(statePath())).toBe(false);
  });

  it("applies with --apply, then plans clean from the kept state, and --reset starts over", async () => {
    const applied = await runCli(["demo", "--apply"], { cwd });
    expect(withoutProgress(applied.stderr)).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/Apply complete! Resources: 3 added, \d+ changed, 0 destroyed\./);
    const state = JSON.parse(await readFile(statePath(), "utf8")) as {
      environments?: { properties: { displayName: string } }[];
    };
    expect(state.environments?.filter((e) => e.properties.displayName === "Innovation Lab")).toHaveLength(1);

    const again = await runCli(["demo"], { cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("with the state a previous ppgov demo --apply left");
    expect(again.stdout).toContain("No changes.");
    expect(again.stdout).not.toMatch(/^Plan: /m);
    // Nothing to apply after "No changes.": no --apply hint, the reset one stays.
    expect(again.stdout).not.toContain("demo --apply   apply");
    expect(again.stdout).toContain("  ppgov demo --reset");

    const reset = await runCli(["demo", "--reset"], { cwd });
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain("Forgot the demo tenant's state");
    expect(existsSync(statePath())).toBe(false);

    const fresh = await runCli(["demo"], { cwd });
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/^Plan: 3 to add, \d+ to change, 0 to destroy\.$/m);
  }, 60_000);
});
