import { describe, expect, it } from "vitest";
import { annotatePlan, withDlpEffect } from "../../src/app/impact.js";
import { canonicalFromChanges, planDlpEffect } from "../../src/core/effective/index.js";
import { impactOf } from "../../src/core/impact/index.js";
import { buildPlan, verifyPlanDigest } from "../../src/core/plan/index.js";
import { renderPlanMarkdown } from "../../src/render/plan-markdown.js";
import { renderPlanText } from "../../src/render/plan-text.js";
import { desired, doc, guid, liveTenant, PLAN_OPTIONS, wireDlp, wireEnv } from "../core/builders.js";

const SALES = guid(2);
const HR = guid(3);

function live() {
  return liveTenant({
    environments: [
      wireEnv({ id: guid(1), displayName: "Contoso (default)", type: "Default", isDefault: true }),
      wireEnv({ id: SALES, displayName: "Sales" }),
      wireEnv({ id: HR, displayName: "HR" }),
    ],
    dlpPolicies: [wireDlp({ id: guid(10), displayName: "baseline", business: ["shared_sql"] })],
  });
}

function planFor(...documents: Parameters<typeof desired>) {
  const tenant = live();
  return { tenant, plan: buildPlan(desired(...documents), tenant, PLAN_OPTIONS).plan };
}

describe("the plan's DLP effect", () => {
  it("a new policy blocking SQL in HR only moves SQL in HR, nothing else", () => {
    const { tenant, plan } = planFor(
      doc.dlp({ name: "baseline", connectors: { business: ["shared_sql"] } }),
      doc.dlp({ name: "lock-hr", scope: { only: [`id:${HR}`] }, connectors: { blocked: ["shared_sql"] } }),
    );
    expect(planDlpEffect(plan, tenant)).toEqual([
      {
        environmentId: HR,
        environmentName: "HR",
        moves: [{ connector: "shared_sql", before: "business", after: "blocked" }],
      },
    ]);
  });

  it("uses the planner's canonical forms of the live policies instead of building them again", () => {
    const tenant = live();
    const result = buildPlan(
      desired(
        doc.dlp({ name: "baseline", connectors: { business: ["shared_sql"] } }),
        doc.dlp({ name: "lock-hr", scope: { only: [`id:${HR}`] }, connectors: { blocked: ["shared_sql"] } }),
      ),
      tenant,
      PLAN_OPTIONS,
    );
    const known = canonicalFromChanges(result.changes);
    const baseline = tenant.dlpPolicies[0]!;
    expect(known(baseline)?.connectors.shared_sql).toBe("business");
    expect(planDlpEffect(result.plan, tenant, known)).toEqual(planDlpEffect(result.plan, tenant));
    // A form the caller hands in is the one used: one saying SQL was already blocked leaves nothing to move.
    const blocked = structuredClone(known(baseline)!);
    blocked.connectors.shared_sql = "blocked";
    expect(
      planDlpEffect(result.plan, tenant, (policy) => (policy === baseline ? blocked : undefined)),
    ).toEqual([]);
  });

  it("a plan without DLP changes has no effect and keeps its digest", () => {
    const { tenant, plan } = planFor(doc.dlp({ name: "baseline", connectors: { business: ["shared_sql"] } }));
    expect(plan.summary.change + plan.summary.add).toBe(0);
    expect(withDlpEffect(plan, tenant)).toBe(plan);
  });

  it("annotating adds effect and impact and keeps the digest valid", () => {
    const { tenant, plan } = planFor(
      doc.dlp({ name: "baseline", connectors: { nonBusiness: ["shared_sql"] } }),
    );
    const annotated = withDlpEffect(plan, tenant);
    expect(annotated.effect?.map((entry) => entry.environmentName)).toEqual([
      "Contoso (default)",
      "HR",
      "Sales",
    ]);
    expect(verifyPlanDigest(annotated)).toBe(true);
    expect(annotated.planDigest).not.toBe(plan.planDigest);
    const impact = impactOf(annotated.effect ?? [], {
      items: [
        { kind: "app", id: "a1", displayName: "Expenses", environmentId: SALES, connectors: ["shared_sql"] },
        { kind: "flow", id: "f1", displayName: "Sync", environmentId: SALES, connectors: ["shared_twitter"] },
      ],
      environmentsRead: [SALES, HR],
      environmentsNotRead: [{ environmentId: guid(1), reason: "time budget of 1 s spent" }],
    });
    const withImpact = annotatePlan(annotated, { effect: annotated.effect ?? [], impact });
    expect(verifyPlanDigest(withImpact)).toBe(true);
    const markdown = renderPlanMarkdown(withImpact);
    expect(markdown).toContain("### Effect on environments");
    expect(markdown).toContain("| Sales | `shared_sql` | business | non-business | 1 | 0 |");
    expect(markdown).toContain("| HR | `shared_sql` | business | non-business | 0 | 0 |");
    expect(markdown).toContain("**1 apps, 0 flows**");
    expect(markdown).toContain("Impact analysis stopped early: 1 environment was not fully read");
    const text = renderPlanText(withImpact, { color: false });
    expect(text).toContain("Effect on environments (all DLP policies that apply, combined):");
    // Environments with the same moves and counts share a heading; Sales's count differs.
    expect(text).toContain(
      "  Contoso (default), HR:\n      business → non-business: shared_sql (0 apps/flows)",
    );
    expect(text).toContain("  Sales:\n      business → non-business: shared_sql (1 apps/flows)");
    expect(text).toContain("  Apps and flows using moved connectors: 1 apps, 0 flows.");
    expect(text).toContain("Contoso (default) (time budget of 1 s spent) not fully read");
  });
});
