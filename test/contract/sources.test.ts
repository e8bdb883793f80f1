import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Fidelity as a habit the code shows: every request builder of the tenant adapters and every emulator
 * route names its source (Learn page title, Terraform provider path, Graph doc, PowerShell module) in a
 * `// Source:` comment right above it, and every one whose source is "unverified" is listed in
 * docs/emulator.md under "Unverified".
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string): string => readFileSync(`${root}${path}`, "utf8");

function filesIn(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(`${root}${dir}`)
    .filter(keep)
    .sort()
    .map((name) => `${dir}/${name}`);
}

const ADAPTERS = [
  ...filesIn("src/adapters/tenant", (name) => name.endsWith("-api.ts")),
  "src/adapters/tenant/lifecycle.ts",
];
const ROUTES = filesIn("src/emulator/routes", (name) => name.endsWith(".ts"));

/** The `// Source:` comment within `within` lines above each line matching `pattern`, by file:line. */
function sourcesAbove(file: string, pattern: RegExp, within: number): Map<string, string | undefined> {
  const lines = read(file).split("\n");
  const found = new Map<string, string | undefined>();
  lines.forEach((line, index) => {
    if (!pattern.test(line)) return;
    const above = lines.slice(Math.max(0, index - within), index).reverse();
    const source = above.find((candidate) => candidate.trim().startsWith("// Source:"));
    found.set(`${file}:${index + 1}`, source?.trim().slice("// Source:".length).trim());
  });
  return found;
}

describe("sources named in the code", () => {
  it("every request builder in the tenant adapters has a // Source: comment right above its endpoint", () => {
    const all = new Map<string, string | undefined>();
    for (const file of ADAPTERS)
      for (const [where, source] of sourcesAbove(file, /^\s*endpoint(?::(?!\s*string)|,$)/, 1))
        all.set(where, source);
    expect(all.size).toBeGreaterThan(40);
    const missing = [...all].filter(([, source]) => source === undefined || source === "").map(([w]) => w);
    expect(missing).toEqual([]);
  });

  it("every emulator route has a // Source: comment right above it", () => {
    const all = new Map<string, string | undefined>();
    for (const file of ROUTES)
      for (const [where, source] of sourcesAbove(file, /^\s*route\(/, 2)) all.set(where, source);
    expect(all.size).toBeGreaterThan(50);
    const missing = [...all].filter(([, source]) => source === undefined || source === "").map(([w]) => w);
    expect(missing).toEqual([]);
  });

  it("every source given as unverified is listed in docs/emulator.md under Unverified", () => {
    const doc = read("docs/emulator.md");
    const section = /^## Unverified\n([\s\S]*?)(?=^## )/m.exec(doc)?.[1] ?? "";
    expect(section).not.toBe("");
    const unverified: string[] = [];
    for (const file of [...ADAPTERS, ...ROUTES]) {
      const lines = read(file).split("\n");
      lines.forEach((line, index) => {
        if (!/^\s*\/\/ Source:.*unverified/i.test(line)) return;
        // The request the comment sits on: the endpoint or route text of the next lines.
        const next = lines.slice(index + 1, index + 5).join(" ");
        unverified.push(`${file}:${index + 1} ${next.replace(/\s+/g, " ").slice(0, 160)}`);
      });
    }
    expect(unverified.length).toBeGreaterThan(0);
    for (const entry of unverified) {
      const file = entry.split(":")[0]!;
      expect(section, entry).toContain(`\`${file}\``);
    }
  });
});
