import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/core/diagnostics.js";
import { readValuesFast } from "../../src/core/policy/fast-yaml.js";
import { parsePolicyFile } from "../../src/core/policy/parse-yaml.js";
import { validatePolicyFiles } from "../../src/core/policy/validate-policies.js";
import { testValidator } from "./load.js";

function wellFormed(diagnostic: Diagnostic): boolean {
  return (
    diagnostic.file !== "" &&
    Number.isInteger(diagnostic.line) &&
    diagnostic.line >= 0 &&
    Number.isInteger(diagnostic.column) &&
    diagnostic.column >= 0 &&
    /^PPG\d{3}$/.test(diagnostic.code) &&
    diagnostic.message.length > 0
  );
}

/** YAML-ish text: fragments that exercise the parser's corners more often than random characters do. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.string(),
      fc.constantFrom(
        "apiVersion: ppgov/v1\n",
        "kind: Environment\n",
        "kind: DlpPolicy\n",
        "metadata:\n  name: x\n",
        "spec:\n",
        "  displayName: X\n",
        "  scope: {only: [a]}\n",
        "---\n",
        "- ",
        ": ",
        "&a ",
        "*a ",
        "!tag ",
        "!!binary ",
        "? ",
        "[",
        "]",
        "{",
        "}",
        '"',
        "'",
        "#",
        "\t",
        "  ",
        "\n",
        "%YAML 1.1\n",
        "<<: *a\n",
        "key: |\n  text\n",
        "key: >-\n  folded\n",
        "...\n",
        "\r\n",
        "'quoted'",
        '"\\t esc"',
        "- - ",
        "%TAG ! tag:x,2000:\n",
        "!!str ",
        "1e3",
        "0x1F",
        "~",
        "null: ",
        "\u00e9\u4e2d",
      ),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

describe("the loader on arbitrary input", () => {
  const validator = testValidator();

  it("never throws on arbitrary strings, and every diagnostic has a file and a position", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), yamlish), (text) => {
        const result = validatePolicyFiles([{ path: "p.yaml", text }], validator);
        expect(result.diagnostics.every(wellFormed)).toBe(true);
        expect(result.diagnostics.every((d) => d.file === "p.yaml")).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("locates any pointer inside the file, even one that does not exist", () => {
    fc.assert(
      fc.property(yamlish, fc.array(fc.string(), { maxLength: 4 }), (text, segments) => {
        const parsed = parsePolicyFile({ path: "p.yaml", text });
        const lines = text.split(/\r\n|\r|\n/).length;
        for (const document of parsed.documents) {
          const location = document.locate(segments.map((s) => `/${s}`).join(""));
          expect(location.line).toBeGreaterThanOrEqual(1);
          expect(location.line).toBeLessThanOrEqual(lines);
          expect(location.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same diagnostics for the same input (stable output)", () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        const first = validatePolicyFiles([{ path: "p.yaml", text }], validator).diagnostics;
        const second = validatePolicyFiles([{ path: "p.yaml", text }], validator).diagnostics;
        expect(second).toEqual(first);
      }),
      { numRuns: 100 },
    );
  });
});

describe("the fast reader", () => {
  it("agrees with the full parser on every file it accepts", () => {
    let accepted = 0;
    fc.assert(
      fc.property(yamlish, (text) => {
        const fast = readValuesFast(text);
        if (fast === undefined) return;
        accepted += 1;
        const full = parsePolicyFile({ path: "p.yaml", text }, { fastPath: false });
        expect(full.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        expect(full.documents.map((d) => d.value)).toEqual(fast);
        // Same document indexes: positions found later by the full parser land in the right document.
        expect(full.documents.map((d) => d.index)).toEqual(fast.map((_, index) => index));
      }),
      { numRuns: 1500 },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it.each([
    "~",
    "null",
    "Null",
    "NULL",
    "nully",
    "",
    "true",
    "True",
    "TRUE",
    "tRUE",
    "false",
    "FALSE",
    "trueish",
    "0o17",
    "0x1F",
    "0b101",
    "+12",
    "-3",
    "007",
    ".5",
    "+.5",
    "-.5",
    "1.",
    ".inf",
    "-.Inf",
    "+.INF",
    ".nan",
    ".NaN",
    "1e3",
    "-1.5E-2",
    "+",
    "-x",
    ".",
    "0o",
    "0x",
    "yes",
    "no",
    "on",
    "x1",
    "n",
    "t",
    "~x",
  ])("reads the plain scalar %j as the full parser does", (scalar) => {
    const text = `value: ${scalar}\n`;
    const fast = readValuesFast(text);
    const full = parsePolicyFile({ path: "p.yaml", text }, { fastPath: false });
    expect(fast).toBeDefined();
    expect(fast).toEqual(full.documents.map((d) => d.value));
  });

  // Counterexamples the property above found; each must be refused by the fast reader or read alike.
  it.each(["{#apiVersion: ppgov/v1\n}", "{a: 1,#b: 2\n}", "[#x\n]", "a: [1,#x\n]\n", "a: {#b: 1\n}\n"])(
    "agrees with the full parser on %j",
    (text) => {
      const fast = readValuesFast(text);
      const full = parsePolicyFile({ path: "p.yaml", text }, { fastPath: false });
      if (fast === undefined) {
        // The full parser judges it: here, a comment glued to a flow indicator is an error.
        expect(full.diagnostics.some((d) => d.severity === "error")).toBe(true);
        return;
      }
      expect(full.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(full.documents.map((d) => d.value)).toEqual(fast);
    },
  );

  it("leaves aliases, tags, duplicate keys and non-mappings to the full parser", () => {
    expect(readValuesFast("a: &x [1]\nb: *x\n")).toBeUndefined();
    expect(readValuesFast("a: !foo 1\n")).toBeUndefined();
    expect(readValuesFast("a: 1\na: 2\n")).toBeUndefined();
    expect(readValuesFast("- a\n")).toBeUndefined();
    expect(readValuesFast("a: 1\n---\n")).toBeUndefined();
    expect(readValuesFast("# nothing\n")).toBeUndefined();
    expect(readValuesFast("a: 0x1F\nb: yes\nc: +.5\nd: 0b1\n")).toEqual([
      { a: 31, b: "yes", c: 0.5, d: "0b1" },
    ]);
  });
});
