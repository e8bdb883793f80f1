// Comments cite sources a reader of this repository can open (a Learn page or Graph doc title, a
// Terraform provider path, a file here), not section numbers (`§3.2`) of documents outside it (issue 22).
import { readFileSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

/** Files still allowed to cite numbered sections: none; a new entry needs a reason here. */
const ALLOWED = new Set<string>([]);

const SECTION_CITATION = /§\s*\d/;

/** The 1-based line numbers of `text` that cite a numbered section. */
function citedLines(text: string): number[] {
  return text.split("\n").flatMap((line, i) => (SECTION_CITATION.test(line) ? [i + 1] : []));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** `file:line` of every section citation under src/, by repository-relative path. */
function citations(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const path of sourceFiles(join(ROOT, "src"))) {
    const file = relative(ROOT, path).split("\\").join("/");
    const lines = citedLines(readFileSync(path, "utf8"));
    if (lines.length > 0)
      found.set(
        file,
        lines.map((line) => `${file}:${line}`),
      );
  }
  return found;
}

describe("section citations", () => {
  it("finds `§` followed by a digit, and nothing else", () => {
    expect(citedLines("// see §3.2\n// wire-formats § 4\n// RFC 9110, section 10.2.3\n// § alone")).toEqual([
      1, 2,
    ]);
  });

  it("no src/ file outside the allow-list cites a section of an outside document", () => {
    const offending = [...citations()].filter(([file]) => !ALLOWED.has(file)).flatMap(([, at]) => at);
    expect(offending).toEqual([]);
  });

  it("every allow-listed file still has a citation (drop it from the list once it has none)", () => {
    const found = citations();
    expect([...ALLOWED].filter((file) => !found.has(file))).toEqual([]);
  });
});
