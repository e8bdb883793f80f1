import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/core/plan/plan.js";
import { renderPlanJson } from "../../src/render/plan-json.js";
import { escapeMarkdown, renderPlanMarkdown } from "../../src/render/plan-markdown.js";
import { renderPlanText } from "../../src/render/plan-text.js";
import { doc, desired, guid, liveTenant, PLAN_OPTIONS, wireDlp, wireEnv, wireGroup } from "./builders.js";

const live = liveTenant({
  environments: [
    ...liveTenant().environments,
    wireEnv({ id: guid(2), displayName: "Dev", description: "old" }),
    wireEnv({ id: guid(3), displayName: "Moving", location: "europe" }),
  ],
  environmentGroups: [wireGroup(guid(71), "Stray")],
  dlpPolicies: [wireDlp({ id: guid(300), displayName: "Base", business: ["shared_sql"] })],
});

const state = desired(
  doc.tenant({ prune: { EnvironmentGroup: true } }),
  doc.group({ name: "emea", displayName: "EMEA" }),
  doc.environment({ name: "dev", displayName: "Dev", description: "new" }),
  doc.environment({ name: "moving", displayName: "Moving", location: "unitedstates" }),
  doc.dlp({
    name: "base",
    displayName: "Base",
    defaultGroup: "blocked",
    connectors: { business: ["shared_sql"] },
    scope: { only: ["dev"] },
  }),
);

const { plan } = buildPlan(state, live, PLAN_OPTIONS);

describe("renderPlanText", () => {
  const text = renderPlanText(plan, { color: false });

  it("uses Terraform's symbols and ends with the summary line", () => {
    expect(text).toContain('  + EnvironmentGroup/emea ("EMEA")');
    expect(text).toContain(`  ~ Environment/dev ("Dev", ${guid(2)})`);
    expect(text).toContain(`-/+ Environment/moving ("Moving", ${guid(3)})`);
    expect(text).toContain(`  - EnvironmentGroup/id:${guid(71)} ("Stray", ${guid(71)})`);
    expect(text.trimEnd().split("\n").at(-1)).toBe("Plan: 2 to add, 2 to change, 2 to destroy.");
  });

  it("shows changed fields before → after, the replace reason, and DLP effects via the default group", () => {
    expect(text).toContain('      ~ description: "old" → "new"');
    expect(text).toContain(
      "  # Environment/moving must be replaced: location is create-only: europe → unitedstates",
    );
    expect(text).toContain("      ~ connectors.shared_twitter: nonBusiness → blocked (via defaultGroup)");
    expect(text).toContain(`      ~ scope.environments: + "Dev" (${guid(2)})`);
    expect(text).toContain('      ~ scope.type: "all" → "only"');
  });

  it("colours only when asked", () => {
    expect(text).not.toContain("\u001b[");
    expect(renderPlanText(plan, { color: true })).toContain("\u001b[32m");
  });

  it("says so when nothing changes, and prints the footer", () => {
    const empty = buildPlan(desired(), liveTenant(), PLAN_OPTIONS).plan;
    expect(renderPlanText(empty, { color: false, footer: { apiCalls: 12, throttled: 1 } })).toBe(
      "No changes. The tenant matches the policies.\n\n12 API calls, 1 throttled (429)\n",
    );
  });

  it("summarises long runs of connector changes by resulting group", () => {
    const created = buildPlan(
      desired(doc.dlp({ name: "wide" })),
      liveTenant({
        connectors: Array.from({ length: 40 }, (_, i) => ({
          name: `c${i}`,
          id: `/providers/Microsoft.PowerApps/apis/c${i}`,
          properties: { displayName: `C${i}` },
        })),
      }),
      PLAN_OPTIONS,
    ).plan;
    expect(renderPlanText(created, { color: false })).toContain("      + connectors (40): nonBusiness: 40");
  });
});

describe("renderPlanMarkdown", () => {
  const markdown = renderPlanMarkdown(plan);

  it("has a summary table and one section per kind", () => {
    expect(markdown).toContain("| ➕ add | 1 |");
    expect(markdown).toContain("| ♻️ replace | 1 |");
    expect(markdown).toContain("### Environment (2)");
    expect(markdown).toContain("### DlpPolicy (1)");
    expect(markdown).toContain("**Plan: 2 to add, 2 to change, 2 to destroy.**");
    // Every diff line stays inside its list item.
    expect(markdown).toContain(
      "\n  ! connectors.shared_twitter: nonBusiness → blocked (via defaultGroup)\n  ! ",
    );
  });

  it("folds long diffs into <details>", () => {
    expect(renderPlanMarkdown(plan, { foldAfterLines: 1 })).toContain("<details><summary>");
    expect(markdown).not.toContain("<details>");
  });

  it("stays within a length limit, saying how many changes it left out", () => {
    const limited = renderPlanMarkdown(plan, { maxLength: 1200 });
    expect(limited.length).toBeLessThanOrEqual(1200);
    expect(limited).toContain("**Plan: 2 to add, 2 to change, 2 to destroy.**");
    expect(limited).toMatch(
      /_… and \d+ more resource changes? (is|are) not shown here to stay within the length limit/,
    );
    expect(renderPlanMarkdown(plan, { maxLength: 100_000 })).toBe(markdown);
  });

  it("escapes user strings: no HTML or markup injection", () => {
    const hostile = buildPlan(
      desired(doc.group({ name: "x", displayName: "<img src=x> **bold** ```" })),
      liveTenant(),
      PLAN_OPTIONS,
    ).plan;
    const rendered = renderPlanMarkdown(hostile);
    // Raw only inside the diff fence (which a longer fence keeps closed), escaped everywhere else.
    const raw = rendered.split("\n").filter((line) => line.includes("<img"));
    expect(raw).toEqual(['  + displayName = "<img src=x> **bold** ```"']);
    expect(rendered).toContain("&lt;img src=x&gt; \\*\\*bold\\*\\*");
    expect(rendered).toContain("````diff");
    expect(escapeMarkdown("a|b")).toBe("a\\|b");
    // Control and bidi characters are shown as escapes, not obeyed; line breaks stay spaces.
    const hidden = escapeMarkdown("ok\u001b[2K\rhidden \u202Edef");
    expect([...hidden].filter((char) => ["\u001b", "\r", "\u202e"].includes(char))).toEqual([]);
    expect(hidden).toContain("\\\\u{001b}");
    expect(hidden).toContain("\\\\u{202e}");
    expect(escapeMarkdown("a\r\nb")).toBe("a b");
  });
});

describe("renderPlanJson", () => {
  it("is stable JSON that parses back to the plan", () => {
    const json = renderPlanJson(plan);
    expect(JSON.parse(json)).toEqual(plan);
    expect(json).toBe(renderPlanJson(JSON.parse(json) as typeof plan));
    expect(json.indexOf('"createdAt"')).toBeLessThan(json.indexOf('"desiredDigest"'));
  });
});
