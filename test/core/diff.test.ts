import { describe, expect, it } from "vitest";
import {
  changedPaths,
  createdPaths,
  createOnlyReason,
  intendedState,
  type DiffRules,
} from "../../src/core/plan/diff.js";
import type { Json } from "../../src/core/kinds/json.js";

const rules = (overrides: Partial<DiffRules> = {}): DiffRules => ({
  partialPaths: [""],
  atomicPaths: [],
  ignorePaths: [],
  ignoreWhenLiveAbsent: [],
  ...overrides,
});

describe("intendedState: the unmanaged-field rule", () => {
  it("keeps live values of properties the document leaves out, inside partial objects only", () => {
    const live: Json = { a: 1, b: 2, nested: { x: 1, y: 2 }, whole: { p: 1, q: 2 } };
    const desiredForm: Json = { a: 9, nested: { x: 5 }, whole: { p: 1 } };
    expect(intendedState(live, desiredForm, ["", "/nested"])).toEqual({
      a: 9,
      b: 2,
      nested: { x: 5, y: 2 },
      whole: { p: 1 },
    });
  });

  it("takes the desired value whole when the live side is not an object", () => {
    expect(intendedState({ d: null }, { d: { lang: 1 } }, ["", "/d"])).toEqual({ d: { lang: 1 } });
  });
});

describe("changedPaths", () => {
  it("is empty for equal forms", () => {
    expect(changedPaths({ a: [1, 2], b: { c: "x" } }, { a: [1, 2], b: { c: "x" } }, rules())).toEqual([]);
  });

  it("reports each changed leaf with before and after, sorted by path", () => {
    expect(changedPaths({ b: 1, a: { x: 1 } }, { b: 2, a: { x: 1, y: 3 } }, rules())).toEqual([
      { path: "/a/y", after: 3 },
      { path: "/b", before: 1, after: 2 },
    ]);
  });

  it("reports a set or ordered list as one change", () => {
    expect(changedPaths({ ids: ["a", "b"] }, { ids: ["b", "c"] }, rules({ atomicPaths: ["/ids"] }))).toEqual([
      { path: "/ids", before: ["a", "b"], after: ["b", "c"] },
    ]);
    expect(
      changedPaths(
        { rules: { s: [1, 2] } },
        { rules: { s: [2, 1] } },
        rules({ atomicPaths: ["/rules/*"] }),
      ).map((c) => c.path),
    ).toEqual(["/rules/s"]);
  });

  it("drops ignored paths, and paths the live side does not report when so configured", () => {
    expect(
      changedPaths({ a: 1, b: 1 }, { a: 2, b: 2 }, rules({ ignorePaths: ["/a"] })).map((c) => c.path),
    ).toEqual(["/b"]);
    const unknownLive = rules({ ignoreWhenLiveAbsent: ["/currency"] });
    expect(changedPaths({}, { currency: "USD" }, unknownLive)).toEqual([]);
    expect(changedPaths({ currency: "EUR" }, { currency: "USD" }, unknownLive)).toHaveLength(1);
  });

  it("treats a placeholder as one value", () => {
    expect(changedPaths({ group: "g1" }, { group: { $ref: "EnvironmentGroup/x#id" } }, rules())).toEqual([
      { path: "/group", before: "g1", after: { $ref: "EnvironmentGroup/x#id" } },
    ]);
  });

  it("escapes keys in pointers", () => {
    expect(changedPaths({ m: { "a/b": 1 } }, { m: { "a/b": 2 } }, rules())[0]!.path).toBe("/m/a~1b");
  });
});

describe("createdPaths", () => {
  it("lists every field of a new object, arrays and placeholders whole", () => {
    expect(
      createdPaths({ name: "x", tags: ["a"], group: { $ref: "G/g#id" }, nested: { k: 1 } }, rules()),
    ).toEqual([
      { path: "/group", after: { $ref: "G/g#id" } },
      { path: "/name", after: "x" },
      { path: "/nested/k", after: 1 },
      { path: "/tags", after: ["a"] },
    ]);
  });
});

describe("createOnlyReason", () => {
  const paths = ["/location", "/dataverse/currency"];

  it("names the first create-only field that changes from a non-empty value", () => {
    expect(createOnlyReason({ location: "europe" }, { location: "asia" }, paths)).toBe(
      "location is create-only: europe → asia",
    );
    expect(
      createOnlyReason({ dataverse: { currency: "USD" } }, { dataverse: { currency: "EUR" } }, paths),
    ).toBe("dataverse.currency is create-only: USD → EUR");
  });

  it("leaves fields alone that the live side does not report, or that do not change", () => {
    expect(createOnlyReason({ dataverse: {} }, { dataverse: { currency: "EUR" } }, paths)).toBeUndefined();
    expect(createOnlyReason({ location: "" }, { location: "asia" }, paths)).toBeUndefined();
    expect(createOnlyReason({ location: "asia" }, { location: "asia" }, paths)).toBeUndefined();
  });
});
