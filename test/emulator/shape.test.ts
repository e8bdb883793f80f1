import { describe, expect, it } from "vitest";
import { compareShape } from "./shape.js";

describe("compareShape", () => {
  it("accepts extra keys and different values, flags missing keys and type changes", () => {
    expect(compareShape({ a: 1, b: { c: "x" } }, { a: 2, b: { c: "y", d: true }, e: null })).toEqual([]);
    expect(compareShape({ a: 1, b: { c: "x" } }, { a: "1", b: {} })).toEqual([
      { path: "$.a", problem: "expected number, got string" },
      { path: "$.b.c", problem: "missing" },
    ]);
  });

  it("compares arrays by element shape and treats a recorded null as any type", () => {
    expect(compareShape([{ id: "a" }, { id: "b", n: 1 }], [{ id: "z", n: 5 }])).toEqual([]);
    expect(compareShape([{ id: "a", extra: [1] }], [{ id: "z" }])).toEqual([
      { path: "$[].extra", problem: "missing" },
    ]);
    expect(compareShape([{ id: "a" }], [])).toEqual([
      { path: "$[]", problem: "recording has elements, answer is empty" },
    ]);
    expect(compareShape({ m: null }, { m: { x: 1 } })).toEqual([]);
    expect(compareShape({ m: null }, {})).toEqual([{ path: "$.m", problem: "missing" }]);
  });

  it("skips listed exceptions", () => {
    const exceptions = [{ path: "$.params", reason: "a map keyed by connector-specific names" }];
    expect(compareShape({ params: { token: {} } }, { params: { api_key: {} } }, exceptions)).toEqual([]);
  });
});
