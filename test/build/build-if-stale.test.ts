import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/run-cli.js";

/** scripts/build-if-stale.mjs, which `npm run demo` runs instead of a full build every time. */
const script = join(repoRoot, "scripts", "build-if-stale.mjs");

function check(root: string): { code: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [script, "--check", "--root", root], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout.trim() };
}

describe("build-if-stale", () => {
  let root: string;
  const old = new Date("2026-01-01T00:00:00Z");
  const built = new Date("2026-01-02T00:00:00Z");
  const later = new Date("2026-01-03T00:00:00Z");

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "ppgov-stale-"));
    for (const dir of ["src/cli", "schemas", "dist"]) await mkdir(join(root, dir), { recursive: true });
    for (const file of ["src/cli/main.ts", "schemas/policy.schema.json", "package.json"]) {
      await writeFile(join(root, file), "x");
      await utimes(join(root, file), old, old);
    }
    for (const dir of ["src/cli", "src", "schemas"]) await utimes(join(root, dir), old, old);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("is stale without dist/ppgov.mjs", () => {
    expect(check(root)).toEqual({ code: 1, stdout: "dist/ is stale: dist/ppgov.mjs is missing" });
  });

  it("is current when the bundle is newer than every input, and names the first newer input", async () => {
    await writeFile(join(root, "dist", "ppgov.mjs"), "x");
    await utimes(join(root, "dist", "ppgov.mjs"), built, built);
    expect(check(root)).toEqual({ code: 0, stdout: "dist/ is current" });

    await utimes(join(root, "schemas", "policy.schema.json"), later, later);
    expect(check(root)).toEqual({
      code: 1,
      stdout: "dist/ is stale: schemas/policy.schema.json is newer than dist/ppgov.mjs",
    });
    await utimes(join(root, "schemas", "policy.schema.json"), old, old);
    await utimes(join(root, "src", "cli", "main.ts"), later, later);
    expect(check(root).stdout).toBe("dist/ is stale: src/cli/main.ts is newer than dist/ppgov.mjs");
  });
});
