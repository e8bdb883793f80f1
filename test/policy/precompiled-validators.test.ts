import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createPolicyValidator, readPolicySchemas } from "../../src/adapters/fs/policy-schemas.js";
import { precompiledValidatorsSource } from "../../src/adapters/fs/schema-precompile.js";
import type { PolicyFile } from "../../src/core/policy/parse-yaml.js";
import { validatePolicyFiles } from "../../src/core/policy/validate-policies.js";
import { moduleScratchDir } from "../helpers/module-scratch-dir.js";
import { repoRoot } from "../helpers/run-cli.js";

const work = moduleScratchDir("ppgov-precompiled-");

const precompiledPath = join(work, "validators.cjs");
writeFileSync(precompiledPath, precompiledValidatorsSource(readPolicySchemas()));
const precompiled = createPolicyValidator({ precompiledPath });
const compiled = createPolicyValidator({ precompiledPath: false });

/** Every YAML file of a fixture directory, as the loader would be handed them. */
function filesOf(dir: string): PolicyFile[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => ({ path: name, text: readFileSync(join(dir, name), "utf8") }));
}

describe("validators precompiled at build time", () => {
  it("are used when built from the same schemas", () => {
    expect(precompiled.origin).toBe("precompiled");
    expect(compiled.origin).toBe("compiled");
  });

  const fixtures = join(repoRoot, "test", "fixtures", "policies");
  const directories = ["valid", "invalid"].flatMap((group) =>
    readdirSync(join(fixtures, group)).map((name) => join(group, name)),
  );
  it.each(directories)("give the same findings as compiling on %s", (directory) => {
    const files = filesOf(join(fixtures, directory));
    const fromBuild = validatePolicyFiles(files, precompiled);
    const fromCompile = validatePolicyFiles(files, compiled);
    expect(fromBuild.diagnostics).toEqual(fromCompile.diagnostics);
    expect(fromBuild.documents.length).toBe(fromCompile.documents.length);
  });

  it("give schema findings in the invalid fixtures, so the comparison above compares something", () => {
    const schemaFindings = directories
      .filter((directory) => directory.startsWith("invalid"))
      .flatMap(
        (directory) => validatePolicyFiles(filesOf(join(fixtures, directory)), precompiled).diagnostics,
      )
      .filter((diagnostic) => /^PPG2\d\d$/.test(diagnostic.code));
    expect(schemaFindings.length).toBeGreaterThan(20);
    // Messages that name a shared definition (found by content in the precompiled errors).
    expect(schemaFindings.some((diagnostic) => diagnostic.message.includes("must be a"))).toBe(true);
  });

  it("are not used for other schemas: edited after the build, or another directory", () => {
    const edited = join(work, "schemas");
    cpSync(join(repoRoot, "schemas"), edited, { recursive: true });
    const commonPath = join(edited, "common.schema.json");
    const common = JSON.parse(readFileSync(commonPath, "utf8")) as {
      $defs: { connectorName: { maxLength: number } };
    };
    common.$defs.connectorName.maxLength = 20;
    writeFileSync(commonPath, JSON.stringify(common, null, 2));
    const validator = createPolicyValidator({ schemaDir: edited, precompiledPath });
    expect(validator.origin).toBe("compiled");
    const long = { business: ["shared_a_connector_name_of_30_chars"] };
    const document = {
      apiVersion: "ppgov/v1",
      kind: "DlpPolicy",
      metadata: { name: "p" },
      spec: { displayName: "P", scope: { all: true }, defaultGroup: "business", connectors: long },
    };
    expect(validator.validate("DlpPolicy", document).map((error) => error.keyword)).toContain("maxLength");
    expect(precompiled.validate("DlpPolicy", document)).toEqual([]);
  });

  it("are not used when the file cannot be loaded", () => {
    const broken = join(work, "broken.cjs");
    writeFileSync(broken, "this is not JavaScript (");
    expect(createPolicyValidator({ precompiledPath: broken }).origin).toBe("compiled");
    expect(createPolicyValidator({ precompiledPath: join(work, "missing.cjs") }).origin).toBe("compiled");
  });
});
