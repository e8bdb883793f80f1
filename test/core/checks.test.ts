import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/core/plan/plan.js";
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

describe("allocation pool", () => {
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
    currencyPool: { AppPass: 10 },
  });

  it("shows owned, allocated elsewhere and requested per currency type", () => {
    const found = diagnosticsOf(
      desired(
        doc.environment({ name: "dev", displayName: "Dev" }),
        doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: 7, AI: 0 } }),
      ),
      live,
    );
    expect(found).toEqual([
      {
        code: "PPG403",
        severity: "error",
        message:
          "AppPass allocations exceed the tenant's pool by 1: owned 10, already allocated elsewhere 4, requested 7 (1 document)",
        pointer: "/spec/allocations/AppPass",
        file: "policies/LicenseAllocation/dev.yaml",
      },
    ]);
  });

  it("fits when the environment's own current allocation is replaced, or others are pruned", () => {
    const dev = doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: 6 } });
    expect(diagnosticsOf(desired(doc.environment({ name: "dev", displayName: "Dev" }), dev), live)).toEqual(
      [],
    );
    const pruned = desired(
      doc.tenant({ prune: { LicenseAllocation: true } }),
      doc.environment({ name: "dev", displayName: "Dev" }),
      doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: 10 } }),
    );
    expect(diagnosticsOf(pruned, live)).toEqual([]);
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
    expect(found.map((d) => [d.code, d.pointer])).toEqual([["PPG406", "/spec/managed/maxShareLimit"]]);
    const off = diagnosticsOf(
      desired(doc.environment({ name: "dev", displayName: "Dev", managed: { enabled: false } })),
      live,
    );
    expect(off.map((d) => [d.code, d.pointer])).toEqual([["PPG406", "/spec/managed/enabled"]]);
  });

  it("refuses securityGroupId without Dataverse", () => {
    const found = diagnosticsOf(
      desired(doc.environment({ name: "x", displayName: "X", securityGroupId: guid(88) })),
      liveTenant(),
    );
    expect(found.map((d) => [d.code, d.pointer])).toEqual([["PPG415", "/spec/securityGroupId"]]);
  });
});
