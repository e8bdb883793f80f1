import fc from "fast-check";
import jsonPatch from "fast-json-patch";
import { describe, expect, it } from "vitest";
import type { Json } from "../../src/core/kinds/json.js";
import { changedPaths, type DiffRules } from "../../src/core/plan/diff.js";

const NO_RULES: DiffRules = { partialPaths: [], atomicPaths: [], ignorePaths: [], ignoreWhenLiveAbsent: [] };

/** A value and a copy of it with, sometimes, one small change somewhere. */
const pair = fc.jsonValue({ maxDepth: 4 }).chain((value) =>
  fc.oneof(
    fc.constant([value, structuredClone(value)] as const),
    fc.jsonValue({ maxDepth: 4 }).map((other) => [value, other] as const),
    fc.constant([
      value,
      JSON.parse(JSON.stringify(value).replace(/[0-9]/, "7").replace(/"a/, '"b')),
    ] as const),
  ),
);

describe("changedPaths' shortcut for unchanged values", () => {
  it("reports no change exactly when the full comparison finds no operation", () => {
    fc.assert(
      fc.property(pair, ([before, after]) => {
        const objects =
          typeof before === "object" && before !== null && typeof after === "object" && after !== null;
        fc.pre(objects);
        const paths = changedPaths(before as Json, after as Json, NO_RULES);
        const operations = jsonPatch.compare(before as object, after as object);
        expect(paths.length === 0).toBe(operations.length === 0);
      }),
      { numRuns: 400 },
    );
  });

  it("finds a change deep inside an otherwise equal canonical form", () => {
    const before = {
      connectors: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`c${i}`, "business"])),
    };
    const after = structuredClone(before);
    after.connectors.c42 = "blocked";
    expect(changedPaths(before, after, NO_RULES).map((entry) => entry.path)).toEqual(["/connectors/c42"]);
    expect(changedPaths(before, structuredClone(before), NO_RULES)).toEqual([]);
  });
});
