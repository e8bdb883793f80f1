import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/core/diagnostics.js";
import { DIAGNOSTIC_CODES } from "../../src/core/policy/codes.js";
import {
  escapeGithubData,
  escapeGithubProperty,
  renderDiagnostics,
  type DiagnosticsJson,
} from "../../src/render/diagnostics.js";
import type { SarifLog } from "../../src/render/diagnostics-sarif.js";

const diagnostics: Diagnostic[] = [
  {
    severity: "warning",
    code: "PPG114",
    message: "contains only comments, no policy documents",
    file: "policies/empty.yaml",
    line: 0,
    column: 0,
  },
  {
    severity: "error",
    code: "PPG205",
    message: "spec.type must be one of Production, Sandbox, Trial, Developer (got 'Prod')",
    file: "policies/envs/prod.yaml",
    line: 8,
    column: 9,
    pointer: "/spec/type",
    resource: "Environment/prod",
  },
  {
    severity: "error",
    code: "PPG204",
    message: "spec has unknown property 'a,b: 100%'\nsecond line",
    file: "policies/dlp/x,y:z.yaml",
    line: 3,
    column: 2,
  },
];
const summary = { directory: "policies", fileCount: 3, documentCount: 12 };

describe("text", () => {
  it("prints file:line:col: severity CODE message lines, sorted, then a summary", () => {
    expect(renderDiagnostics(diagnostics, "text", summary)).toBe(
      [
        "policies/dlp/x,y:z.yaml:3:2: error PPG204 spec has unknown property 'a,b: 100%'\nsecond line",
        "policies/empty.yaml: warning PPG114 contains only comments, no policy documents",
        "policies/envs/prod.yaml:8:9: error PPG205 spec.type must be one of Production, Sandbox, Trial, Developer (got 'Prod')",
        "",
        "2 errors, 1 warning in 3 files (12 documents)",
        "",
      ].join("\n"),
    );
  });

  it("says the policies are valid, counting warnings", () => {
    expect(renderDiagnostics([], "text", { directory: "policies", fileCount: 6, documentCount: 14 })).toBe(
      "policies: 14 documents in 6 files are valid\n",
    );
    expect(renderDiagnostics(diagnostics.slice(0, 1), "text", summary)).toContain(
      "policies: 12 documents in 3 files are valid (1 warning)",
    );
  });

  it("colours severities only when asked", () => {
    expect(renderDiagnostics(diagnostics, "text", summary, { color: false })).not.toContain("\u001b[");
  });
});

describe("json", () => {
  it("has a stable documented shape", () => {
    const json = JSON.parse(renderDiagnostics(diagnostics, "json", summary)) as DiagnosticsJson;
    expect(json.version).toBe(1);
    expect(json.valid).toBe(false);
    expect(json.summary).toEqual({ directory: "policies", files: 3, documents: 12, errors: 2, warnings: 1 });
    expect(json.diagnostics[2]).toEqual({
      severity: "error",
      code: "PPG205",
      message: "spec.type must be one of Production, Sandbox, Trial, Developer (got 'Prod')",
      file: "policies/envs/prod.yaml",
      line: 8,
      column: 9,
      pointer: "/spec/type",
      resource: "Environment/prod",
    });
    expect(Object.keys(json.diagnostics[0]!)).toEqual([
      "severity",
      "code",
      "message",
      "file",
      "line",
      "column",
    ]);
  });
});

describe("github", () => {
  it("escapes data and properties as the runner expects", () => {
    expect(escapeGithubData("100% done\r\nnext")).toBe("100%25 done%0D%0Anext");
    expect(escapeGithubProperty("a,b:c%")).toBe("a%2Cb%3Ac%25");
  });

  it("prints one workflow command per diagnostic and the summary", () => {
    const lines = renderDiagnostics(diagnostics, "github", summary).trimEnd().split("\n");
    expect(lines).toEqual([
      "::error file=policies/dlp/x%2Cy%3Az.yaml,line=3,col=2,title=PPG204::spec has unknown property 'a,b: 100%25'%0Asecond line",
      "::warning file=policies/empty.yaml,title=PPG114::contains only comments, no policy documents",
      "::error file=policies/envs/prod.yaml,line=8,col=9,title=PPG205::spec.type must be one of Production, Sandbox, Trial, Developer (got 'Prod')",
      "2 errors, 1 warning in 3 files (12 documents)",
    ]);
  });
});

/** The properties SARIF 2.1.0 requires (sarif-schema-2.1.0.json), checked by hand. */
function sarifProblems(log: SarifLog): string[] {
  const problems: string[] = [];
  const need = (condition: boolean, what: string): void => {
    if (!condition) problems.push(what);
  };
  need(log.version === "2.1.0", "version must be 2.1.0");
  need(Array.isArray(log.runs), "runs must be an array");
  for (const run of log.runs) {
    need(
      typeof run.tool?.driver?.name === "string" && run.tool.driver.name !== "",
      "tool.driver.name is required",
    );
    const rules = run.tool.driver.rules;
    for (const rule of rules) {
      need(typeof rule.id === "string", "rule.id is required");
      need(typeof rule.shortDescription.text === "string", "rule.shortDescription.text is required");
    }
    for (const result of run.results) {
      need(typeof result.message?.text === "string", "result.message.text is required");
      need(
        rules[result.ruleIndex]?.id === result.ruleId,
        `ruleIndex of ${result.ruleId} must point at its rule`,
      );
      need(["none", "note", "warning", "error"].includes(result.level), "result.level must be a SARIF level");
      for (const location of result.locations) {
        const physical = location.physicalLocation;
        need(typeof physical.artifactLocation.uri === "string", "artifactLocation.uri is required");
        need(
          !/^[a-z]+:/.test(physical.artifactLocation.uri) ||
            physical.artifactLocation.uriBaseId === undefined,
          "absolute uri has no base",
        );
        if (physical.region !== undefined) {
          need(physical.region.startLine >= 1, "region.startLine must be >= 1");
          need((physical.region.startColumn ?? 1) >= 1, "region.startColumn must be >= 1");
        }
      }
    }
  }
  return problems;
}

