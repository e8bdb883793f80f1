import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/core/plan/plan.js";
import { simulateApply } from "../../src/core/plan/simulate.js";
import { liveFingerprints } from "../../src/core/plan/stale.js";
import type { LiveTenant } from "../../src/core/plan/live-tenant.js";
import type { WireRuleSet } from "../../src/core/kinds/rule-set.js";
import type { WireBillingPolicy } from "../../src/core/wire/types.js";
import { doc, desired, PLAN_OPTIONS } from "./builders.js";

interface SampleSeed {
  tenantId: string;
  environments: LiveTenant["environments"];
  environmentGroups: LiveTenant["environmentGroups"];
  ruleSets: (WireRuleSet & { environmentFilter: { values: { id: string }[] } })[];
  dlpPolicies: LiveTenant["dlpPolicies"];
  connectors: LiveTenant["connectors"];
  unblockableConnectors: { id: string }[];
  billingPolicies: WireBillingPolicy[];
  billingPolicyEnvironments: Record<string, string[]>;
  allocations: LiveTenant["allocations"];
  currencyPool: Record<string, number>;
  subscribedSkus: LiveTenant["subscribedSkus"];
  groups: LiveTenant["licenseGroups"];
  groupMemberCounts: Record<string, number>;
}

/** The emulator's sample seed (wire-format objects), read as the tenant reader would present it. */
function sampleTenant(): LiveTenant {
  const seed = JSON.parse(
    readFileSync(new URL("../../fixtures/seeds/sample-tenant.json", import.meta.url), "utf8"),
  ) as SampleSeed;
  return {
    tenantId: seed.tenantId,
    environments: seed.environments,
    environmentGroups: seed.environmentGroups,
    environmentGroupRuleSets: Object.fromEntries(
      seed.ruleSets.map((ruleSet) => [ruleSet.environmentFilter.values[0]!.id, ruleSet]),
    ),
    dlpPolicies: seed.dlpPolicies,
    connectors: seed.connectors,
    unblockableConnectorIds: seed.unblockableConnectors.map((connector) => connector.id),
    virtualConnectors: [],
    billingPolicies: seed.billingPolicies.map((policy) => ({
      policy,
      environmentIds: seed.billingPolicyEnvironments[policy.id] ?? [],
    })),
    allocations: seed.allocations,
    subscribedSkus: seed.subscribedSkus,
    licenseGroups: seed.groups,
    licenseGroupMemberCounts: seed.groupMemberCounts,
  };
}

describe("the sample tenant", () => {
  const live = sampleTenant();

  it("fingerprints every live object", () => {
    const fingerprints = liveFingerprints(live);
    expect(fingerprints.size).toBeGreaterThanOrEqual(live.environments.length + live.dlpPolicies.length);
    for (const environment of live.environments)
      expect(fingerprints.has(`Environment:${environment.name.toLowerCase()}`)).toBe(true);
  });

  it("prunes everything not ignored, never the default environment, and converges", () => {
    const state = desired(
      doc.tenant({
        prune: {
          EnvironmentGroup: true,
          Environment: true,
          DlpPolicy: true,
          BillingPolicy: true,
          LicenseAllocation: true,
          LicenseAssignment: true,
        },
        ignore: ["Trial - *"],
      }),
    );
    const first = buildPlan(state, live, { ...PLAN_OPTIONS, allowProtectedDeletes: true });
    expect(first.diagnostics).toEqual([]);
    expect(first.plan.summary.destroy).toBeGreaterThan(10);
    const after = simulateApply(first.plan, live);
    const remaining = after.environments.map((environment) => environment.properties.displayName);
    expect(after.environments.some((environment) => environment.properties.isDefault === true)).toBe(true);
    expect(
      remaining.filter(
        (name) =>
          !name.startsWith("Trial - ") &&
          !after.environments.find((e) => e.properties.displayName === name)?.properties.isDefault,
      ),
    ).toEqual([]);
    expect(after.dlpPolicies).toEqual([]);
    expect(after.environmentGroups).toEqual([]);
    const second = buildPlan(state, after, { ...PLAN_OPTIONS, allowProtectedDeletes: true });
    expect(second.plan.steps).toEqual([]);
  });

  it("refuses to prune protected environments without the override", () => {
    const state = desired(doc.tenant({ prune: { Environment: true } }));
    const { diagnostics } = buildPlan(state, live, PLAN_OPTIONS);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(new Set(diagnostics.map((d) => d.code))).toEqual(new Set(["PPG405"]));
  });
});
