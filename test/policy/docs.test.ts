import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES } from "../../src/core/policy/codes.js";
import { PLAN_DIAGNOSTIC_CODES } from "../../src/core/plan/codes.js";

const ALL_CODES = { ...DIAGNOSTIC_CODES, ...PLAN_DIAGNOSTIC_CODES };

const docs = readFileSync(new URL("../../docs/diagnostics.md", import.meta.url), "utf8");

describe("docs/diagnostics.md", () => {
  it("documents every code, and only codes that exist", () => {
    const documented = [...docs.matchAll(/^### (PPG\d{3})$/gm)].map((match) => match[1]);
    expect(documented).toEqual(Object.keys(ALL_CODES));
  });

  it("gives each code its title and severity", () => {
    for (const [code, info] of Object.entries(ALL_CODES)) {
      const section = docs.split(`### ${code}\n`)[1]?.split("\n### ")[0] ?? "";
      expect(section, code).toContain(`(${info.severity})`);
      expect(section.replace(/\s+/g, " ").replace(/`/g, "'"), code).toContain(info.title.replace(/`/g, "'"));
    }
  });
});
