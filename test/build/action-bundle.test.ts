/**
 * The Action's committed bundle (action/ppgov-action.mjs, action.yml `runs.main`) is what the sources
 * build: `npm run bundle:action:check` rebuilds it into a temporary file and fails on any difference,
 * so a change to src/ without `npm run bundle:action` fails here (and in CI).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readPolicySchemas, schemaSetDigest } from "../../src/adapters/fs/policy-schemas.js";
import { responseSchemasDigest } from "../../src/adapters/tenant/response-validators.js";
import { repoRoot } from "../helpers/run-cli.js";

const BUNDLE = "action/ppgov-action.mjs";
const scratch = mkdtempSync(join(tmpdir(), "ppgov-action-bundle-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function bundleScript(args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repoRoot, "scripts/bundle-action.mjs"), ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the Action bundle", () => {
  const committed = readFileSync(join(repoRoot, BUNDLE), "utf8");

  it("is what action.yml runs, and what the npm scripts build and check", () => {
    const action = parse(readFileSync(join(repoRoot, "action.yml"), "utf8")) as {
      runs: { using: string; main: string };
    };
    expect(action.runs).toEqual({ using: "node24", main: BUNDLE });
    const { scripts } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts["bundle:action"]).toBe("node scripts/bundle-action.mjs");
    expect(scripts["bundle:action:check"]).toBe("node scripts/bundle-action.mjs --check");
  });

  it("npm run bundle:action:check: the committed bundle is byte for byte what src/ builds", () => {
    const result = bundleScript(["--check"]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(
      /^action\/ppgov-action\.mjs is up to date \([\d.]+ MiB, rebuilt in [\d.]+ s\)\n$/,
    );
    expect(result.code).toBe(0);
  }, 120_000);

  it("the check fails on a bundle that differs by one byte, and on a missing one", () => {
    const edited = join(scratch, "edited.mjs");
    writeFileSync(edited, committed.replace("ppgov", "ppgoV"));
    const result = bundleScript(["--check", "--against", edited]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /is not what the source builds \(first difference at line \d+;.*run npm run bundle:action/,
    );
    const missing = bundleScript(["--check", "--against", join(scratch, "missing.mjs")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("missing.mjs is missing: run npm run bundle:action and commit it");
    expect(bundleScript(["--frobnicate"]).code).toBe(2);
  }, 120_000);

  it("embeds the validators precompiled from today's schemas and tenant response schemas", () => {
    expect(committed).toContain(JSON.stringify(schemaSetDigest(readPolicySchemas())));
    expect(committed).toContain(JSON.stringify(responseSchemasDigest()));
  });

  it("carries no path of the machine that built it", () => {
    expect(committed).not.toContain(repoRoot.replace(/\/$/, ""));
    expect(committed).not.toContain(tmpdir());
  });
});
