import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/core/plan/plan.js";
import {
  allocationMoves,
  availabilityQuery,
  checkAllocationAvailability,
  defaultEnvironmentId,
} from "../../src/core/plan/allocation-availability.js";
import type { LiveTenant } from "../../src/core/plan/live-tenant.js";
import type { DesiredState } from "../../src/core/plan/desired-state.js";
import {
  doc,
  desired,
  guid,
  liveTenant,
  PLAN_OPTIONS,
  wireEnv,
  wireLicenseGroup,
  wireSku,
} from "./builders.js";

function diagnosticsOf(state: DesiredState, live: LiveTenant, options = {}) {
  return buildPlan(state, live, { ...PLAN_OPTIONS, ...options }).diagnostics.map((d) => ({
    code: d.code,
    severity: d.severity,
    message: d.message,
    pointer: d.pointer,
    file: d.file,
  }));
}

describe("DLP connectors", () => {
  it("reports an unknown connector with a suggestion, at its list position", () => {
    const found = diagnosticsOf(
      desired(doc.dlp({ name: "p", connectors: { business: ["shared_sql", "shared_twiter"] } })),
      liveTenant(),
    );
    expect(found).toEqual([
      {
        code: "PPG401",
        severity: "error",
        message: expect.stringContaining(
          "connector 'shared_twiter' is not in the tenant's connector catalogue",
        ) as string,
        pointer: "/spec/connectors/business/1",
        file: "policies/DlpPolicy/p.yaml",
      },
    ]);
    expect(found[0]!.message).toContain("did you mean 'shared_twitter'?");
  });

  it("reports unknown connectors in connectorRules", () => {
    const found = diagnosticsOf(
      desired(doc.dlp({ name: "p", connectorRules: { shared_nope: { actions: { default: "allow" } } } })),
      liveTenant(),
    );
    expect(found.map((d) => [d.code, d.pointer])).toEqual([["PPG401", "/spec/connectorRules/shared_nope"]]);
  });

  it("refuses an unblockable connector in blocked", () => {
    const found = diagnosticsOf(
      desired(doc.dlp({ name: "p", connectors: { blocked: ["shared_approvals"] } })),
      liveTenant(),
    );
    expect(found.map((d) => [d.code, d.pointer])).toEqual([["PPG402", "/spec/connectors/blocked/0"]]);
    expect(found[0]!.message).toContain("cannot be blocked");
  });
});

