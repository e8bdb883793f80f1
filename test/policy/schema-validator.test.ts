import { describe, expect, it } from "vitest";
import { readPolicySchemas } from "../../src/adapters/fs/policy-schemas.js";
import type { Diagnostic } from "../../src/core/diagnostics.js";
import { parsePolicyFile } from "../../src/core/policy/parse-yaml.js";
import { schemaDiagnostics } from "../../src/core/policy/schema-diagnostics.js";
import {
  compilePolicyValidator,
  type PolicyValidator,
  type SchemaError,
} from "../../src/core/policy/schema-validator.js";
import { validatePolicyFiles } from "../../src/core/policy/validate-policies.js";
import { testValidator } from "./load.js";

const document = parsePolicyFile({
  path: "d.yaml",
  text: "apiVersion: ppgov/v1\nkind: Environment\nmetadata:\n  name: x\nspec:\n  choice: 3\n",
}).documents[0]!;

function error(partial: Partial<SchemaError> & Pick<SchemaError, "keyword">): SchemaError {
  return { instancePath: "", schemaPath: "#", params: {}, ...partial };
}

describe("policy schemas", () => {
  it("compile under ajv strict mode and cover every kind", () => {
    const schemas = readPolicySchemas();
    expect(schemas.map((s) => s.$id)).toContain("https://ppgov.dev/schemas/v1/policy.schema.json");
    expect(() => compilePolicyValidator(schemas, { full: true })).not.toThrow();
    expect(() => compilePolicyValidator(schemas)).not.toThrow();
  });

  it("refuses a schema that breaks the meta-schema when asked for the full check", () => {
    const broken = readPolicySchemas().map((s) =>
      String(s.$id).endsWith("/common.schema.json") ? { ...s, minProperties: "many" } : s,
    );
    expect(() => compilePolicyValidator(broken, { full: true })).toThrow();
  });

  it("reads the envelope and what it references, not other schemas in the folder", () => {
    const ids = readPolicySchemas().map((s) => String(s.$id).replace("https://ppgov.dev/schemas/v1/", ""));
    expect([...ids].sort()).toEqual([
      "billing-policy.schema.json",
      "common.schema.json",
      "dlp-policy.schema.json",
      "environment-group.schema.json",
      "environment.schema.json",
      "license-allocation.schema.json",
      "license-assignment.schema.json",
      "policy.schema.json",
      "tenant-isolation.schema.json",
      "tenant-settings.schema.json",
      "tenant.schema.json",
    ]);
  });

  it("refuses a schema set that lacks a kind", () => {
    const withoutTenant = readPolicySchemas().filter(
      (s) => !/\/(tenant|policy)\.schema\.json$/.test(String(s.$id)),
    );
    expect(() => compilePolicyValidator(withoutTenant)).toThrow(/no policy schema declares kind Tenant/);
    const withoutReferenced = readPolicySchemas().filter(
      (s) => !String(s.$id).endsWith("/tenant.schema.json"),
    );
    expect(() => compilePolicyValidator(withoutReferenced)).toThrow(/does not compile/);
  });

  it("validates every example a schema carries", () => {
    const validator = testValidator();
    for (const schema of readPolicySchemas()) {
      const kind = (schema.properties as { kind?: { const?: string } } | undefined)?.kind?.const;
      if (kind === undefined) continue;
      for (const example of (schema.examples as unknown[] | undefined) ?? []) {
        expect(validator.validate(kind as never, example)).toEqual([]);
      }
    }
  });
});

