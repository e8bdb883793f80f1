import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { changedPaths, intendedState } from "../../src/core/plan/diff.js";
import { buildPlan } from "../../src/core/plan/plan.js";
import { simulateApply } from "../../src/core/plan/simulate.js";
import type { Json } from "../../src/core/kinds/json.js";
import type { LiveTenant } from "../../src/core/plan/live-tenant.js";
import type { DlpGroup, PolicyDocument } from "../../src/core/policy/types.js";
import {
  CONNECTORS,
  doc,
  desired,
  guid,
  liveTenant,
  PLAN_OPTIONS,
  wireLicenseGroup,
  wireSku,
} from "./builders.js";

const ENV_NAMES = ["dev", "test", "prod", "uat"] as const;
const GROUP_NAMES = ["g1", "g2"] as const;

const maybe = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arbitrary, { nil: undefined });

const absentArb = maybe(fc.constant("absent" as const));

const groupArb = fc.record({
  name: fc.constantFrom(...GROUP_NAMES),
  description: maybe(fc.constantFrom("", "EMEA", "Americas")),
  ensure: absentArb,
});

const managedArb = fc.record({
  enabled: fc.boolean(),
  maxShareLimit: maybe(fc.integer({ min: -1, max: 50 })),
  solutionCheckerMode: maybe(fc.constantFrom("none" as const, "warn" as const, "block" as const)),
  usageInsights: maybe(fc.boolean()),
  solutionCheckerRuleOverrides: maybe(fc.uniqueArray(fc.constantFrom("a", "b", "c"), { maxLength: 3 })),
});

const environmentArb = fc.record({
  name: fc.constantFrom(...ENV_NAMES),
  type: fc.constantFrom("Sandbox" as const, "Production" as const, "Developer" as const),
  location: fc.constantFrom("europe", "unitedstates"),
  description: maybe(fc.constantFrom("", "one", "two")),
  group: maybe(fc.constantFrom(...GROUP_NAMES)),
  adminMode: maybe(fc.boolean()),
  updateCadence: maybe(fc.constantFrom("Frequent" as const, "Moderate" as const)),
  dataverse: maybe(
    fc.record({ language: fc.constantFrom(1033, 1036), currency: fc.constantFrom("USD", "EUR") }),
  ),
  managed: maybe(managedArb),
  ensure: absentArb,
});

const connectorChoiceArb = fc.tuple(
  ...CONNECTORS.map(() =>
    fc.constantFrom<DlpGroup | "unlisted">("business", "nonBusiness", "blocked", "unlisted"),
  ),
);

const dlpArb = fc.record({
  name: fc.constantFrom("p1", "p2"),
  defaultGroup: fc.constantFrom<DlpGroup>("business", "nonBusiness", "blocked"),
  choices: connectorChoiceArb,
  scope: fc.constantFrom("all", "only", "except"),
  scopeEnvs: fc.uniqueArray(fc.constantFrom(...ENV_NAMES), { minLength: 1 }),
  sqlRules: fc.boolean(),
  patterns: fc.boolean(),
  ensure: absentArb,
});

const SKUS = [guid(500), guid(510)];
const PLANS = [guid(501), guid(502)];
const ENTRA_GROUPS = [guid(60), guid(61)];

const assignmentArb = fc.record({
  group: fc.constantFrom(...ENTRA_GROUPS),
  licenses: fc.uniqueArray(
    fc.record({ sku: fc.constantFrom(...SKUS), disabled: fc.uniqueArray(fc.constantFrom(...PLANS)) }),
    {
      selector: (license) => license.sku,
    },
  ),
  ensure: absentArb,
});

const stateArb = fc.record({
  groups: fc.uniqueArray(groupArb, { selector: (g) => g.name }),
  environments: fc.uniqueArray(environmentArb, { selector: (e) => e.name, maxLength: 4 }),
  policies: fc.uniqueArray(dlpArb, { selector: (p) => p.name }),
  allocations: fc.dictionary(fc.constantFrom(...ENV_NAMES), fc.integer({ min: 0, max: 3 })),
  billing: maybe(
    fc.record({
      status: maybe(fc.constantFrom("Enabled" as const, "Disabled" as const)),
      envs: fc.uniqueArray(fc.constantFrom(...ENV_NAMES)),
    }),
  ),
  assignments: fc.uniqueArray(assignmentArb, { selector: (a) => a.group }),
  prune: fc.record({
    EnvironmentGroup: fc.boolean(),
    Environment: fc.boolean(),
    DlpPolicy: fc.boolean(),
    BillingPolicy: fc.boolean(),
    LicenseAllocation: fc.boolean(),
    LicenseAssignment: fc.boolean(),
  }),
});

type State = typeof stateArb extends fc.Arbitrary<infer T> ? T : never;

