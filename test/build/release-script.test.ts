/**
 * scripts/release.mjs, which .github/workflows/release.yml runs: the tag, package.json and CHANGELOG.md
 * agree before anything is published; the release notes are the CHANGELOG section; the major tag moves
 * only to the newest release of its major.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/run-cli.js";

const scratch = mkdtempSync(join(tmpdir(), "ppgov-release-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const CHANGELOG = `# Changelog

Intro text.

## [Unreleased]

### Added

- Not released yet.

## [1.2.0] - 2026-12-08

### Added

- The released Action.

### Fixed

- A bug.

## [1.1.0] - Unreleased

- Forgot the date.

## [1.0.0] - 2026-01-01

[Unreleased]: https://github.com/ppgov/ppgov/compare/v1.2.0...HEAD
[1.2.0]: https://github.com/ppgov/ppgov/releases/tag/v1.2.0
`;

/** A package root with this package.json version and CHANGELOG.md. */
function root(version: string, changelog = CHANGELOG): string {
  const dir = mkdtempSync(join(scratch, "root-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "ppgov", version }));
  writeFileSync(join(dir, "CHANGELOG.md"), changelog);
  return dir;
}

function release(
  args: readonly string[],
  input = "",
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repoRoot, "scripts/release.mjs"), ...args], {
    encoding: "utf8",
    input,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("scripts/release.mjs notes", () => {
  it("prints the version's section, without its heading, the next section or the link references", () => {
    const result = release(["notes", "v1.2.0", "--root", root("1.2.0")]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("### Added\n\n- The released Action.\n\n### Fixed\n\n- A bug.\n");
  });

  it("stops at the link references when the section is the last one", () => {
    const last = CHANGELOG.replace("## [1.0.0] - 2026-01-01\n", "## [1.0.0] - 2026-01-01\n\n- First.\n");
    const result = release(["notes", "v1.0.0", "--root", root("1.0.0", last)]);
    expect(result.stdout).toBe("- First.\n");
  });

  it("refuses a version with no section, an empty section and a tag that is not a release", () => {
    expect(release(["notes", "v3.0.0", "--root", root("3.0.0")])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('CHANGELOG.md: no section "## [3.0.0] - YYYY-MM-DD"') as string,
    });
    expect(release(["notes", "v1.0.0", "--root", root("1.0.0")]).stderr).toMatch(
      /CHANGELOG\.md:25: the section is empty/,
    );
    for (const tag of ["1.2.0", "v1.2", "v1.2.0-rc.1", "v01.2.0", "main"])
      expect(release(["notes", tag, "--root", root("1.2.0")]).stderr, tag).toContain("is not a release tag");
  });

  it("reads this repository's CHANGELOG.md by default", () => {
    const result = release(["notes", "v1.0.0"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("### Added");
    expect(result.stdout).not.toContain("## [");
  });
});

describe("scripts/release.mjs verify", () => {
  it("passes when the tag, package.json and a dated, non-empty section agree", () => {
    const result = release(["verify", "v1.2.0", "--root", root("1.2.0")]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^v1\.2\.0: package\.json 1\.2\.0, .*CHANGELOG\.md section of 2026-12-08 \(7 lines\)\n$/,
    );
  });

  it("names the file and line of what disagrees", () => {
    expect(release(["verify", "v1.2.0", "--root", root("1.1.9")]).stderr).toMatch(
      /package\.json: version is "1\.1\.9", the tag v1\.2\.0 says 1\.2\.0/,
    );
    expect(release(["verify", "v1.1.0", "--root", root("1.1.0")]).stderr).toMatch(
      /CHANGELOG\.md:21: the section \[1\.1\.0\] has no release date .*it says "Unreleased"/,
    );
    expect(release(["verify", "v1.0.0", "--root", root("1.0.0")]).stderr).toMatch(
      /CHANGELOG\.md:25: the section \[1\.0\.0\] is empty/,
    );
    expect(release(["verify", "v1.2.0", "--root", join(scratch, "nowhere")])).toMatchObject({ code: 1 });
    expect(release(["publish", "v1.2.0"]).code).toBe(2);
  });
});

describe("scripts/release.mjs major-tag", () => {
  const tags = "v0.9.0\nv1.0.0\nv1.2.0\nv1.10.0\nv2.0.0\nv2.1.0-rc.1\nlatest\n";

  it("names the major tag when the release is the newest of its major (numeric, not text, order)", () => {
    expect(release(["major-tag", "v1.10.0"], tags).stdout).toBe("v1\n");
    expect(release(["major-tag", "v1.10.1"], tags).stdout).toBe("v1\n");
    // A pre-release tag does not count as a newer release.
    expect(release(["major-tag", "v2.0.0"], tags).stdout).toBe("v2\n");
  });

  it("leaves the major tag alone for a patch of an older line", () => {
    const result = release(["major-tag", "v1.2.1"], tags);
    expect(result).toMatchObject({ code: 0, stdout: "" });
    expect(release(["major-tag", "v1.0.0"], tags).stdout).toBe("");
  });
});
