import { LineCounter, parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { locatePointer, type KeyIndex } from "../../src/core/policy/locate.js";

function parse(text: string) {
  const lineCounter = new LineCounter();
  return { document: parseDocument(text, { lineCounter, uniqueKeys: false }), lineCounter };
}

describe("locatePointer with a shared key index", () => {
  it("finds each of thousands of keys of one mapping on its own line", () => {
    const lines = ["spec:"];
    for (let i = 0; i < 5000; i += 1) lines.push(`  k${i}: ${i}`);
    const { document, lineCounter } = parse(lines.join("\n"));
    const index: KeyIndex = new WeakMap();
    for (const i of [0, 1, 2500, 4999])
      expect(locatePointer(document, lineCounter, `/spec/k${i}`, "key", index)).toEqual({
        line: i + 2,
        column: 3,
      });
  });

  it("lands on the first of duplicate keys and on the ancestor of a missing one, as before", () => {
    const { document, lineCounter } = parse("spec:\n  a: 1\n  b:\n    c: 2\n  a: 3\n");
    const index: KeyIndex = new WeakMap();
    expect(locatePointer(document, lineCounter, "/spec/a", "value", index)).toEqual({ line: 2, column: 6 });
    expect(locatePointer(document, lineCounter, "/spec/b/c", "value", index)).toEqual({ line: 4, column: 8 });
    expect(locatePointer(document, lineCounter, "/spec/b/zz", "value", index)).toEqual({
      line: 3,
      column: 3,
    });
  });
});
