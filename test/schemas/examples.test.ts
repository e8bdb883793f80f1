import { describe, expect, it } from "vitest";
import { compileSchemas, isRecord, meaningfulErrors, pointerSegment, readSchemaFiles } from "./schema-set.js";

interface ExampleCase {
  label: string;
  /** Absolute URI of the subschema that carries the example, e.g. …/common.schema.json#/$defs/guid. */
  schemaRef: string;
  example: unknown;
}

/** Every `examples` entry anywhere in the schema tree, with the subschema it belongs to. */
function collectExamples(): ExampleCase[] {
  const cases: ExampleCase[] = [];
  for (const { file, schema } of readSchemaFiles()) {
    const visit = (node: unknown, pointer: string): void => {
      if (Array.isArray(node)) {
        node.forEach((child, i) => visit(child, `${pointer}/${i}`));
        return;
      }
      if (!isRecord(node)) return;
      const examples = node.examples;
      if (Array.isArray(examples)) {
        examples.forEach((example, i) =>
          cases.push({
            label: `${file}#${pointer} example ${i}`,
            schemaRef: `${String(schema.$id)}#${pointer}`,
            example,
          }),
        );
      }
      for (const [key, child] of Object.entries(node)) {
        // `examples`, `enum` and `const` hold data, not subschemas.
        if (key === "examples" || key === "enum" || key === "const" || key === "default") continue;
        visit(child, `${pointer}/${pointerSegment(key)}`);
      }
    };
    visit(schema, "");
  }
  return cases;
}

describe("examples in the schemas", () => {
  const cases = collectExamples();
  const { ajv } = compileSchemas();

  it("exist at the root of every kind schema and in the shared definitions", () => {
    const roots = cases.filter((c) => c.schemaRef.endsWith("#")).map((c) => c.schemaRef);
    expect(new Set(roots).size).toBe(10);
    expect(cases.filter((c) => c.schemaRef.includes("common.schema.json#/$defs/")).length).toBeGreaterThan(
      10,
    );
  });

  it.each(cases)("$label validates against its own subschema", ({ schemaRef, example }) => {
    const validate = ajv.getSchema(schemaRef);
    expect(validate, `ajv cannot resolve ${schemaRef}`).toBeDefined();
    const valid = validate!(example);
    expect(meaningfulErrors(validate!.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it("a wrong example would be caught", () => {
    const validate = ajv.getSchema("https://ppgov.dev/schemas/v1/common.schema.json#/$defs/envRef")!;
    expect(validate("Contoso Production")).toBe(false);
  });
});