describe("sarif", () => {
  const log = JSON.parse(renderDiagnostics(diagnostics, "sarif", summary)) as SarifLog;

  it("has the SARIF 2.1.0 required properties", () => {
    expect(log.$schema).toBe("https://json.schemastore.org/sarif-2.1.0.json");
    expect(sarifProblems(log)).toEqual([]);
  });

  it("describes every code as a rule and each diagnostic as a result with a relative location", () => {
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe("ppgov");
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(Object.keys(DIAGNOSTIC_CODES));
    const result = run.results.find((r) => r.ruleId === "PPG205")!;
    expect(result.level).toBe("error");
    expect(result.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: "policies/envs/prod.yaml", uriBaseId: "%SRCROOT%" },
      region: { startLine: 8, startColumn: 9 },
    });
    const fileLevel = run.results.find((r) => r.ruleId === "PPG114")!;
    expect(fileLevel.level).toBe("warning");
    expect(fileLevel.locations[0]!.physicalLocation.region).toBeUndefined();
    const escaped = run.results.find((r) => r.ruleId === "PPG204")!;
    expect(escaped.locations[0]!.physicalLocation.artifactLocation.uri).toBe("policies/dlp/x%2Cy%3Az.yaml");
  });

  it("describes codes from other registries passed in (the planner's)", () => {
    const planned: Diagnostic = {
      ...diagnostics[1]!,
      code: "PPG401",
      message: "connector 'shared_x' does not exist",
    };
    const withPlanCodes = JSON.parse(
      renderDiagnostics([planned], "sarif", summary, {
        codes: { PPG401: { title: "Unknown connector", severity: "error" } },
      }),
    ) as SarifLog;
    const run = withPlanCodes.runs[0]!;
    expect(run.tool.driver.rules.find((r) => r.id === "PPG401")?.shortDescription.text).toBe(
      "Unknown connector",
    );
    expect(sarifProblems(withPlanCodes)).toEqual([]);
  });

  it("catches a broken log in the hand-written check", () => {
    const broken = structuredClone(log);
    broken.runs[0]!.results[0]!.ruleIndex = 0;
    broken.runs[0]!.results[0]!.locations[0]!.physicalLocation.region = { startLine: 0 };
    expect(sarifProblems(broken).length).toBeGreaterThanOrEqual(2);
  });
});

describe("the output cap", () => {
  const many = (file: string, count: number): Diagnostic[] =>
    Array.from({ length: count }, (_, i) => ({
      severity: "error" as const,
      code: "PPG204",
      message: `spec has unknown property 'k${i}'`,
      file,
      line: i + 10,
      column: 3,
    }));
  const big = [...many("policies/a.yaml", 60_000), ...many("policies/b.yaml", 3)];
  const bigSummary = { directory: "policies", fileCount: 2, documentCount: 2 };

  it("text shows the first 50 of a file, says how many more, and still counts them all", () => {
    const lines = renderDiagnostics(big, "text", bigSummary).trimEnd().split("\n");
    expect(lines.filter((line) => line.startsWith("policies/a.yaml:"))).toHaveLength(51);
    expect(lines).toContain("policies/a.yaml: … and 59,950 more in this file");
    expect(lines.filter((line) => line.startsWith("policies/b.yaml:"))).toHaveLength(3);
    expect(lines.at(-1)).toBe("60003 errors, 0 warnings in 2 files (2 documents)");
    expect(lines.length).toBeLessThan(60);
  });

  it("caps the total across files and names what it left out", () => {
    const files = Array.from({ length: 10 }, (_, i) => many(`policies/f${i}.yaml`, 30)).flat();
    const lines = renderDiagnostics(files, "text", bigSummary).trimEnd().split("\n");
    expect(lines.filter((line) => / error PPG204 /.test(line))).toHaveLength(200);
    expect(lines).toContain("policies/f6.yaml: … and 10 more in this file");
    expect(lines).toContain("… and 90 more in 3 other files (output shows at most 200)");
  });

  it("json lists the capped diagnostics, counts all of them and says how many it left out", () => {
    const json = JSON.parse(renderDiagnostics(big, "json", bigSummary)) as DiagnosticsJson;
    expect(json.diagnostics).toHaveLength(53);
    expect(json.summary).toMatchObject({ errors: 60_003, omitted: 59_950 });
    const small = JSON.parse(renderDiagnostics(diagnostics, "json", summary)) as DiagnosticsJson;
    expect(small.summary.omitted).toBeUndefined();
  });

  it("github annotations and sarif results are capped the same way", () => {
    const github = renderDiagnostics(big, "github", bigSummary).split("\n");
    expect(github.filter((line) => line.startsWith("::error "))).toHaveLength(53);
    const sarif = JSON.parse(renderDiagnostics(big, "sarif", bigSummary)) as SarifLog;
    expect(sarif.runs[0]?.results).toHaveLength(53);
  });
});
