import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Fidelity as a habit the code shows: every request builder of the tenant adapters and every emulator
 * route names its source (Learn page title, Terraform provider path, Graph doc, PowerShell module) in a
 * `// Source:` comment right above it, and so does every place a kind (src/core/kinds) builds a step's
 * path; every one whose source is "unverified" is listed in docs/emulator.md under "Unverified".
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
/** The kinds build the plan's step requests (method, path, body) as values. */
const KINDS = filesIn("src/core/kinds", (name) => name.endsWith(".ts"));

/**
 * A line of a kind that builds a REST path: a path literal of one of ppgov's APIs, a template on the
 * path constants, the licensing helper, or a step's `path:` (not a type annotation). Comments are not code.
 */
const BUILDS_PATH =
  /["'`](?:\/providers\/|\/licensing\/|\/governance\/|\/environmentmanagement\/|\/v1\.0\/)|\$\{(?:BAP|DLP_V2|TENANT_ISOLATION_PATH)\}|\bapi\(|^\s*path: (?!string\b)/;
const COMMENT = /^\s*(?:\/\/|\/\*|\*)/;

/**
 * For each path-building line of a kind: the `// Source:` comment among the (at most 8) lines above it,
 * not looking past the previous path-building line, so one comment never stands for two builders.
 */
function kindSources(file: string): Map<string, string | undefined> {
  const lines = read(file).split("\n");
  const builds = (line: string): boolean => !COMMENT.test(line) && BUILDS_PATH.test(line);
  const found = new Map<string, string | undefined>();
  lines.forEach((line, index) => {
    if (!builds(line)) return;
    let source: string | undefined;
    for (let above = index - 1; above >= Math.max(0, index - 8); above--) {
      const candidate = lines[above]!;
      if (candidate.trim().startsWith("// Source:")) {
        source = candidate.trim().slice("// Source:".length).trim();
        break;
      }
      if (builds(candidate)) break;
    }
    found.set(`${file}:${index + 1}`, source);
  });
  return found;
}

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

  it("every place a kind builds a REST path (the plan's steps) has a // Source: comment above it", () => {
    const all = new Map<string, string | undefined>();
    for (const file of KINDS) for (const [where, source] of kindSources(file)) all.set(where, source);
    // Every request family a step sends: environments, groups, rule sets, DLP, billing, allocations,
    // Graph licenses, tenant settings, tenant isolation.
    expect(all.size).toBeGreaterThan(25);
    for (const file of [
      "billing-policy",
      "dlp-policy",
      "environment",
      "environment-group",
      "license-allocation",
      "license-assignment",
      "tenant-isolation",
      "tenant-settings",
    ])
      expect(
        [...all.keys()].some((where) => where.startsWith(`src/core/kinds/${file}.ts:`)),
        file,
      ).toBe(true);
    const missing = [...all].filter(([, source]) => source === undefined || source === "").map(([w]) => w);
    expect(missing).toEqual([]);
  });

  it("the kinds' path check finds a builder without a comment (so it can fail)", () => {
    const lines = [
      "function x(): StepRequest {",
      "  return {",
      "    path: `/licensing/x?api-version=1`,",
      "  };",
      "}",
    ];
    const builds = (line: string): boolean => !COMMENT.test(line) && BUILDS_PATH.test(line);
    expect(lines.filter(builds)).toEqual(["    path: `/licensing/x?api-version=1`,"]);
    expect(builds("  path: string,")).toBe(false);
    expect(builds(" * `/providers/Microsoft.PowerApps/apis/shared_sql` in a doc comment")).toBe(false);
  });

  it("every source given as unverified is listed in docs/emulator.md under Unverified", () => {
    const doc = read("docs/emulator.md");
    const section = /^## Unverified\n([\s\S]*?)(?=^## )/m.exec(doc)?.[1] ?? "";
    expect(section).not.toBe("");
    const unverified: string[] = [];
    for (const file of [...ADAPTERS, ...ROUTES, ...KINDS]) {
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
