import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSchemaPath, parseKinds, writeExportDirectory } from "../../src/cli/commands/export.js";
import { repoRoot } from "../helpers/run-cli.js";

describe("writing the export directory", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "ppgov-export-write-"));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const files = [
    { path: "tenant.yaml", text: "kind: Tenant\n" },
    { path: "dlp/baseline.yaml", text: "kind: DlpPolicy\n" },
  ];

  it("creates a new directory whole, leaving no staging directory behind", async () => {
    const target = join(root, "fresh", "policies");
    await writeExportDirectory(target, files, false);
    expect((await readdir(target)).sort()).toEqual(["dlp", "tenant.yaml"]);
    expect(await readFile(join(target, "dlp", "baseline.yaml"), "utf8")).toBe("kind: DlpPolicy\n");
    expect(await readdir(join(root, "fresh"))).toEqual(["policies"]);
  });

  it("replacing removes every old policy file but keeps other files and hidden folders", async () => {
    const target = join(root, "existing");
    await mkdir(join(target, "environments", "old"), { recursive: true });
    await mkdir(join(target, ".github"), { recursive: true });
    await writeFile(join(target, "environments", "old", "stale.yml"), "stale\n");
    await writeFile(join(target, "tenant.yaml"), "old tenant\n");
    await writeFile(join(target, "README.md"), "keep\n");
    await writeFile(join(target, ".github", "workflow.yaml"), "keep\n");
    await writeExportDirectory(target, files, true);
    expect((await readdir(target)).sort()).toEqual([".github", "README.md", "dlp", "tenant.yaml"]);
    expect(await readFile(join(target, "tenant.yaml"), "utf8")).toBe("kind: Tenant\n");
    expect(await readFile(join(target, ".github", "workflow.yaml"), "utf8")).toBe("keep\n");
    expect((await readdir(root)).filter((name) => name.startsWith("."))).toEqual([]);
  });

  it("writes hundreds of files in many folders, each whole, into a new and an existing directory", async () => {
    const many = Array.from({ length: 300 }, (_, i) => ({
      path: `environments/team-${i % 7}/env-${i}.yaml`,
      text: `kind: Environment\nname: env-${i}\n${"x".repeat(i * 10)}\n`,
    }));
    for (const target of [join(root, "many-new"), join(root, "many-existing")]) {
      if (target.endsWith("existing")) await mkdir(join(target, "environments"), { recursive: true });
      await writeExportDirectory(target, many, true);
      for (const file of many) expect(await readFile(join(target, file.path), "utf8")).toBe(file.text);
      expect((await readdir(join(target, "environments"))).length).toBe(7);
    }
    expect((await readdir(root)).filter((name) => name.startsWith("."))).toEqual([]);
  });

  it("a file that cannot be written fails the export and leaves no staging directory", async () => {
    const clash = [
      { path: "dlp", text: "a file where a folder must go\n" },
      { path: "dlp/baseline.yaml", text: "kind: DlpPolicy\n" },
    ];
    await expect(writeExportDirectory(join(root, "clash"), clash, false)).rejects.toThrow();
    expect((await readdir(root)).filter((name) => name.startsWith(".") || name === "clash")).toEqual([]);
  });

  it("finds the repository's schema, or an installed package's, relative to the export directory", async () => {
    expect(findSchemaPath(join(repoRoot, "exported"))).toBe("../schemas/policy.schema.json");
    const project = join(root, "project");
    await mkdir(join(project, "node_modules", "ppgov", "schemas"), { recursive: true });
    await writeFile(join(project, "node_modules", "ppgov", "schemas", "policy.schema.json"), "{}");
    expect(findSchemaPath(join(project, "gitops", "policies"))).toBe(
      "../../node_modules/ppgov/schemas/policy.schema.json",
    );
    expect(findSchemaPath(join(root, "elsewhere", "policies"))).toBeUndefined();
  });

  it("reads --kinds case-insensitively and always keeps the Tenant document", () => {
    expect(parseKinds("dlppolicy, Environment")).toEqual(["Tenant", "Environment", "DlpPolicy"]);
    expect(parseKinds(undefined)).toBeUndefined();
    expect(() => parseKinds("Environments")).toThrow('--kinds: unknown kind "Environments"');
  });
});