describe("allocation availability (Learn: Get Allocations Availability V2)", () => {
  const live = liveTenant({
    environments: [
      ...liveTenant().environments,
      wireEnv({ id: guid(2), displayName: "Dev" }),
      wireEnv({ id: guid(3), displayName: "Other" }),
    ],
    allocations: {
      [guid(3)]: [{ currencyType: "AppPass", allocated: 4 }],
      [guid(2)]: [{ currencyType: "AppPass", allocated: 9 }],
    },
  });
  const dev = doc.environment({ name: "dev", displayName: "Dev" });
  const other = doc.environment({ name: "other", displayName: "Other" });

  function check(state: DesiredState, free: Record<string, Record<string, number>>) {
    const { changes } = buildPlan(state, live, PLAN_OPTIONS);
    const moves = allocationMoves(changes);
    const scope = defaultEnvironmentId(live);
    return {
      query: availabilityQuery(moves, scope),
      found: checkAllocationAvailability(moves, free, scope).map((d) => ({
        code: d.code,
        message: d.message,
        pointer: d.pointer,
        file: d.file,
      })),
    };
  }

  it("the plan check reads nothing itself: buildPlan reports no PPG403", () => {
    const state = desired(
      dev,
      doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: 99 } }),
    );
    expect(diagnosticsOf(state, live).filter((d) => d.code === "PPG403")).toEqual([]);
  });

  it("asks only for the environments the plan raises, and only their raised types", () => {
    const state = desired(
      dev,
      other,
      doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: 12, AI: 5 } }),
      doc.allocation({ name: "other", environment: "other", allocations: { AppPass: 2 } }),
    );
    expect(check(state, {}).query).toEqual({ environmentIds: [guid(2)], entitlementIds: ["AI", "AppPass"] });
  });

  it("asks nothing when the plan only lowers or keeps allocations", () => {
    const state = desired(
      dev,
      doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: 3 } }),
    );
    expect(check(state, {}).query).toBeUndefined();
  });

  it.each([
    { desiredUnits: 10, free: 1, errors: 0, why: "free + current = desired" },
    { desiredUnits: 11, free: 1, errors: 1, why: "one more than free + current" },
    { desiredUnits: 9, free: 0, errors: 0, why: "no raise" },
  ])("per environment: $why ($desiredUnits wanted, $free free, 9 held)", ({ desiredUnits, free, errors }) => {
    const state = desired(
      dev,
      doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: desiredUnits } }),
    );
    const { found } = check(state, { [guid(2)]: { AppPass: free } });
    expect(found).toHaveLength(errors);
    if (errors > 0)
      expect(found[0]).toEqual({
        code: "PPG403",
        message: `AppPass: Dev would hold ${desiredUnits}, but only ${free} more are free to allocate (it holds 9); lower the allocation or release units elsewhere first`,
        pointer: "/spec/allocations/AppPass",
        file: "policies/LicenseAllocation/dev.yaml",
      });
  });

  it("across environments: raises less releases must fit in what is free", () => {
    const raiseBoth = desired(
      dev,
      other,
      doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: 12 } }),
      doc.allocation({ name: "other", environment: "other", allocations: { AppPass: 7 } }),
    );
    const free = { [guid(2)]: { AppPass: 5 }, [guid(3)]: { AppPass: 5 } };
    expect(check(raiseBoth, free).found.map((d) => d.message)).toEqual([
      "AppPass allocations exceed what the tenant has free by 1: this plan raises 6 over 2 environments and releases 0, and 5 are free to allocate",
    ]);
    // Moving units from one environment to another fits even with nothing free.
    const move = desired(
      dev,
      other,
      doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: 11 } }),
      doc.allocation({ name: "other", environment: "other", allocations: { AppPass: 2 } }),
    );
    expect(check(move, { [guid(2)]: { AppPass: 2 } }).found).toEqual([]);
  });

  it("a new environment's raise is checked against the default environment's scope", () => {
    const state = desired(
      doc.environment({ name: "fresh", displayName: "Fresh" }),
      doc.allocation({ name: "fresh", environment: "fresh", allocations: { AI: 50 } }),
    );
    const scope = defaultEnvironmentId(live)!;
    const { query } = check(state, {});
    expect(query).toEqual({ environmentIds: [scope], entitlementIds: ["AI"] });
    expect(check(state, { [scope]: { AI: 49 } }).found.map((d) => d.message)).toEqual([
      "AI: fresh would hold 50, but only 49 more are free to allocate (a new environment); lower the allocation or release units elsewhere first",
    ]);
    expect(check(state, { [scope]: { AI: 50 } }).found).toEqual([]);
  });
});

