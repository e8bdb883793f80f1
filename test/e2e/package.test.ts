import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/run-cli.js";

const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  version: string;
  files: string[];
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The package as a user gets it: `npm pack` of this tree (built by the global setup), installed with
 * `npm install -g` into a prefix of its own and run from a directory that has nothing of ppgov in it.
 */
describe("the npm package", () => {
  let scratch: string;
  let tarball: string;
  let prefix: string;
  let elsewhere: string;
  const npmEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    NO_COLOR: "1",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
  });
  const ppgov = (args: readonly string[], cwd = elsewhere): Run => {
    const result = spawnSync(join(prefix, "bin", "ppgov"), args, {
      cwd,
      env: { PATH: `${join(prefix, "bin")}:${process.env.PATH ?? ""}`, NO_COLOR: "1", HOME: scratch },
      encoding: "utf8",
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "ppgov-package-e2e-"));
    elsewhere = join(scratch, "elsewhere");
    prefix = join(scratch, "prefix");
    execFileSync("mkdir", ["-p", elsewhere]);
    // --ignore-scripts: prepack would only rebuild what the global setup has just built.
    const packed = execFileSync(
      "npm",
      ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch],
      { cwd: repoRoot, env: npmEnv(), encoding: "utf8" },
    );
    const [entry] = JSON.parse(packed) as { filename: string }[];
    tarball = join(scratch, entry!.filename);
    execFileSync(
      "npm",
      ["install", "--global", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", tarball],
      { cwd: scratch, env: npmEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
  }, 240_000);
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("holds the CLI, the schemas, the sample policies and seed, LICENSE and CHANGELOG, and no build leftovers", async () => {
    const installed = join(prefix, "lib", "node_modules", "ppgov");
    for (const file of [
      "bin/ppgov.js",
      "dist/ppgov.mjs",
      "schemas/policy.schema.json",
      "schemas/plan.schema.json",
      "policies/tenant.yaml",
      "fixtures/seeds/sample-tenant.json",
      "LICENSE",
      "CHANGELOG.md",
      "README.md",
    ])
      expect(existsSync(join(installed, file)), file).toBe(true);
    expect(existsSync(join(installed, "dist", ".tsbuildinfo"))).toBe(false);
    expect(existsSync(join(installed, "dist", "build"))).toBe(false);
    expect(existsSync(join(installed, "src"))).toBe(false);
    expect(existsSync(join(installed, "test"))).toBe(false);
    expect(await readdir(join(installed, "node_modules"))).not.toContain("vitest");
  });

  it("ppgov --version prints package.json's version", () => {
    const result = ppgov(["--version"]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe(manifest.version);
    expect(result.code).toBe(0);
  });

  it("ppgov demo works from a directory with no policies: it plans the shipped sample", () => {
    const result = ppgov(["demo"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("(the sample policies shipped with ppgov)");
    expect(result.stdout).toMatch(/^Plan: 3 to add, \d+ to change, 0 to destroy\.$/m);
    expect(result.stdout).toContain("  ppgov demo --apply");
    expect(result.stdout).not.toContain("node bin/ppgov.js");
  });

  it("npx of the tarball runs the same CLI", () => {
    const result = spawnSync(
      "npx",
      ["--yes", "--prefer-offline", "--package", tarball, "--", "ppgov", "--version"],
      { cwd: elsewhere, env: npmEnv(), encoding: "utf8" },
    );
    expect(result.stdout.trim(), result.stderr).toBe(manifest.version);
    expect(result.status).toBe(0);
  }, 240_000);
});
