import { describe, expect, it } from "vitest";
import { buildDesiredState, requiredLiveCollections } from "../../src/core/plan/desired-state.js";
import { emptyLiveTenant, type LiveTenant } from "../../src/core/plan/live-tenant.js";
import { buildPlan } from "../../src/core/plan/plan.js";
import { runPolicyRules } from "../../src/core/policy/rules/index.js";
import type { PolicyDocument, TenantIsolationSpec } from "../../src/core/policy/types.js";
import { loaded } from "../core/builders.js";

const TENANT = "00000000-0000-0000-0000-000000000001";
const FABRIKAM = "11111111-1111-1111-1111-111111111111";

function isolationDoc(spec: TenantIsolationSpec): PolicyDocument {
  return { apiVersion: "ppgov/v1", kind: "TenantIsolation", metadata: { name: "tenant-isolation" }, spec };
}

function liveWith(patch: Partial<LiveTenant>): LiveTenant {
  return {
    ...emptyLiveTenant(),
    tenantId: TENANT,
    tenantIsolation: {
      tenantId: TENANT,
      policy: { properties: { tenantId: TENANT, isDisabled: false, allowedTenants: [] } },
    },
    ...patch,
  };
}

function plan(spec: TenantIsolationSpec, live: LiveTenant) {
  return buildPlan(buildDesiredState([loaded(isolationDoc(spec))]), live, {
    createdAt: "2026-01-01T00:00:00.000Z",
  });
}

describe("TenantIsolation allowedTenants by domain (issue 23 item 6b)", () => {
  it("asks the reader to resolve the domains the document names, lower case", () => {
    const desired = buildDesiredState([
      loaded(
        isolationDoc({
          enabled: true,
          allowedTenants: [
            { domain: "Fabrikam.onmicrosoft.com", direction: "inbound" },
            { tenantId: FABRIKAM, direction: "both" },
          ],
        }),
      ),
    ]);
    expect(requiredLiveCollections(desired).tenantDomains).toEqual(["fabrikam.onmicrosoft.com"]);
    expect(requiredLiveCollections(buildDesiredState([])).tenantDomains).toBeUndefined();
  });

  it("puts the resolved id on the wire and shows the domain next to it in the plan", () => {
    const { plan: result, diagnostics } = plan(
      { enabled: true, allowedTenants: [{ domain: "fabrikam.onmicrosoft.com", direction: "outbound" }] },
      liveWith({ tenantDomains: { "fabrikam.onmicrosoft.com": FABRIKAM.toUpperCase() } }),
    );
    expect(diagnostics).toEqual([]);
    const resource = result.resources[0]!;
    expect(resource.changedPaths).toEqual([{ path: `/allowedTenants/${FABRIKAM}`, after: "outbound" }]);
    expect(resource.notes).toEqual({ [`/allowedTenants/${FABRIKAM}`]: "domain fabrikam.onmicrosoft.com" });
    expect(result.steps[0]!.body).toEqual({
      properties: {
        tenantId: TENANT,
        isDisabled: false,
        allowedTenants: [{ tenantId: FABRIKAM, direction: { inbound: false, outbound: true } }],
      },
    });
  });

  it("plans clean when the live policy already allows the domain's tenant", () => {
    const live = liveWith({
      tenantDomains: { "fabrikam.onmicrosoft.com": FABRIKAM },
      tenantIsolation: {
        tenantId: TENANT,
        policy: {
          properties: {
            tenantId: TENANT,
            isDisabled: false,
            allowedTenants: [{ tenantId: FABRIKAM, direction: { inbound: true, outbound: false } }],
          },
        },
      },
    });
    const { plan: result, diagnostics } = plan(
      { enabled: true, allowedTenants: [{ domain: "fabrikam.onmicrosoft.com", direction: "inbound" }] },
      live,
    );
    expect(diagnostics).toEqual([]);
    expect(result.resources[0]!.action).toBe("no-op");
  });

  it("an unknown domain is PPG417 at the entry's domain, naming the domain", () => {
    const { diagnostics } = plan(
      {
        enabled: true,
        allowedTenants: [
          { tenantId: FABRIKAM, direction: "inbound" },
          { domain: "nobody.example", direction: "both" },
        ],
      },
      liveWith({ tenantDomains: { "nobody.example": null } }),
    );
    expect(diagnostics.map((d) => [d.code, d.severity, d.file, d.pointer])).toEqual([
      ["PPG417", "error", "policies/TenantIsolation/tenant-isolation.yaml", "/spec/allowedTenants/1/domain"],
    ]);
    expect(diagnostics[0]!.line).toBe(5);
    expect(diagnostics[0]!.message).toContain("no Entra tenant has the domain 'nobody.example'");
  });

  it("a domain naming a tenant already listed by id is PPG418", () => {
    const { diagnostics } = plan(
      {
        enabled: true,
        allowedTenants: [
          { tenantId: FABRIKAM, direction: "inbound" },
          { domain: "fabrikam.onmicrosoft.com", direction: "outbound" },
        ],
      },
      liveWith({ tenantDomains: { "fabrikam.onmicrosoft.com": FABRIKAM } }),
    );
    expect(diagnostics.map((d) => [d.code, d.pointer])).toEqual([
      ["PPG418", "/spec/allowedTenants/1/domain"],
    ]);
    expect(diagnostics[0]!.message).toContain(
      `is tenant ${FABRIKAM}, already listed at spec.allowedTenants[0]`,
    );
  });

  it("validation (PPG316) compares domains with domains and ids with ids", () => {
    const diagnostics = runPolicyRules([
      loaded(
        isolationDoc({
          enabled: true,
          allowedTenants: [
            { domain: "fabrikam.onmicrosoft.com", direction: "inbound" },
            { domain: "FABRIKAM.onmicrosoft.com", direction: "outbound" },
            { tenantId: FABRIKAM, direction: "both" },
          ],
        }),
      ),
    ]);
    expect(diagnostics.map((d) => [d.code, d.pointer])).toEqual([
      ["PPG316", "/spec/allowedTenants/1/domain"],
    ]);
  });
});