describe("license assignments", () => {
  const SKU = guid(500);
  const live = liveTenant({
    subscribedSkus: [wireSku("POWERAPPS_PER_USER", SKU, 5, 4, [[guid(501), "FLOW_PER_USER"]])],
    licenseGroups: [wireLicenseGroup(guid(60)), wireLicenseGroup(guid(61), [{ skuId: SKU }])],
    licenseGroupMemberCounts: { [guid(60).toUpperCase()]: 3 },
  });

  it("refuses new assignments beyond the available seats", () => {
    const found = diagnosticsOf(
      desired(doc.assignment({ name: "makers", group: guid(60), licenses: [{ sku: "POWERAPPS_PER_USER" }] })),
      live,
    );
    expect(found.map((d) => [d.code, d.message])).toEqual([
      [
        "PPG404",
        "POWERAPPS_PER_USER: new assignments need 3 seats but 1 is available (5 enabled, 4 consumed)",
      ],
    ]);
  });

  it("does not count seats a group already holds", () => {
    const found = diagnosticsOf(
      desired(
        doc.assignment({
          name: "old",
          group: guid(61),
          licenses: [{ sku: SKU, disabledPlans: ["FLOW_PER_USER"] }],
        }),
      ),
      live,
    );
    expect(found).toEqual([]);
  });

  it("reports unknown SKUs, service plans and groups", () => {
    const found = diagnosticsOf(
      desired(
        doc.assignment({
          name: "x",
          group: guid(62),
          licenses: [{ sku: "POWERAPPS_PER_USR" }, { sku: SKU, disabledPlans: ["FLOW_PER_USR"] }],
        }),
      ),
      live,
    );
    expect(found.map((d) => [d.code, d.pointer])).toEqual([
      ["PPG411", "/spec/group"],
      ["PPG410", "/spec/licenses/0/sku"],
      ["PPG410", "/spec/licenses/1/disabledPlans/0"],
    ]);
    expect(found[0]!.message).toBe(`Entra group ${guid(62)} was not found in the tenant`);
    expect(found[1]!.message).toMatch(
      /^SKU 'POWERAPPS_PER_USR' is not subscribed in the tenant.*did you mean 'POWERAPPS_PER_USER'/,
    );
    expect(found[2]!.message).toMatch(
      /^service plan 'FLOW_PER_USR' is not part of POWERAPPS_PER_USER.*did you mean 'FLOW_PER_USER'/,
    );
  });
});

describe("protected deletes", () => {
  const live = liveTenant({
    environments: [
      ...liveTenant().environments,
      wireEnv({ id: guid(2), displayName: "Prod", type: "Production" }),
      wireEnv({ id: guid(3), displayName: "Sandbox" }),
    ],
  });

  it("refuses to delete a Production environment without the override", () => {
    const state = desired(
      doc.environment({ name: "prod", displayName: "Prod", type: "Production", ensure: "absent" }),
    );
    const found = diagnosticsOf(state, live);
    expect(found.map((d) => d.code)).toEqual(["PPG405"]);
    expect(found[0]!.message).toContain("protected (deletionProtection defaults to true for Production)");
    expect(diagnosticsOf(state, live, { allowProtectedDeletes: true })).toEqual([]);
  });

  it("honours deletionProtection either way, for replaces too", () => {
    expect(
      diagnosticsOf(
        desired(
          doc.environment({
            name: "prod",
            displayName: "Prod",
            type: "Production",
            ensure: "absent",
            deletionProtection: false,
          }),
        ),
        live,
      ),
    ).toEqual([]);
    const replace = diagnosticsOf(
      desired(
        doc.environment({ name: "sb", displayName: "Sandbox", location: "asia", deletionProtection: true }),
      ),
      live,
    );
    expect(replace.map((d) => [d.code, d.pointer])).toEqual([["PPG405", "/spec/deletionProtection"]]);
    expect(replace[0]!.message).toContain("would replace (location is create-only: europe → asia)");
  });

  it("protects pruned Production environments, and never deletes the default environment", () => {
    const pruned = diagnosticsOf(desired(doc.tenant({ prune: { Environment: true } })), live);
    expect(pruned.map((d) => [d.code, d.file])).toEqual([["PPG405", ""]]);
    const defaultGone = diagnosticsOf(
      desired(
        doc.environment({
          name: "d",
          displayName: "Contoso (default)",
          ensure: "absent",
          type: "Production",
        }),
      ),
      live,
      { allowProtectedDeletes: true },
    );
    expect(defaultGone.map((d) => d.code)).toEqual(["PPG405"]);
    expect(defaultGone[0]!.message).toContain("default environment");
  });
});

