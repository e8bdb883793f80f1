/**
 * Issue 7, bad input: arbitrary documents (random values under a correct or broken envelope) and
 * arbitrary YAML text, several files at once, through `loadPolicies` — the loader and validator the
 * CLI uses. They never throw or hang, and every diagnostic names its file and a position inside it.
 */
import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { loadPolicies, type LoadedPolicies } from "../../src/core/policy/load-policies.js";
import { hasErrors, type Diagnostic } from "../../src/core/diagnostics.js";
import type { PolicyFile } from "../../src/core/policy/parse-yaml.js";
import { KINDS } from "../../src/core/policy/types.js";
import { testValidator } from "../policy/load.js";

const validator = testValidator();
const POLICY_DIR = "mem";

function loadFiles(files: PolicyFile[]): Promise<LoadedPolicies> {
  return loadPolicies(POLICY_DIR, {
    validator,
    listPolicyFiles: () => Promise.resolve({ files, diagnostics: [], fileCount: files.length }),
  });
}

/** A diagnostic that a user can act on: a known file, and a line/column inside that file (0 = whole file). */
function expectPositioned(diagnostic: Diagnostic, files: readonly PolicyFile[]): void {
  // A repository with no documents at all (only comments, say) is named by its directory (PPG113).
  if (diagnostic.file === POLICY_DIR) {
    expect(diagnostic.code).toBe("PPG113");
    expect([diagnostic.line, diagnostic.column]).toEqual([0, 0]);
    return;
  }
  const file = files.find((candidate) => candidate.path === diagnostic.file);
  expect(file, `diagnostic names a file that was loaded: ${JSON.stringify(diagnostic)}`).toBeDefined();
  const lines = file!.text.split(/\r\n|\r|\n/).length;
  expect(Number.isInteger(diagnostic.line) && Number.isInteger(diagnostic.column)).toBe(true);
  expect(diagnostic.line).toBeGreaterThanOrEqual(0);
  expect(diagnostic.line).toBeLessThanOrEqual(lines);
  expect(diagnostic.column).toBeGreaterThanOrEqual(0);
  if (diagnostic.line === 0) expect(diagnostic.column).toBe(0);
  expect(diagnostic.code).toMatch(/^PPG\d{3}$/);
  expect(diagnostic.message.trim().length).toBeGreaterThan(0);
}

/** Names that the schema accepts and names it refuses (separators, metacharacters, huge, empty). */
const nameArb = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
  fc.constantFrom("../etc", "a/b", "a\\b", "$(rm -rf /)", "`id`", "a;b", "", "A", "x".repeat(200)),
  fc.string(),
);

/** JSON values with the odd numbers and strings that break naive code. */
const oddLeaf = fc.oneof(
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -0, 0.1, 1e-320, "NaN", "../../x", "?$filter=x eq 'y'", "%2F"),
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    oddLeaf,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string(), fc.constantFrom("displayName", "connectors", "id", "name")),
      tie("value"),
      {
        maxKeys: 5,
      },
    ),
  ),
})).value;

/** A document: mostly the right envelope with a random spec, sometimes random fields anywhere. */
const documentArb = fc.oneof(
  fc.record({
    apiVersion: fc.oneof(fc.constant("ppgov/v1"), fc.string()),
    kind: fc.oneof(fc.constantFrom(...KINDS), fc.string()),
    metadata: fc.oneof(fc.record({ name: nameArb }), jsonish),
    spec: jsonish,
  }),
  fc.record({ apiVersion: fc.constant("ppgov/v1"), kind: fc.constantFrom(...KINDS), extra: jsonish }),
  jsonish,
);

const yamlTextArb = fc.oneof(
  fc
    .array(documentArb, { minLength: 1, maxLength: 3 })
    .map((documents) =>
      documents.map((document) => stringify(document, { aliasDuplicateObjects: false })).join("---\n"),
    ),
  fc.string(),
  fc.string({ unit: "binary" }),
);

describe("loadPolicies on arbitrary input", () => {
  it("arbitrary documents in several files: no exception, every diagnostic positioned in its file", async () => {
    let slowest = 0;
    let refused = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(yamlTextArb, { minLength: 1, maxLength: 4 }), async (texts) => {
        const files = texts.map((text, index) => ({ path: `dir/f${index}.yaml`, text }));
        const started = performance.now();
        const loaded = await loadFiles(files);
        slowest = Math.max(slowest, performance.now() - started);
        for (const diagnostic of loaded.diagnostics) expectPositioned(diagnostic, files);
        if (hasErrors(loaded.diagnostics)) refused += 1;
        else accepted += 1;
        // A document that did not validate must have said why.
        if (loaded.documents.length < loaded.documentCount) expect(hasErrors(loaded.diagnostics)).toBe(true);
      }),
      { numRuns: 300 },
    );
    console.log(
      `loader property: 300 file sets, ${refused} refused, ${accepted} accepted, slowest ${slowest.toFixed(1)} ms`,
    );
  });

  it("files that hold only comments: one PPG113 error naming the policy directory (the counterexample CI found)", async () => {
    const loaded = await loadFiles([{ path: "dir/f0.yaml", text: "#" }]);
    expect(loaded.documents).toEqual([]);
    // The file itself gets a warning (PPG114, no documents); the repository as a whole the error.
    expect(loaded.diagnostics.map((d) => [d.code, d.severity, d.file])).toEqual([
      ["PPG114", "warning", "dir/f0.yaml"],
      ["PPG113", "error", POLICY_DIR],
    ]);
  });

  it("a well-formed envelope with a wrong spec is refused with a diagnostic inside the document", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...KINDS.filter((kind) => kind !== "Tenant")),
        fc.dictionary(fc.stringMatching(/^zz[a-z]{1,6}$/), jsonish, { minKeys: 1, maxKeys: 3 }),
        async (kind, spec) => {
          const text = stringify({ apiVersion: "ppgov/v1", kind, metadata: { name: "x" }, spec });
          const files = [{ path: "one.yaml", text }];
          const loaded = await loadFiles(files);
          expect(hasErrors(loaded.diagnostics)).toBe(true);
          const errors = loaded.diagnostics.filter((d) => d.severity === "error");
          // Unknown spec keys are pinned to a line of the document, not to the whole file.
          expect(errors.some((d) => d.line >= 1)).toBe(true);
          for (const diagnostic of loaded.diagnostics) expectPositioned(diagnostic, files);
        },
      ),
      { numRuns: 150 },
    );
  });
});
