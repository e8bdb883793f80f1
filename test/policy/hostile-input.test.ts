import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listPolicyFiles, repositoryCapsFromEnv } from "../../src/adapters/fs/policy-files.js";
import { hasErrors } from "../../src/core/diagnostics.js";
import { parsePolicyFile } from "../../src/core/policy/parse-yaml.js";
import { loadDirectory } from "./load.js";

const GROUP =
  "apiVersion: ppgov/v1\nkind: EnvironmentGroup\nmetadata:\n  name: ok\nspec:\n  displayName: Ok\n";

let dir: string;
let outside: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ppgov-hostile-"));
  outside = mkdtempSync(join(tmpdir(), "ppgov-outside-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe("hostile files", () => {
  it("refuses a file over the size cap from its size, without reading it", async () => {
    writeFileSync(join(dir, "ok.yaml"), GROUP);
    writeFileSync(join(dir, "huge.yaml"), `# ${"x".repeat(4096)}\n`);
    const result = await loadDirectory(dir, { maxFileBytes: 1024 });
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ code: "PPG105", file: "huge.yaml", line: 0, severity: "error" }),
    ]);
    expect(result.diagnostics[0]!.message).toContain("over the 1.0 KiB limit");
    expect(result.documents).toHaveLength(1);
  });

  it("refuses a file over the default 1 MiB cap", async () => {
    writeFileSync(join(dir, "big.yaml"), Buffer.alloc(1024 * 1024 + 1, 0x20));
    const result = await loadDirectory(dir);
    expect(result.diagnostics.map((d) => d.code)).toContain("PPG105");
  });

  it("detects binary content (NUL bytes) and invalid UTF-8", async () => {
    writeFileSync(join(dir, "binary.yaml"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a]));
    writeFileSync(join(dir, "latin1.yaml"), Buffer.from("name: caf\xe9\n", "latin1"));
    const result = await loadDirectory(dir);
    expect(result.diagnostics.map((d) => [d.code, d.file, d.line])).toEqual([
      ["PPG106", "binary.yaml", 0],
      ["PPG106", "latin1.yaml", 0],
    ]);
    expect(result.diagnostics[0]!.message).toContain("binary");
    expect(result.diagnostics[1]!.message).toContain("UTF-8");
  });

  it("names UTF-16 for what it is", async () => {
    writeFileSync(
      join(dir, "utf16.yaml"),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GROUP, "utf16le")]),
    );
    const result = await loadDirectory(dir);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        code: "PPG106",
        file: "utf16.yaml",
        message: "is UTF-16 text; save it as UTF-8",
      }),
    ]);
  });

  it("accepts a UTF-8 byte-order mark", async () => {
    writeFileSync(join(dir, "bom.yaml"), `\uFEFF${GROUP}`);
    const result = await loadDirectory(dir);
    expect(result.diagnostics).toEqual([]);
    expect(result.documents).toHaveLength(1);
  });

  it("refuses symbolic links that leave the policy directory, file or directory", async () => {
    writeFileSync(join(outside, "secret.yaml"), GROUP);
    mkdirSync(join(outside, "more"));
    writeFileSync(join(outside, "more", "x.yaml"), GROUP);
    symlinkSync(join(outside, "secret.yaml"), join(dir, "escape.yaml"));
    symlinkSync(join(outside, "more"), join(dir, "linked-dir"));
    const result = await loadDirectory(dir);
    expect(result.diagnostics.map((d) => [d.code, d.file])).toEqual([
      ["PPG110", "escape.yaml"],
      ["PPG110", "linked-dir"],
    ]);
    expect(result.documents).toEqual([]);
  });

  it("follows links inside the directory and survives a link loop", async () => {
    mkdirSync(join(dir, "real"));
    writeFileSync(join(dir, "real", "group.yaml"), GROUP);
    symlinkSync(join(dir, "real"), join(dir, "real", "loop"));
    symlinkSync(join(dir, "missing.yaml"), join(dir, "dangling.yaml"));
    const listing = await listPolicyFiles(".", { cwd: dir });
    expect(listing.files.map((f) => f.path)).toEqual(["real/group.yaml"]);
    expect(listing.diagnostics.map((d) => [d.code, d.file])).toEqual([["PPG100", "dangling.yaml"]]);
  });

  it("calls a loop of file links a loop, not a missing target", async () => {
    symlinkSync(join(dir, "b.yaml"), join(dir, "a.yaml"));
    symlinkSync(join(dir, "a.yaml"), join(dir, "b.yaml"));
    symlinkSync(join(dir, "self.yaml"), join(dir, "self.yaml"));
    writeFileSync(join(dir, "ok.yaml"), GROUP);
    const listing = await listPolicyFiles(".", { cwd: dir });
    expect(listing.files.map((f) => f.path)).toEqual(["ok.yaml"]);
    expect(listing.diagnostics.map((d) => [d.code, d.file])).toEqual([
      ["PPG100", "a.yaml"],
      ["PPG100", "b.yaml"],
      ["PPG100", "self.yaml"],
    ]);
    for (const diagnostic of listing.diagnostics) {
      expect(diagnostic.message).toMatch(/symbolic link loop/);
      expect(diagnostic.message).not.toMatch(/does not exist/);
    }
  });

  it("refuses a directory over the file-count cap as a whole, before reading any file", async () => {
    for (let i = 0; i < 6; i += 1)
      writeFileSync(join(dir, `f${i}.yaml`), GROUP.replaceAll("ok", `g${i}`).replaceAll("Ok", `G${i}`));
    const refused = await loadDirectory(dir, { maxFiles: 5 });
    expect(refused.diagnostics.map((d) => [d.code, d.file, d.line, d.severity])).toEqual([
      ["PPG115", ".", 0, "error"],
    ]);
    expect(refused.diagnostics[0]?.message).toMatch(/more than 5 policy files .*PPGOV_MAX_POLICY_FILES/);
    expect(refused.documents).toEqual([]);
    const accepted = await loadDirectory(dir, { maxFiles: 6 });
    expect(accepted.diagnostics).toEqual([]);
    expect(accepted.documents).toHaveLength(6);
  });

  it("refuses a directory over the total-size cap as a whole, naming the sizes", async () => {
    writeFileSync(join(dir, "a.yaml"), GROUP);
    writeFileSync(join(dir, "b.yaml"), `# ${"x".repeat(2000)}\n`);
    const refused = await loadDirectory(dir, { maxTotalBytes: 2048 });
    expect(refused.diagnostics.map((d) => d.code)).toEqual(["PPG115"]);
    expect(refused.diagnostics[0]?.message).toMatch(
      /holds 2\.\d KiB of policy files, over the 2\.0 KiB limit/,
    );
    expect(refused.documents).toEqual([]);
    expect((await loadDirectory(dir, { maxTotalBytes: 4096 })).documents).toHaveLength(1);
  });

  it("reads the caps from PPGOV_MAX_POLICY_FILES and PPGOV_MAX_POLICY_BYTES, refusing nonsense", () => {
    expect(repositoryCapsFromEnv({ PPGOV_MAX_POLICY_FILES: "20000", PPGOV_MAX_POLICY_BYTES: "1" })).toEqual({
      maxFiles: 20_000,
      maxTotalBytes: 1,
    });
    expect(repositoryCapsFromEnv({})).toEqual({});
    expect(() => repositoryCapsFromEnv({ PPGOV_MAX_POLICY_FILES: "lots" })).toThrow(
      /PPGOV_MAX_POLICY_FILES must be a positive whole number \(got "lots"\)/,
    );
  });

  it("lists *.yaml and *.yml at any depth, sorted, skipping dot-directories, node_modules and other files", async () => {
    mkdirSync(join(dir, "b", "c"), { recursive: true });
    mkdirSync(join(dir, ".github"));
    mkdirSync(join(dir, "node_modules", "pkg"), { recursive: true });
    writeFileSync(join(dir, "node_modules", "pkg", "x.yaml"), "not: [policy\n");
    writeFileSync(join(dir, "b", "c", "z.yml"), GROUP);
    writeFileSync(join(dir, "a.yaml"), GROUP);
    writeFileSync(join(dir, "b", "notes.txt"), "not policy");
    writeFileSync(join(dir, ".github", "ci.yaml"), "on: push\n");
    const listing = await listPolicyFiles(dir);
    expect(listing.files.map((f) => f.path)).toEqual([`${dir}/a.yaml`, `${dir}/b/c/z.yml`]);
    expect(listing.fileCount).toBe(2);
  });

  it("refuses a directory with no policy files (PPG113), a warning only with allowEmpty", async () => {
    const refused = await loadDirectory(dir);
    expect(refused.diagnostics.map((d) => [d.code, d.severity])).toEqual([["PPG113", "error"]]);
    expect(refused.diagnostics[0]?.message).toMatch(/--allow-empty/);
    const allowed = await loadDirectory(dir, {}, { allowEmpty: true });
    expect(allowed.diagnostics).toEqual([expect.objectContaining({ code: "PPG113", severity: "warning" })]);
    expect(hasErrors(allowed.diagnostics)).toBe(false);
  });

  it("refuses files that hold no documents at all (only comments) as an empty directory", async () => {
    writeFileSync(join(dir, "placeholder.yaml"), "# nothing yet\n");
    const result = await loadDirectory(dir);
    expect(result.diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ["PPG114", "warning"],
      ["PPG113", "error"],
    ]);
    expect(result.diagnostics[1]?.message).toMatch(/holds no policy documents in its 1 file/);
  });

  it("refuses a YAML alias bomb quickly", () => {
    const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (let level = 1; level < 12; level += 1) {
      const name = String.fromCharCode(97 + level);
      const previous = String.fromCharCode(96 + level);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
    }
    // Refused before any expansion (an expanding parser would run out of time or memory here).
    const parsed = parsePolicyFile({ path: "bomb.yaml", text: `${levels.join("\n")}\n` });
    expect(parsed.diagnostics.map((d) => d.code)).toEqual(["PPG104"]);
    expect(parsed.documents).toEqual([]);
  });

  it("refuses custom and YAML 1.1 tags even under a %YAML 1.1 directive", () => {
    const parsed = parsePolicyFile({
      path: "tags.yaml",
      text: "%YAML 1.1\n---\na: !!binary aGk=\nb: !!set {x, y}\nc: !!str 3\nd: !ruby/object:Foo {}\n",
    });
    expect(parsed.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ["PPG103", 3],
      ["PPG103", 4],
      ["PPG103", 6],
    ]);
    expect(parsed.documents[0]!.clean).toBe(false);
  });

  // Its speed is bench/validate.mjs's to measure (timed assertions fail on a loaded machine).
  it("checks a mapping with tens of thousands of keys", () => {
    const keys = Array.from({ length: 50_000 }, (_, index) => `k${index}: v`);
    const full = parsePolicyFile(
      { path: "keys.yaml", text: [...keys, "k7: again"].join("\n") },
      { fastPath: false },
    );
    expect(full.diagnostics.map((d) => [d.code, d.line, d.message])).toEqual([
      ["PPG102", 50_001, "duplicate key 'k7': keys must be unique within a mapping"],
    ]);
  });

  it("reports the first syntax errors of a document, not thousands", () => {
    const parsed = parsePolicyFile({ path: "broken.yaml", text: "a: [\n".repeat(2000) });
    expect(parsed.diagnostics.length).toBeLessThanOrEqual(11);
    expect(parsed.diagnostics.at(-1)!.message).toMatch(/more syntax errors not shown/);
  });

  it("survives deep nesting with a diagnostic or a value, never an exception", () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    expect(() => parsePolicyFile({ path: "deep.yaml", text: `a: ${deep}\n` })).not.toThrow();
  });
});

describe("special files", () => {
  it("refuses a FIFO named like a policy file instead of hanging on it", async () => {
    const root = mkdtempSync(join(tmpdir(), "ppgov-fifo-"));
    try {
      execFileSync("mkfifo", [join(root, "pipe.yaml")]);
      writeFileSync(join(root, "ok.yaml"), GROUP);
      const listing = await listPolicyFiles(".", { cwd: root });
      expect(listing.files.map((f) => f.path)).toEqual(["ok.yaml"]);
      expect(listing.diagnostics).toEqual([
        expect.objectContaining({ code: "PPG100", file: "pipe.yaml", message: "is not a regular file" }),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