describe("group-locked settings and Dataverse-only fields", () => {
  it("refuses managed settings the environment group's rule set owns", () => {
    const live = liveTenant({
      environments: [
        ...liveTenant().environments,
        wireEnv({
          id: guid(2),
          displayName: "Dev",
          group: guid(70),
          managed: { protectionLevel: "Standard" },
        }),
      ],
      environmentGroups: [{ id: guid(70), displayName: "G" }],
      environmentGroupRuleSets: {
        [guid(70).toUpperCase()]: {
          id: "rs",
          parameters: [{ type: "Sharing", value: [{ id: "MaximumShareLimit", value: "42" }] }],
        },
      },
    });
    const found = diagnosticsOf(
      desired(
        doc.environment({
          name: "dev",
          displayName: "Dev",
          managed: { enabled: true, maxShareLimit: 5, solutionCheckerMode: "warn" },
        }),
      ),
      live,
    );
    // Every managed setting is refused in a group, the ones its rule set owns say so.
    expect(found.map((d) => [d.code, d.pointer])).toEqual([
      ["PPG406", "/spec/managed/maxShareLimit"],
      ["PPG406", "/spec/managed/solutionCheckerMode"],
    ]);
    expect(found[0]!.message).toContain("the group's Sharing rules govern it");
    const off = diagnosticsOf(
      desired(doc.environment({ name: "dev", displayName: "Dev", managed: { enabled: false } })),
      live,
    );
    expect(off.map((d) => [d.code, d.pointer])).toEqual([["PPG406", "/spec/managed/enabled"]]);
  });

  describe("any environment group blocks managed settings (Terraform provider: GovernanceConfigurationChangeBlockedByGroup)", () => {
    const live = liveTenant({
      environments: [
        ...liveTenant().environments,
        wireEnv({
          id: guid(2),
          displayName: "Dev",
          group: guid(71),
          managed: { protectionLevel: "Standard" },
        }),
      ],
      // A group without a rule set blocks them too.
      environmentGroups: [
        { id: guid(71), displayName: "No rules" },
        { id: guid(72), displayName: "Other" },
      ],
      environmentGroupRuleSets: {},
    });
    const managed = { enabled: true as const, maxShareLimit: 5 };

    it.each([
      [
        "a setting of an environment that stays in its group (group unmanaged)",
        { managed },
        [["PPG406", "/spec/managed/maxShareLimit"]],
      ],
      [
        "a setting of an environment moving to another group",
        { group: "other", managed },
        [["PPG406", "/spec/managed/maxShareLimit"]],
      ],
      ["no managed change", { managed: { enabled: true as const } }, []],
    ])("%s", (_what, spec, expected) => {
      const found = diagnosticsOf(
        desired(
          doc.group({ name: "other", displayName: "Other" }),
          doc.environment({ name: "dev", displayName: "Dev", ...spec }),
        ),
        live,
      );
      expect(found.filter((d) => d.code === "PPG406").map((d) => [d.code, d.pointer])).toEqual(expected);
    });

    it("a new environment created in a group cannot turn managed on (the settings call would be refused)", () => {
      const found = diagnosticsOf(
        desired(
          doc.group({ name: "other", displayName: "Other" }),
          doc.environment({
            name: "fresh",
            displayName: "Fresh",
            group: "other",
            managed: { enabled: true },
          }),
        ),
        live,
      );
      expect(found.map((d) => [d.code, d.pointer])).toEqual([["PPG406", "/spec/managed/enabled"]]);
      expect(found[0]!.message).toContain("GovernanceConfigurationChangeBlockedByGroup");
    });
  });

  it("refuses securityGroupId without Dataverse", () => {
    const found = diagnosticsOf(
      desired(doc.environment({ name: "x", displayName: "X", securityGroupId: guid(88) })),
      liveTenant(),
    );
    expect(found.map((d) => [d.code, d.pointer])).toEqual([["PPG415", "/spec/securityGroupId"]]);
  });
});
