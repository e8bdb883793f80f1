import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../src/adapters/fs/package-root.js";
import { repoRoot } from "../helpers/run-cli.js";

/** Runs one entry point of the build (the bundle or the compiled modules) as bin/ppgov.js would. */
function run(
  entry: string,
  args: readonly string[],
): { code: number | null; stdout: string; stderr: string } {
  const script = `const { main } = await import(${JSON.stringify(`${repoRoot}/${entry}`)}); process.exitCode = await main(process.argv);`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script, "ppgov", ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, NO_COLOR: "1" },
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the one-file bundle (dist/ppgov.mjs)", () => {
  it("is built, and finds the package's own files from its single location", () => {
    expect(existsSync(`${repoRoot}/dist/ppgov.mjs`)).toBe(true);
    expect(packageRoot()).toBe(repoRoot.replace(/\/$/, ""));
  });

  it.each([
    ["valid policies", ["validate", "-d", "policies"]],
    ["policies with mistakes", ["validate", "-d", "test/fixtures/policies/invalid/common-mistakes"]],
    ["the version", ["--version"]],
  ])("answers as the compiled modules do for %s", (_name, args) => {
    const bundled = run("dist/ppgov.mjs", args);
    const modules = run("dist/cli/main.js", args);
    expect(bundled).toEqual(modules);
    expect(bundled.stdout.length + bundled.stderr.length).toBeGreaterThan(0);
  });
});
