import { readFileSync } from "node:fs";
import fc from "fast-check";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { readPolicySchemas } from "../../src/adapters/fs/policy-schemas.js";
import { compilePolicyValidator, referenceResolver } from "../../src/core/policy/schema-validator.js";
import { findStringLists, withCheckedListsEmptied } from "../../src/core/policy/string-lists.js";

const schemas = readPolicySchemas();
const withLists = compilePolicyValidator(schemas);
const ajvOnly = compilePolicyValidator(schemas, { checkStringLists: false });

/** Resolves references among the shipped schemas, as the validator does. */
const resolve = referenceResolver(schemas);

function listsOf(kind: string): string[] {
  const schema = schemas.find(
    (candidate) => (candidate.properties as { kind?: { const?: string } } | undefined)?.kind?.const === kind,
  )!;
  return findStringLists(schema, resolve).map((check) => check.path.join("."));
}

describe("string lists checked before ajv", () => {
  it("are found where the shipped schemas say only 'unique strings of this form'", () => {
    expect(listsOf("DlpPolicy")).toEqual([
      "spec.connectors.business",
      "spec.connectors.nonBusiness",
      "spec.connectors.blocked",
    ]);
    expect(listsOf("Environment")).toEqual(["spec.managed.solutionCheckerRuleOverrides"]);
    expect(listsOf("Tenant")).toEqual(["spec.ignore"]);
    expect(listsOf("LicenseAllocation")).toEqual([]);
  });

  const item = { type: "string", minLength: 1, maxLength: 3, pattern: "^[a-z]+$" };
  const root = (list: Record<string, unknown>, container: Record<string, unknown> = {}) => ({
    $id: "https://example.test/x.schema.json",
    type: "object",
    properties: { spec: { type: "object", properties: { names: list }, ...container } },
  });
  it.each<[string, Record<string, unknown>]>([
    ["a list with minItems", root({ type: "array", minItems: 1, items: item })],
    ["a list with contains", root({ type: "array", items: item, contains: { const: "a" } })],
    ["items with an enum", root({ type: "array", items: { ...item, enum: ["a"] } })],
    ["items that need not be strings", root({ type: "array", items: { minLength: 1 } })],
    ["items of two types", root({ type: "array", items: { type: ["string", "null"] } })],
    ["an unresolved reference", root({ type: "array", items: { $ref: "missing.json#/x" } })],
    [
      "a container that looks at values (if/then)",
      root({ type: "array", items: item }, { if: { required: ["names"] }, then: {} }),
    ],
  ])("are not found in %s", (_name, schema) => {
    expect(findStringLists(schema, () => undefined)).toEqual([]);
  });

  it("check length in code points and the pattern as ajv does (unicode)", () => {
    const [check] = findStringLists(
      root({
        type: "array",
        uniqueItems: true,
        items: { type: "string", minLength: 2, maxLength: 2, pattern: "^.+$" },
      }),
      () => undefined,
    );
    expect(check!.accepts(["ab", "\u{1F600}\u{1F600}"])).toBe(true);
    expect(check!.accepts(["\u{1F600}"])).toBe(false);
    expect(check!.accepts(["abc"])).toBe(false);
    expect(check!.accepts(["ab", "ab"])).toBe(false);
    expect(check!.accepts(["ab", 12])).toBe(false);
    expect(check!.accepts("ab")).toBe(false);
  });

  it("empty only the lists that pass, copying the objects on the way", () => {
    const [check] = findStringLists(root({ type: "array", items: item }), () => undefined);
    const good = { spec: { names: ["ab"], other: 1 } };
    const emptied = withCheckedListsEmptied(good, [check!]);
    expect(emptied).toEqual({ spec: { names: [], other: 1 } });
    expect(good.spec.names).toEqual(["ab"]);
    const bad = { spec: { names: ["AB"] } };
    expect(withCheckedListsEmptied(bad, [check!])).toBe(bad);
  });

  const sample = parse(readFileSync("policies/dlp/corp-baseline.yaml", "utf8")) as {
    spec: Record<string, unknown>;
  };
  // Mostly valid names (repeats included), so that a list's own mistakes are often the only ones.
  const name = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom("shared_sql", "shared_office365", "Http", "a", "shared.x-y_1") },
    { weight: 1, arbitrary: fc.constantFrom("", "_x", "-x", "with space", "é", "\u{1F600}") },
    { weight: 1, arbitrary: fc.constantFrom("x".repeat(200), "x".repeat(201), "\u{1F600}".repeat(101)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    { weight: 1, arbitrary: fc.constantFrom(1, null, true, ["shared_sql"], { name: "x" }) },
  );
  const list = fc.oneof(fc.array(name, { maxLength: 12 }), fc.constantFrom("shared_sql", null, {}));
  const corruption = fc.constantFrom<Record<string, unknown>>(
    {},
    {},
    { displayName: 42 },
    { defaultGroup: "secret" },
    { extra: true },
    { connectorRules: { "bad name": {} } },
  );

  it("give the same errors as ajv alone for any DLP document", () => {
    let invalid = 0;
    let listsOnly = 0;
    fc.assert(
      fc.property(
        fc.record({ business: list, nonBusiness: list, blocked: list }, { requiredKeys: [] }),
        corruption,
        (connectors, change) => {
          const document = { ...sample, spec: { ...sample.spec, connectors, ...change } };
          const expected = ajvOnly.validate("DlpPolicy", document);
          if (expected.length > 0) invalid += 1;
          if (
            expected.length > 0 &&
            expected.every((error) => error.instancePath.startsWith("/spec/connectors"))
          )
            listsOnly += 1;
          expect(withLists.validate("DlpPolicy", document)).toEqual(expected);
        },
      ),
      { numRuns: 1500 },
    );
    expect(invalid).toBeGreaterThan(100);
    // Documents whose only errors are in the lists: where emptying a list by mistake would show.
    expect(listsOnly).toBeGreaterThan(100);
  });

  it("accept the valid sample without asking ajv about its lists", () => {
    expect(withLists.validate("DlpPolicy", sample)).toEqual([]);
    expect(ajvOnly.validate("DlpPolicy", sample)).toEqual([]);
  });
});
