import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hasErrors, sortDiagnostics } from "../../src/core/diagnostics.js";
import { loadDirectory } from "./load.js";

interface ExpectedDiagnostic {
  severity: "error" | "warning";
  code: string;
  file: string;
  line: number;
  column: number;
  /** A substring of the message. */
  message: string;
}

const root = fileURLToPath(new URL("../fixtures/policies/", import.meta.url));

function cases(group: "valid" | "invalid"): { name: string; dir: string; expected: ExpectedDiagnostic[] }[] {
  return readdirSync(join(root, group))
    .sort()
    .map((name) => {
      const dir = join(root, group, name);
      const expectedPath = join(dir, "expected.json");
      const expected = existsSync(expectedPath)
        ? (JSON.parse(readFileSync(expectedPath, "utf8")) as ExpectedDiagnostic[])
        : [];
      return { name, dir, expected };
    });
}

async function actualDiagnostics(dir: string) {
  const result = await loadDirectory(dir);
  return { result, diagnostics: sortDiagnostics(result.diagnostics) };
}

function comparable(diagnostics: readonly Omit<ExpectedDiagnostic, "message">[]) {
  return diagnostics.map(({ severity, code, file, line, column }) => ({
    severity,
    code,
    file,
    line,
    column,
  }));
}

describe("valid policy fixtures", () => {
  it.each(cases("valid"))(
    "$name has no errors and exactly its expected warnings",
    async ({ dir, expected }) => {
      const { result, diagnostics } = await actualDiagnostics(dir);
      expect(hasErrors(diagnostics)).toBe(false);
      expect(comparable(diagnostics)).toEqual(comparable(expected));
      expect(result.documents.length).toBeGreaterThan(0);
    },
  );
});

describe("invalid policy fixtures", () => {
  it.each(cases("invalid"))("$name produces exactly its expected diagnostics", async ({ dir, expected }) => {
    expect(expected.length).toBeGreaterThan(0);
    const { diagnostics } = await actualDiagnostics(dir);
    expect(hasErrors(diagnostics)).toBe(true);
    expect(comparable(diagnostics)).toEqual(comparable(expected));
    diagnostics.forEach((diagnostic, index) => {
      expect(diagnostic.message).toContain(expected[index]!.message);
    });
  });
});

describe("the fixture corpus", () => {
  it("covers every semantic rule and every schema code at least once", () => {
    const seen = new Set(cases("invalid").flatMap((c) => c.expected.map((e) => e.code)));
    const wanted = [
      "PPG101",
      "PPG102",
      "PPG103",
      "PPG104",
      "PPG107",
      "PPG109",
      "PPG201",
      "PPG202",
      "PPG203",
      "PPG204",
      "PPG205",
      "PPG206",
      "PPG207",
      "PPG208",
      "PPG209",
      "PPG210",
      "PPG211",
      "PPG301",
      "PPG302",
      "PPG303",
      "PPG304",
      "PPG305",
      "PPG306",
      "PPG307",
      "PPG308",
      "PPG309",
      "PPG310",
      "PPG311",
      "PPG312",
      "PPG313",
      "PPG314",
    ];
    expect(wanted.filter((code) => !seen.has(code))).toEqual([]);
  });

  it("keeps the documents of a valid repository with their positions", async () => {
    const result = await loadDirectory(join(root, "valid", "complete-repo"));
    const production = result.documents.find((d) => d.document.metadata.name === "contoso-production");
    expect(production?.document.kind).toBe("Environment");
    expect(production?.source).toEqual({ file: "environments/production.yaml", line: 1, column: 1 });
    expect(production?.locate("/spec/dataverse/currency")).toEqual({
      file: "environments/production.yaml",
      line: 14,
      column: 15,
    });
    // A missing property falls back to its nearest existing ancestor (the `managed:` key).
    expect(production?.locate("/spec/managed/usageInsights")).toMatchObject({ line: 15, column: 3 });
    expect(result.fileCount).toBe(9);
    expect(result.documentCount).toBe(15);
  });
});
