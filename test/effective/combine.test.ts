import { describe, expect, it } from "vitest";
import {
  combineGroups,
  dlpEffect,
  effectivePolicy,
  environmentViewsOf,
  policyViewsOf,
  type EffectiveGroup,
} from "../../src/core/effective/index.js";
import type { DlpGroup } from "../../src/core/policy/types.js";
import { guid, liveTenant, wireDlp, wireEnv } from "../core/builders.js";

const DEFAULT = guid(1);
const SALES = guid(2);
const HR = guid(3);

function tenant(policies: Parameters<typeof wireDlp>[0][]) {
  return liveTenant({
    environments: [
      wireEnv({ id: DEFAULT, displayName: "Contoso (default)", type: "Default", isDefault: true }),
      wireEnv({ id: SALES, displayName: "Sales" }),
      wireEnv({ id: HR, displayName: "HR" }),
    ],
    dlpPolicies: policies.map(wireDlp),
  });
}

function explain(live: ReturnType<typeof tenant>, environmentId: string) {
  const environment = environmentViewsOf(live).find((view) => view.id === environmentId);
  if (environment === undefined) throw new Error(`no environment ${environmentId}`);
  return effectivePolicy(policyViewsOf(live), environment);
}

function groupOf(live: ReturnType<typeof tenant>, environmentId: string, connector: string): EffectiveGroup {
  return (
    explain(live, environmentId).connectors.find((entry) => entry.connector === connector)?.group ??
    "unrestricted"
  );
}

describe("combineGroups: blocked anywhere wins, business with non-business is mixed", () => {
  const cases: [DlpGroup[], EffectiveGroup][] = [
    [[], "unrestricted"],
    [["business"], "business"],
    [["nonBusiness"], "nonBusiness"],
    [["blocked"], "blocked"],
    [["business", "business"], "business"],
    [["business", "nonBusiness"], "mixed"],
    [["nonBusiness", "business"], "mixed"],
    [["business", "blocked"], "blocked"],
    [["nonBusiness", "blocked", "business"], "blocked"],
    [["nonBusiness", "nonBusiness"], "nonBusiness"],
  ];
  it.each(cases)("%j → %s", (groups, expected) => {
    expect(combineGroups(groups)).toBe(expected);
  });
});

describe("which policies apply to an environment, and why", () => {
  const live = tenant([
    { id: guid(10), displayName: "Tenant baseline", nonBusiness: ["shared_sql"] },
    {
      id: guid(11),
      displayName: "Sales only",
      environmentType: "OnlyEnvironments",
      environments: [SALES],
      business: ["shared_sql"],
    },
    {
      id: guid(12),
      displayName: "All but HR",
      environmentType: "ExceptEnvironments",
      environments: [HR],
      blocked: ["shared_twitter"],
    },
  ]);
  const cases: [string, string, string[]][] = [
    ["Sales", SALES, ["All but HR:except", "Sales only:only", "Tenant baseline:all"]],
    ["HR", HR, ["Tenant baseline:all"]],
    ["default", DEFAULT, ["All but HR:except", "Tenant baseline:all"]],
  ];
  it.each(cases)("%s", (_label, environmentId, expected) => {
    const applied = explain(live, environmentId).applied.map(
      (entry) => `${entry.displayName}:${entry.reason}`,
    );
    expect(applied).toEqual(expected);
  });

  it("says why in words", () => {
    const why = explain(live, DEFAULT).applied.map((entry) => entry.why);
    expect(why[0]).toMatch(/except those it lists/);
    expect(why[1]).toBe("applies to every environment");
  });

  it("flags a connector business in one policy and non-business in another", () => {
    const sales = explain(live, SALES);
    expect(sales.mixed).toEqual(["shared_sql"]);
    expect(sales.connectors.find((entry) => entry.connector === "shared_sql")?.byPolicy).toEqual({
      [guid(11)]: "business",
      [guid(10)]: "nonBusiness",
      [guid(12)]: "nonBusiness",
    });
    expect(explain(live, HR).mixed).toEqual([]);
  });

  const groups: [string, string, string, EffectiveGroup][] = [
    ["blocked by the except policy in Sales", SALES, "shared_twitter", "blocked"],
    ["HR is outside the except policy", HR, "shared_twitter", "nonBusiness"],
    ["mixed in Sales", SALES, "shared_sql", "mixed"],
    ["only the baseline in HR", HR, "shared_sql", "nonBusiness"],
  ];
  it.each(groups)("%s", (_label, environmentId, connector, expected) => {
    expect(groupOf(live, environmentId, connector)).toBe(expected);
  });

  it("an environment no policy covers is unrestricted", () => {
    const only = tenant([
      { id: guid(11), displayName: "Sales only", environmentType: "OnlyEnvironments", environments: [SALES] },
    ]);
    const hr = explain(only, HR);
    expect(hr.applied).toEqual([]);
    expect(hr.connectors.every((entry) => entry.group === "unrestricted")).toBe(true);
  });
});

describe("dlpEffect: environments whose classification moves", () => {
  const before = tenant([{ id: guid(10), displayName: "Baseline", business: ["shared_sql"] }]);

  it("no change, no effect", () => {
    expect(dlpEffect(before, structuredClone(before))).toEqual([]);
  });

  it("blocking a connector in one environment moves it there only", () => {
    const after = tenant([
      { id: guid(10), displayName: "Baseline", business: ["shared_sql"] },
      {
        id: guid(11),
        displayName: "Lock HR",
        environmentType: "OnlyEnvironments",
        environments: [HR],
        blocked: ["shared_sql"],
      },
    ]);
    const effect = dlpEffect(before, after);
    expect(effect).toHaveLength(1);
    expect(effect[0]?.environmentName).toBe("HR");
    const sql = effect[0]?.moves.find((move) => move.connector === "shared_sql");
    expect(sql).toEqual({ connector: "shared_sql", before: "business", after: "blocked" });
  });

  it("reclassifying in the tenant-wide policy moves it everywhere", () => {
    const after = tenant([{ id: guid(10), displayName: "Baseline", nonBusiness: ["shared_sql"] }]);
    const effect = dlpEffect(before, after);
    expect(effect.map((entry) => entry.environmentName)).toEqual(["Contoso (default)", "HR", "Sales"]);
    for (const entry of effect)
      expect(entry.moves).toEqual([{ connector: "shared_sql", before: "business", after: "nonBusiness" }]);
  });
});