/** Documents for a generated state; references only point at declared names. */
function documents(state: State): PolicyDocument[] {
  const groups = new Set(state.groups.filter((g) => g.ensure === undefined).map((g) => g.name));
  const declared = new Set<string>(
    state.environments.filter((e) => e.ensure === undefined).map((e) => e.name),
  );
  const refs = (names: readonly string[]): string[] => names.filter((name) => declared.has(name));
  const docs: PolicyDocument[] = [doc.tenant({ prune: state.prune })];
  for (const group of state.groups)
    docs.push(
      doc.group({
        name: group.name,
        displayName: `Group ${group.name}`,
        description: group.description,
        ensure: group.ensure,
      }),
    );
  for (const env of state.environments) {
    const group = env.group !== undefined && groups.has(env.group) ? env.group : undefined;
    docs.push(
      doc.environment({
        ...env,
        displayName: `Env ${env.name}`,
        group,
        // An environment in a group cannot have managed settings (PPG406): only valid documents here.
        managed: group === undefined ? env.managed : undefined,
      }),
    );
  }
  for (const policy of state.policies) {
    const connectors: Partial<Record<DlpGroup, string[]>> = {};
    policy.choices.forEach((choice, index) => {
      const name = CONNECTORS[index]!;
      if (choice === "unlisted" || (choice === "blocked" && name === "shared_approvals")) return;
      (connectors[choice] ??= []).push(name);
    });
    const scoped = refs(policy.scopeEnvs);
    docs.push(
      doc.dlp({
        name: policy.name,
        displayName: `Policy ${policy.name}`,
        ensure: policy.ensure,
        defaultGroup: policy.defaultGroup,
        connectors,
        scope:
          policy.scope === "all" || scoped.length === 0
            ? { all: true }
            : policy.scope === "only"
              ? { only: scoped }
              : { except: scoped },
        ...(policy.sqlRules
          ? {
              connectorRules: {
                shared_sql: {
                  actions: { default: "block", allow: ["Read"] },
                  endpoints: [{ allow: "contoso.com" }, { deny: "*" }],
                },
              },
            }
          : {}),
        ...(policy.patterns
          ? {
              customConnectorUrlPatterns: [
                { pattern: "https://*.contoso.com", group: "business" },
                { pattern: "*", group: "ignore" },
              ],
            }
          : {}),
      }),
    );
  }
  for (const [env, units] of Object.entries(state.allocations))
    if (declared.has(env))
      docs.push(doc.allocation({ name: env, environment: env, allocations: { AppPass: units } }));
  for (const assignment of state.assignments)
    docs.push(
      doc.assignment({
        name: `a${assignment.group.slice(-2)}`,
        group: assignment.group,
        licenses: assignment.licenses.map((license) => ({
          sku: license.sku,
          disabledPlans: license.disabled,
        })),
        ...(assignment.ensure ? { ensure: assignment.ensure } : {}),
      }),
    );
  if (state.billing)
    docs.push(
      doc.billing({
        name: "payg",
        displayName: "PAYG",
        status: state.billing.status,
        environments: refs(state.billing.envs),
      }),
    );
  return docs;
}

function planAgainst(state: State, live: LiveTenant) {
  return buildPlan(desired(...documents(state)), live, { ...PLAN_OPTIONS, allowProtectedDeletes: true });
}

const base = liveTenant({
  subscribedSkus: SKUS.map((sku, i) =>
    wireSku(
      `SKU${i}`,
      sku,
      100,
      0,
      PLANS.map((plan, j) => [plan, `PLAN${j}`] as [string, string]),
    ),
  ),
  licenseGroups: ENTRA_GROUPS.map((id) => wireLicenseGroup(id)),
});

describe("properties", () => {
  it("the diff of a form with itself is empty, and overlaying it on itself changes nothing", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const object = { value } as Json;
        expect(
          changedPaths(object, structuredClone(object), {
            partialPaths: [""],
            atomicPaths: [],
            ignorePaths: [],
            ignoreWhenLiveAbsent: [],
          }),
        ).toEqual([]);
        expect(intendedState(object, structuredClone(object), [""])).toEqual(object);
      }),
    );
  });

  it("applying a plan, then planning again, is empty — from any state to any state", () => {
    const seen = { create: 0, update: 0, replace: 0, delete: 0, "no-op": 0 };
    fc.assert(
      fc.property(stateArb, stateArb, (from, to) => {
        const start = simulateApply(planAgainst(from, base).plan, base);
        const first = planAgainst(to, start);
        // An environment left in its live group cannot take managed settings (PPG406): not a valid target.
        fc.pre(!first.diagnostics.some((d) => d.code === "PPG406"));
        expect(first.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        for (const resource of first.plan.resources) seen[resource.action] += 1;
        const after = simulateApply(first.plan, start);
        const second = planAgainst(to, after);
        expect(second.plan.steps).toEqual([]);
        expect(second.plan.resources.filter((r) => r.action !== "no-op")).toEqual([]);
      }),
      { numRuns: 150 },
    );
    // The generator really exercises the actions (replaces are rarer; plan.test.ts covers them).
    expect(Math.min(seen.create, seen.update, seen.delete, seen["no-op"])).toBeGreaterThan(20);
  });

  it("planning is deterministic and idempotent on its own output", () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const once = planAgainst(state, base).plan;
        expect(planAgainst(state, structuredClone(base)).plan).toEqual(once);
      }),
      { numRuns: 50 },
    );
  });
});
