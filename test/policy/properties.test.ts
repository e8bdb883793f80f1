import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/core/diagnostics.js";
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