describe("schema errors as diagnostics", () => {
  const validator = testValidator();
  const messages = (errors: SchemaError[]): string[] =>
    schemaDiagnostics(errors, document, validator, "Environment/x").map(
      (d: Diagnostic) => `${d.code} ${d.message}`,
    );

  it("drops the if/then noise", () => {
    expect(messages([error({ keyword: "if", params: { failingKeyword: "then" } })])).toEqual([]);
  });

  it("collapses a oneOf and the errors of its branches into one diagnostic", () => {
    const errors = [
      error({
        keyword: "type",
        instancePath: "/spec/choice",
        schemaPath: "#/oneOf/0/type",
        params: { type: "string" },
      }),
      error({
        keyword: "type",
        instancePath: "/spec/choice",
        schemaPath: "#/oneOf/1/type",
        params: { type: "boolean" },
      }),
      error({
        keyword: "oneOf",
        instancePath: "/spec/choice",
        schemaPath: "#/oneOf",
        params: { passingSchemas: null },
      }),
    ];
    expect(messages(errors)).toEqual(["PPG210 spec.choice must match exactly one of the allowed forms"]);
  });

  it("falls back to PPG299 for keywords it has no sentence for, still naming the field", () => {
    const errors = [
      error({ keyword: "dependentRequired", instancePath: "/spec", message: "must have property b" }),
    ];
    const [diagnostic] = schemaDiagnostics(errors, document, validator, undefined);
    expect(diagnostic).toMatchObject({
      code: "PPG299",
      message: "spec must have property b",
      line: 5,
      column: 1,
    });
  });

  it("describes a value of a shared definition by the definition's description", () => {
    const errors = [
      error({
        keyword: "pattern",
        instancePath: "/spec/choice",
        params: { pattern: "^[A-Z]+$" },
        data: "abc",
        parentSchema: { title: "shout", description: "Upper-case letters only.", pattern: "^[A-Z]+$" },
      }),
    ];
    expect(messages(errors)).toEqual([
      "PPG207 spec.choice has the wrong format (got 'abc'); expected upper-case letters only",
    ]);
  });

  it("reports one diagnostic per problem, not one per keyword", () => {
    const errors = [
      error({
        keyword: "type",
        instancePath: "/spec/allocations/AppPass",
        params: { type: "integer" },
        data: -2.5,
      }),
      error({
        keyword: "minimum",
        instancePath: "/spec/allocations/AppPass",
        params: { limit: 0 },
        data: -2.5,
      }),
    ];
    const allocation = parsePolicyFile({
      path: "a.yaml",
      text: "apiVersion: ppgov/v1\nkind: LicenseAllocation\nmetadata: {name: a}\nspec:\n  environment: x\n  allocations:\n    AppPass: -2.5\n",
    }).documents[0]!;
    const diagnostics = schemaDiagnostics(errors, allocation, validator, "LicenseAllocation/a");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: "PPG308",
      message: "spec.allocations.AppPass must be an integer ≥ 0 (got -2.5)",
      line: 7,
      column: 14,
      resource: "LicenseAllocation/a",
    });
  });

  it("PPG317: Copilot credits are refused at their key, naming the API that takes them", () => {
    const result = validatePolicyFiles(
      [
        {
          path: "credits.yaml",
          text: "apiVersion: ppgov/v1\nkind: LicenseAllocation\nmetadata: {name: lab}\nspec:\n  environment: default\n  allocations:\n    AppPass: 1\n    MCSMessages: 5000\n",
        },
      ],
      validator,
    );
    expect(result.diagnostics.map((d) => [d.code, d.severity, d.file, d.line])).toEqual([
      ["PPG317", "error", "credits.yaml", 8],
    ]);
    expect(result.diagnostics[0]!.message).toContain("allocationsV2 API");
  });

  it("reports an invalid map key at the key", () => {
    const result = validatePolicyFiles(
      [
        {
          path: "k.yaml",
          text: "apiVersion: ppgov/v1\nkind: DlpPolicy\nmetadata: {name: k}\nspec:\n  displayName: K\n  scope: {all: true}\n  defaultGroup: blocked\n  connectorRules:\n    bad name:\n      actions: {default: allow}\n",
        },
      ],
      validator,
    );
    expect(result.diagnostics.map((d) => [d.code, d.line, d.column, d.message])).toEqual([
      [
        "PPG207",
        9,
        5,
        "spec.connectorRules has an invalid key 'bad name': keys must be a connector id such as shared_sql (letters, digits, '_', '.' and '-')",
      ],
    ]);
  });
});

describe("the pipeline", () => {
  it("turns an unexpected exception into a PPG112 naming the file, and goes on", () => {
    const exploding: PolicyValidator = {
      validate: () => {
        throw new Error("boom");
      },
      definitionName: () => undefined,
    };
    const result = validatePolicyFiles(
      [
        { path: "a.yaml", text: "apiVersion: ppgov/v1\nkind: Tenant\nmetadata: {name: t}\nspec: {}\n" },
        { path: "b.yaml", text: "- not a mapping\n" },
      ],
      exploding,
    );
    expect(result.diagnostics.map((d) => [d.code, d.file, d.line])).toEqual([
      ["PPG112", "a.yaml", 1],
      ["PPG109", "b.yaml", 1],
    ]);
    expect(result.diagnostics[0]!.message).toContain("boom");
  });

  it("does not report references to documents that already have a diagnostic", () => {
    const result = validatePolicyFiles(
      [
        {
          path: "e.yaml",
          text: "apiVersion: ppgov/v1\nkind: Environment\nmetadata: {name: broken}\nspec: {displayName: B, location: europe, type: Prod}\n---\napiVersion: ppgov/v1\nkind: LicenseAllocation\nmetadata: {name: a}\nspec: {environment: broken, allocations: {AI: 1}}\n",
        },
      ],
      validator(),
    );
    expect(result.diagnostics.map((d) => d.code)).toEqual(["PPG205"]);
    expect(result.documents.map((d) => d.document.kind)).toEqual(["LicenseAllocation"]);
  });
});

function validator(): PolicyValidator {
  return testValidator();
}
