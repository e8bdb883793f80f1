import { readFileSync } from "node:fs";
import { TF_FIXTURES } from "../helpers/tf-fixtures.js";
import { describe, expect, it } from "vitest";
import { exportRequirements, exportTenant, renderExportFiles } from "../../src/core/export/index.js";
import { TENANT_SETTING_PATHS } from "../../src/core/kinds/tenant-settings.js";
import { buildDesiredState } from "../../src/core/plan/desired-state.js";
import { emptyLiveTenant, type LiveTenant } from "../../src/core/plan/live-tenant.js";
import { buildPlan } from "../../src/core/plan/plan.js";
import type { WireTenantSettings } from "../../src/core/wire/types.js";
import { renderPlanMarkdown } from "../../src/render/plan-markdown.js";
import { renderPlanText } from "../../src/render/plan-text.js";
import { loaded } from "../core/builders.js";

const TENANT = "00000000-0000-0000-0000-000000000001";
const OTHER = "11111111-1111-1111-1111-111111111111";

function settings(): WireTenantSettings {
  const recorded = JSON.parse(
    readFileSync(TF_FIXTURES + "tenant_settings/datasource/post_list_tenant_settings.json", "utf8"),
  ) as WireTenantSettings;
  recorded.notInTheLanguageYet = true;
  return recorded;
}

function live(patch: Partial<LiveTenant>): LiveTenant {
  return { ...emptyLiveTenant(), tenantId: TENANT, ...patch };
}

const ONLY = { kinds: ["TenantSettings", "TenantIsolation"] as const };

describe("export of the tenant singletons", () => {
  it("writes every known setting and the isolation policy, without metadata.id, and they plan clean", () => {
    const tenant = live({
      tenantSettings: { tenantId: TENANT, settings: settings() },
      tenantIsolation: {
        tenantId: TENANT,
        policy: {
          properties: {
            tenantId: TENANT,
            isDisabled: false,
            allowedTenants: [
              { tenantId: OTHER.toUpperCase(), direction: { inbound: false, outbound: true } },
            ],
          },
        },
      },
    });
    const exported = exportTenant(tenant, { kinds: [...ONLY.kinds] });
    expect(exported.skipped).toEqual([]);
    expect(exported.warnings).toEqual([]);
    expect(exported.documents.map((d) => [d.path, d.document.metadata])).toEqual([
      ["tenant/tenant-settings.yaml", { name: "tenant-settings" }],
      ["tenant/tenant-isolation.yaml", { name: "tenant-isolation" }],
    ]);
    const [settingsDoc, isolationDoc] = exported.documents;
    expect(isolationDoc!.document.spec).toEqual({
      enabled: true,
      allowedTenants: [{ tenantId: OTHER, direction: "outbound" }],
    });
    const settingsSpec = settingsDoc!.document.spec as Record<string, unknown>;
    expect(settingsSpec).not.toHaveProperty("notInTheLanguageYet");
    expect(settingsSpec).toMatchObject({
      walkMeOptOut: false,
      powerPlatform: { catalogSettings: { powerCatalogAudienceSetting: "All" } },
    });
    const text = renderExportFiles(exported.documents)[0]!.text;
    expect(text).toContain("1 live setting is not in the policy language yet and stay unmanaged.");

    const planned = buildPlan(buildDesiredState(exported.documents.map((d) => loaded(d.document))), tenant, {
      createdAt: "2026-01-01T00:00:00.000Z",
    }).plan;
    expect(planned.summary).toMatchObject({ change: 0, noop: 2 });
    // Everything known is named; the one setting outside the language is reported as unmanaged.
    expect(planned.resources[0]!.notes?.[""]).toBe(
      "1 other setting is unmanaged (not named in the document)",
    );
    expect(TENANT_SETTING_PATHS.length).toBeGreaterThan(40);
  });

  it("writes no policy (404) as isolation off with nobody allowed", () => {
    const exported = exportTenant(live({ tenantIsolation: { tenantId: TENANT, policy: null } }), {
      kinds: ["TenantIsolation"],
    });
    expect(exported.documents[0]!.document.spec).toEqual({ enabled: false, allowedTenants: [] });
  });

  it("skips a policy entry allowing neither direction, saying why", () => {
    const exported = exportTenant(
      live({
        tenantIsolation: {
          tenantId: TENANT,
          policy: {
            properties: {
              allowedTenants: [{ tenantId: OTHER, direction: { inbound: false, outbound: false } }],
            },
          },
        },
      }),
      { kinds: ["TenantIsolation"] },
    );
    expect(exported.documents).toEqual([]);
    expect(exported.skipped[0]).toMatchObject({ kind: "TenantIsolation", cause: "not-expressible" });
    expect(exported.skipped[0]!.reason).toContain("neither direction");
  });

  it("reads the singletons only when their kinds are exported", () => {
    expect(exportRequirements(["TenantSettings"]).collections).toContain("tenantSettings");
    expect(exportRequirements(["TenantSettings"]).collections).not.toContain("tenantIsolation");
    expect(exportRequirements(["Environment"]).collections).not.toContain("tenantSettings");
  });
});

describe("plan text", () => {
  it("says how many settings a document leaves unmanaged, next to the change", () => {
    const tenant = live({ tenantSettings: { tenantId: TENANT, settings: settings() } });
    const { plan } = buildPlan(
      buildDesiredState([
        loaded({
          apiVersion: "ppgov/v1",
          kind: "TenantSettings",
          metadata: { name: "settings" },
          spec: { walkMeOptOut: true },
        }),
      ]),
      tenant,
      { createdAt: "2026-01-01T00:00:00.000Z" },
    );
    const text = renderPlanText(plan, { color: false });
    expect(text).toContain(
      "# TenantSettings/settings will be updated in place; 43 other settings are unmanaged (not named in the document)",
    );
    expect(text).toContain("~ walkMeOptOut: false → true");
    expect(text).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    const markdown = renderPlanMarkdown(plan);
    expect(markdown).toContain(
      "will be updated in place; 43 other settings are unmanaged \\(not named in the document\\)",
    );
    expect(markdown).toContain("! walkMeOptOut: false → true");
  });
});
