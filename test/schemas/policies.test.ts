import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type {
  BillingPolicyDocument,
  DlpPolicyDocument,
  EnvironmentDocument,
  LicenseAllocationDocument,
  PolicyDocument,
} from "../../src/core/policy/types.js";
import { compileSchemas, meaningfulErrors, POLICY_DIR, REPO_ROOT } from "./schema-set.js";

interface ParsedFile {
  file: string;
  text: string;
  documents: unknown[];
}

function listYamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listYamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

function parsePolicies(): ParsedFile[] {
  return listYamlFiles(POLICY_DIR)
    .sort()
    .map((path) => {
      const text = readFileSync(path, "utf8");
      const parsed = parseAllDocuments(text, { prettyErrors: true });
      if (!Array.isArray(parsed)) throw new Error(`${path}: not a YAML stream`);
      for (const doc of parsed) {
        if (doc.errors.length > 0 || doc.warnings.length > 0) {
          throw new Error(`${path}: ${[...doc.errors, ...doc.warnings].map((e) => e.message).join("; ")}`);
        }
      }
      return { file: relative(REPO_ROOT, path), text, documents: parsed.map((doc) => doc.toJS() as unknown) };
    });
}

describe("the example governance repository (policies/)", () => {
  const files = parsePolicies();
  const { validatePolicy } = compileSchemas();
  const documents = files.flatMap((f) =>
    f.documents.map((document, index) => ({ file: f.file, index, document })),
  );

  it.each(documents)("$file document $index is valid", ({ document }) => {
    const valid = validatePolicy(document);
    expect(meaningfulErrors(validatePolicy.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  // From here on every document passed the schema, so it has the shape of types.ts.
  const valid = documents.map((d) => d.document as PolicyDocument);
  const ofKind = <K extends PolicyDocument["kind"]>(kind: K): Extract<PolicyDocument, { kind: K }>[] =>
    valid.filter((d): d is Extract<PolicyDocument, { kind: K }> => d.kind === kind);

  it.each(files)(
    "$file starts with the yaml-language-server schema line pointing at policy.schema.json",
    (f) => {
      const depth = f.file.split("/").length - 2;
      expect(f.text.split("\n")[0]).toBe(
        `# yaml-language-server: $schema=${"../".repeat(depth + 1)}schemas/policy.schema.json`,
      );
    },
  );

  it("covers what the issue asks for", () => {
    const environments = ofKind("Environment");
    const types = new Set(environments.map((e) => e.spec.type));
    expect(ofKind("Tenant")).toHaveLength(1);
    expect(environments.length).toBeGreaterThanOrEqual(4);
    expect(environments.length).toBeLessThanOrEqual(6);
    expect([...types].sort()).toEqual(expect.arrayContaining(["Developer", "Production", "Sandbox"]));
    expect(
      environments.some((e) => e.spec.dataverse?.language === 1033 && e.spec.dataverse.currency === "USD"),
    ).toBe(true);
    expect(
      environments.some(
        (e) => e.spec.managed?.enabled === true && e.spec.managed.maxShareLimit !== undefined,
      ),
    ).toBe(true);
    const groupSizes = new Map<string, number>();
    for (const e of environments)
      if (e.spec.group) groupSizes.set(e.spec.group, (groupSizes.get(e.spec.group) ?? 0) + 1);
    expect([...groupSizes.values()].some((n) => n >= 2)).toBe(true);

    const scopes = ofKind("DlpPolicy").map((p) => Object.keys(p.spec.scope)[0]);
    expect(scopes).toHaveLength(3);
    expect(scopes).toEqual(expect.arrayContaining(["all", "only", "except"]));
    expect(ofKind("LicenseAllocation").length).toBeGreaterThanOrEqual(1);
    expect(ofKind("LicenseAssignment")).toHaveLength(1);
    expect(ofKind("BillingPolicy")).toHaveLength(1);
    expect(files.some((f) => f.documents.length > 1)).toBe(true);
  });

  it("every env ref names an Environment document or the default environment", () => {
    const names = new Set(ofKind("Environment").map((e) => e.metadata.name));
    const refs = [
      ...ofKind("DlpPolicy").flatMap((p: DlpPolicyDocument) => {
        const scope = p.spec.scope;
        return "only" in scope ? scope.only : "except" in scope ? scope.except : [];
      }),
      ...ofKind("LicenseAllocation").map((a: LicenseAllocationDocument) => a.spec.environment),
      ...ofKind("BillingPolicy").flatMap((b: BillingPolicyDocument) => b.spec.environments ?? []),
    ];
    expect(refs.length).toBeGreaterThan(5);
    expect(refs.filter((ref) => ref !== "default" && !names.has(ref))).toEqual([]);
  });

  it("every environment group ref names an EnvironmentGroup document", () => {
    const groups = new Set(ofKind("EnvironmentGroup").map((g) => g.metadata.name));
    const refs = ofKind("Environment").flatMap((e: EnvironmentDocument) =>
      e.spec.group ? [e.spec.group] : [],
    );
    expect(refs.length).toBeGreaterThanOrEqual(2);
    expect(refs.filter((ref) => !groups.has(ref))).toEqual([]);
  });

  it("names and display names are unique per kind", () => {
    for (const key of [
      (d: PolicyDocument) => d.metadata.name,
      (d: PolicyDocument) => ("displayName" in d.spec ? d.spec.displayName : d.metadata.name),
    ]) {
      const seen = valid.map((d) => `${d.kind}/${key(d)}`);
      expect(seen.filter((k, i) => seen.indexOf(k) !== i)).toEqual([]);
    }
  });

  it("DLP rule lists end with the catch-all and no connector sits in two groups", () => {
    for (const policy of ofKind("DlpPolicy")) {
      for (const rules of Object.values(policy.spec.connectorRules ?? {})) {
        const last = rules.endpoints?.at(-1);
        if (last) expect(Object.values(last)).toEqual(["*"]);
      }
      const patterns = policy.spec.customConnectorUrlPatterns;
      if (patterns) expect(patterns.at(-1)?.pattern).toBe("*");
      const listed = Object.values(policy.spec.connectors ?? {}).flat();
      expect(listed.filter((c, i) => listed.indexOf(c) !== i)).toEqual([]);
    }
  });
});
