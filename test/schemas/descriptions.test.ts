import { describe, expect, it } from "vitest";
import { isRecord, readSchemaFiles } from "./schema-set.js";

/** Keywords whose value is a map of named subschemas a user (or a reference) can land on. */
const NAMED_SUBSCHEMAS = ["properties", "$defs"] as const;
/** Keywords whose value is one subschema describing user-written values. */
const DESCRIBED_SUBSCHEMAS = ["items", "additionalProperties"] as const;
/**
 * Combinators walked through without asking for a description of their own. `if` and `propertyNames`
 * are not walked: they only restate a field (`kind`) or check map keys, and editors show no hover there.
 */
const PLUMBING = ["allOf", "then"] as const;

function describedText(node: unknown): string {
  return isRecord(node) && typeof node.description === "string" ? node.description.trim() : "";
}

/** Paths of every property, definition, item and map-value schema that has no description. */
function undescribed(schema: unknown): string[] {
  const missing: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (!isRecord(node)) return;
    for (const keyword of NAMED_SUBSCHEMAS) {
      const children = node[keyword];
      if (!isRecord(children)) continue;
      for (const [name, child] of Object.entries(children)) {
        const childPath = `${path}/${keyword}/${name}`;
        if (describedText(child).length < 10) missing.push(childPath);
        visit(child, childPath);
      }
    }
    for (const keyword of DESCRIBED_SUBSCHEMAS) {
      const child = node[keyword];
      if (!isRecord(child)) continue;
      if (describedText(child).length < 10) missing.push(`${path}/${keyword}`);
      visit(child, `${path}/${keyword}`);
    }
    for (const keyword of PLUMBING) {
      const child = node[keyword];
      if (Array.isArray(child)) child.forEach((c, i) => visit(c, `${path}/${keyword}/${i}`));
      else visit(child, `${path}/${keyword}`);
    }
  };
  visit(schema, "");
  return missing;
}

describe("descriptions (hover help in editors)", () => {
  it.each(readSchemaFiles())("every property of $file has a description", ({ schema }) => {
    expect(describedText(schema).length).toBeGreaterThan(20);
    expect(undescribed(schema)).toEqual([]);
  });

  it("the walker finds a property without a description", () => {
    const schema = {
      type: "object",
      properties: {
        spec: { type: "object", description: "Desired state.", properties: { colour: { type: "string" } } },
      },
    };
    expect(undescribed(schema)).toEqual(["/properties/spec/properties/colour"]);
  });

  it("the walker looks inside array items and map values", () => {
    const schema = {
      description: "A thing with a list.",
      type: "object",
      properties: {
        list: { description: "A list of things.", type: "array", items: { type: "string" } },
        map: { description: "A map of things.", type: "object", additionalProperties: { type: "integer" } },
      },
    };
    expect(undescribed(schema)).toEqual(["/properties/list/items", "/properties/map/additionalProperties"]);
  });
});
