import { describe, expect, it } from "vitest";
import {
  exportRequirements,
  exportTenant,
  NameAllocator,
  renderExportFiles,
  schemaReference,
  slugify,
  type TenantExport,
} from "../../src/core/export/index.js";
import type { DlpPolicySpec, PolicyDocument } from "../../src/core/policy/types.js";
import { guid, liveTenant, wireDlp, wireEnv, wireGroup } from "../core/builders.js";

function documentOf(exported: TenantExport, kind: string, name: string): PolicyDocument {
  const found = exported.documents.find((d) => d.document.kind === kind && d.document.metadata.name === name);
  if (found === undefined)
    throw new Error(`no ${kind}/${name} in ${exported.documents.map((d) => d.path).join(", ")}`);
  return found.document;
}

describe("names", () => {
  it("slugifies display names into the name pattern", () => {
    expect(slugify("Contoso Production (EU)")).toBe("contoso-production-eu");
    expect(slugify("Ünïcödé Envíronment")).toBe("unicode-environment");
    expect(slugify("  --Sales & Marketing--  ")).toBe("sales-marketing");
    expect(slugify("日本語")).toBe("");
    const long = slugify(`${"a".repeat(62)} b`);
    expect(long).toBe("a".repeat(62));
    expect(slugify("x".repeat(100))).toHaveLength(63);
  });

  it("makes names unique with suffixes, within 63 characters, avoiding reserved ones", () => {
    const names = new NameAllocator(["default"]);
    expect(names.allocate("Default", "environment")).toBe("default-2");
    expect(names.allocate("Dev", "environment")).toBe("dev");
    expect(names.allocate("dev", "environment")).toBe("dev-2");
    expect(names.allocate("日本語", "environment")).toBe("environment");
    const long = "y".repeat(63);
    expect(names.allocate(long, "environment")).toBe(long);
    const second = names.allocate(long, "environment");
    expect(second).toBe(`${"y".repeat(61)}-2`);
  });
});

