import { describe, expect, it } from "vitest";
import { ownedUnits, tenantCoverage, type CoverageReport } from "../../src/core/effective/index.js";
import { allocationChart, escapeHtml, renderReportHtml } from "../../src/render/report-html.js";
import { renderReportMarkdown } from "../../src/render/report-markdown.js";
import { guid, liveTenant, wireDlp, wireEnv } from "../core/builders.js";

/** Declared allocations may exceed what the tenant owns; the report shows it. */
const OWNED = { AppPass: 20, AI: 100 };
const SALES = guid(2);
const HR = guid(3);

function tenant(overrides: Parameters<typeof liveTenant>[0] = {}) {
  return liveTenant({
    environments: [
      wireEnv({ id: guid(1), displayName: "Contoso (default)", type: "Default", isDefault: true }),
      wireEnv({ id: SALES, displayName: "Sales <script>" }),
      wireEnv({ id: HR, displayName: "HR" }),
    ],
    dlpPolicies: [
      wireDlp({ id: guid(10), displayName: "Baseline", blocked: ["shared_twitter"] }),
      wireDlp({
        id: guid(11),
        displayName: "HR | strict",
        environmentType: "OnlyEnvironments",
        environments: [HR],
        blocked: ["shared_sql"],
      }),
    ],
    allocations: { [SALES]: [{ currencyType: "AppPass", allocated: 30 }] },
    ...overrides,
  });
}

function report(): CoverageReport {
  const live = tenant();
  return {
    generatedAt: "2026-01-01T00:00:00Z",
    tenantId: guid(1000),
    declared: tenantCoverage(live, OWNED),
    live: tenantCoverage(live, OWNED),
  };
}

describe("tenantCoverage", () => {
  const coverage = tenantCoverage(tenant(), OWNED);

  it("marks environments covered only by the tenant-wide policy, and targeted ones", () => {
    expect(coverage.rows.map((row) => `${row.environment.displayName}:${row.coverage}`)).toEqual([
      "Contoso (default):tenantWide",
      "HR:targeted",
      "Sales <script>:tenantWide",
    ]);
    expect(coverage.tenantWideOnly.map((view) => view.displayName)).toEqual([
      "Contoso (default)",
      "Sales <script>",
    ]);
    expect(coverage.uncovered).toEqual([]);
  });

  it("lists connectors that no policy blocks", () => {
    expect(coverage.blockedNowhere).toEqual(["shared_approvals", "shared_sharepointonline"]);
    expect(coverage.connectorCount).toBe(4);
  });

  it("sums allocations per currency against the pool, keeping pool-only currencies", () => {
    expect(coverage.allocations).toEqual([
      { currencyType: "AI", allocated: 0, owned: 100, byEnvironment: [] },
      {
        currencyType: "AppPass",
        allocated: 30,
        owned: 20,
        byEnvironment: [{ environment: "Sales <script>", allocated: 30 }],
      },
    ]);
  });

  it("what the tenant owns is what every environment holds plus what the availability report says is free", () => {
    expect(ownedUnits(tenant(), { AppPass: 5, AI: 0, PerFlowPlan: 2 })).toEqual({
      AppPass: 35,
      AI: 0,
      PerFlowPlan: 2,
    });
    // A currency nobody owns (0 free, none held) is not a line of the report.
    expect(
      tenantCoverage(tenant(), { AI: 0, AppPass: 30 }).allocations.map((line) => line.currencyType),
    ).toEqual(["AppPass"]);
  });

  it("an environment no policy covers is uncovered", () => {
    const only = tenantCoverage(tenant({ dlpPolicies: [] }));
    expect(only.uncovered).toHaveLength(3);
    expect(only.blockedNowhere).toHaveLength(4);
  });
});

describe("report renderers", () => {
  it("markdown escapes names and flags a currency over the pool", () => {
    const text = renderReportMarkdown(report());
    expect(text).toContain("| Environment | Baseline | HR \\| strict |");
    expect(text).toContain("Sales &lt;script&gt;");
    expect(text).toContain("| AppPass | 30 | 30 | 20 | **-10** (over) |");
  });

  it("html escapes user strings and draws bars to scale, over-pool bars marked", () => {
    const html = renderReportHtml(report());
    expect(html).not.toContain("<script>");
    expect(html).toContain("Sales &lt;script&gt;");
    expect(escapeHtml(`"a'&`)).toBe("&quot;a&#39;&amp;");
    const chart = allocationChart(report().declared.allocations, report().live.allocations);
    expect(chart.match(/<rect class="bar/g)).toHaveLength(4);
    expect(chart).toContain('class="bar declared over" data-currency="AppPass" data-value="30"');
    const aiPool = /class="pool" x="\d+" y="\d+" width="(\d+)"/.exec(chart);
    expect(Number(aiPool?.[1])).toBeGreaterThan(0);
  });
});
