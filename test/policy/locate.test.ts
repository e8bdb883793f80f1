import { describe, expect, it } from "vitest";
import { parsePolicyFile } from "../../src/core/policy/parse-yaml.js";

const text = [
  "apiVersion: ppgov/v1", // 1
  "kind: DlpPolicy", // 2
  "metadata:", // 3
  "  name: corp", // 4
  "spec:", // 5
  "  displayName: Corp", // 6
  "  scope: {only: [a, b]}", // 7
  "  empty:", // 8
  "  connectors:", // 9
  "    business:", // 10
  "      - shared_sql", // 11
  "      - shared_x", // 12
  "  rules:", // 13
  "    - allow: x", // 14
  "    - deny: '*'", // 15
  "  a/b~c: 1", // 16
  "",
].join("\n");

function locate(pointer: string, target?: "value" | "key") {
  const parsed = parsePolicyFile({ path: "p.yaml", text });
  const { line, column } = parsed.documents[0]!.locate(pointer, target);
  return [line, column];
}

describe("locate(pointer)", () => {
  it("points at a scalar value where it starts", () => {
    expect(locate("/metadata/name")).toEqual([4, 9]);
    expect(locate("/spec/connectors/business/1")).toEqual([12, 9]);
  });

  it("points at the key of a block collection or an empty value", () => {
    expect(locate("/spec/connectors")).toEqual([9, 3]);
    expect(locate("/spec/empty")).toEqual([8, 3]);
  });

  it("points inside flow collections", () => {
    expect(locate("/spec/scope")).toEqual([7, 10]);
    expect(locate("/spec/scope/only/1")).toEqual([7, 21]);
  });

  it("points at the key itself when asked (unknown-property errors)", () => {
    expect(locate("/spec/displayName", "key")).toEqual([6, 3]);
  });

  it("falls back to the nearest existing ancestor", () => {
    expect(locate("/spec/connectors/blocked/0")).toEqual([9, 3]);
    expect(locate("/spec/rules/7/allow")).toEqual([13, 3]);
    expect(locate("/nothing")).toEqual([1, 1]);
  });

  it("locates list items that are mappings, and escaped pointer segments", () => {
    expect(locate("/spec/rules/1")).toEqual([15, 7]);
    expect(locate("/spec/a~1b~0c")).toEqual([16, 10]);
  });

  it("locates again after the syntax tree was released", () => {
    const parsed = parsePolicyFile({ path: "p.yaml", text });
    const before = parsed.documents[0]!.locate("/spec/rules/1/deny");
    parsed.release();
    expect(parsed.documents[0]!.locate("/spec/rules/1/deny")).toEqual(before);
    expect(before).toEqual({ file: "p.yaml", line: 15, column: 13 });
  });

  it("knows which document of a multi-document file it is in", () => {
    const parsed = parsePolicyFile({ path: "m.yaml", text: "a: 1\n---\nb:\n  c: 2\n" });
    expect(parsed.documents.map((d) => d.source.line)).toEqual([1, 3]);
    expect(parsed.documents[1]!.locate("/b/c")).toEqual({ file: "m.yaml", line: 4, column: 6 });
  });
});