describe("exportTenant", () => {
  const prod = guid(11);
  const dev = guid(12);
  const twin = guid(13);
  const gone = guid(99);

  it("refers to the default environment as `default` and to environments without a document by id", () => {
    const live = liveTenant({
      environments: [
        wireEnv({ id: guid(1), displayName: "Contoso (default)", type: "Default", isDefault: true }),
        wireEnv({ id: prod, displayName: "Production", type: "Production" }),
        wireEnv({ id: dev, displayName: "Dev" }),
        wireEnv({ id: twin, displayName: "Dev" }),
      ],
      dlpPolicies: [
        wireDlp({
          id: guid(20),
          displayName: "Scoped",
          environmentType: "OnlyEnvironments",
          environments: [guid(1), prod, twin],
        }),
      ],
    });
    const exported = exportTenant(live);
    expect(exported.warnings).toEqual([]);
    const skipped = exported.skipped.map((skip) => `${skip.id} ${skip.cause}`);
    expect(skipped).toEqual([`${guid(1)} default-environment`, `${twin} not-expressible`]);
    expect(exported.skipped[1]!.reason).toContain("Environment/dev has the same display name");
    const policy = documentOf(exported, "DlpPolicy", "scoped").spec as DlpPolicySpec;
    expect(policy.scope).toEqual({ only: ["default", `id:${twin}`, "production"] });
    const text = renderExportFiles(exported.documents).find((f) => f.path === "dlp/scoped.yaml")!.text;
    expect(text).toContain(`      - id:${twin} # Dev\n`);
  });

  it("skips a DLP policy that scopes an environment which no longer exists, with the reason", () => {
    const live = liveTenant({
      dlpPolicies: [
        wireDlp({
          id: guid(21),
          displayName: "Stale",
          environmentType: "ExceptEnvironments",
          environments: [gone],
        }),
      ],
    });
    const exported = exportTenant(live);
    expect(exported.documents.map((d) => d.path)).toEqual(["tenant.yaml"]);
    expect(exported.skipped[1]).toMatchObject({ kind: "DlpPolicy", cause: "not-expressible" });
    expect(exported.skipped[1]!.reason).toContain(`its scope names environment "${gone}"`);
  });

  it("lists only connectors outside the default group", () => {
    const live = liveTenant({
      dlpPolicies: [
        wireDlp({
          id: guid(22),
          displayName: "Strict",
          defaultClassification: "Blocked",
          business: ["shared_sharepointonline"],
          // Listed where the default would put it anyway: the effect is the same unlisted.
          blocked: ["shared_twitter"],
          // Unblockable: a blocked default makes it nonBusiness, so listing it there adds nothing.
          nonBusiness: ["shared_approvals"],
        }),
      ],
    });
    const spec = documentOf(exportTenant(live), "DlpPolicy", "strict").spec as DlpPolicySpec;
    expect(spec.defaultGroup).toBe("blocked");
    expect(spec.connectors).toEqual({ business: ["shared_sharepointonline"] });
  });

  it("leaves out an environment the planner would not see as unchanged, saying what the plan would do", () => {
    const live = liveTenant({
      environments: [
        wireEnv({ id: guid(1), displayName: "Contoso (default)", type: "Default", isDefault: true }),
        wireEnv({
          id: prod,
          displayName: "Odd sharing limit",
          managed: {
            protectionLevel: "Standard",
            settings: { extendedSettings: { maxLimitUserSharing: "many" } },
          },
        }),
      ],
    });
    const exported = exportTenant(live);
    expect(exported.documents.map((d) => d.path)).toEqual(["tenant.yaml"]);
    expect(exported.skipped[1]!.reason).toBe(
      "the plan of its document would update it (/managed/maxShareLimit)",
    );
  });

  it("exports only the kinds asked for; references to the others use ids", () => {
    const live = liveTenant({
      environments: [
        wireEnv({ id: guid(1), displayName: "Contoso (default)", type: "Default", isDefault: true }),
        wireEnv({ id: prod, displayName: "Production", group: guid(30) }),
      ],
      environmentGroups: [wireGroup(guid(30), "Finance")],
      dlpPolicies: [
        wireDlp({
          id: guid(23),
          displayName: "P",
          environmentType: "OnlyEnvironments",
          environments: [prod],
        }),
      ],
    });
    const onlyDlp = exportTenant(live, { kinds: ["Tenant", "DlpPolicy"] });
    expect(onlyDlp.documents.map((d) => d.path)).toEqual(["tenant.yaml", "dlp/p.yaml"]);
    expect((onlyDlp.documents[1]!.document.spec as DlpPolicySpec).scope).toEqual({ only: [`id:${prod}`] });
    const withoutGroups = exportTenant(live, { kinds: ["Environment"] });
    expect(withoutGroups.documents.map((d) => d.path)).toEqual(["environments/production.yaml"]);
    expect(withoutGroups.documents[0]!.document.spec).not.toHaveProperty("group");
  });

  it("skips what Tenant.ignore matches and keeps the ignore list in the Tenant document", () => {
    const live = liveTenant({
      environments: [
        wireEnv({ id: guid(1), displayName: "Contoso (default)", type: "Default", isDefault: true }),
        wireEnv({ id: prod, displayName: "Trial - one", type: "Trial" }),
        wireEnv({ id: dev, displayName: "Dev" }),
      ],
    });
    const exported = exportTenant(live, { ignore: ["Trial - *", `id:${guid(77)}`] });
    expect(exported.skipped.find((skip) => skip.id === prod)?.cause).toBe("ignored");
    expect(exported.documents.map((d) => d.path)).toEqual(["tenant.yaml", "environments/dev.yaml"]);
    expect(exported.documents[0]!.document.spec).toMatchObject({ ignore: ["Trial - *", `id:${guid(77)}`] });
  });
});

describe("rendering", () => {
  it("points the schema header at the repository's schemas relative to each file, else at a URL as given", () => {
    expect(schemaReference("tenant.yaml", "../schemas/policy.schema.json")).toBe(
      "../schemas/policy.schema.json",
    );
    expect(schemaReference("licensing/billing/x.yaml", "../schemas/policy.schema.json")).toBe(
      "../../../schemas/policy.schema.json",
    );
    const released = "https://raw.githubusercontent.com/ppgov/ppgov/v1.0.0/schemas/policy.schema.json";
    expect(schemaReference("dlp/x.yaml", released)).toBe(released);
  });

  it("reads only what each kind needs from the tenant", () => {
    expect(exportRequirements(["Tenant", "Environment"]).collections.sort()).toEqual([
      "environmentGroups",
      "environments",
    ]);
    const all = exportRequirements();
    expect(all.allLicensedGroups).toBe(true);
    expect(all.collections).toContain("virtualConnectors");
    expect(all.collections).not.toContain("environmentGroupRuleSets");
  });
});
