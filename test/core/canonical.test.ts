import { describe, expect, it } from "vitest";
import { buildConnectorCatalogue } from "../../src/core/kinds/connector-catalogue.js";
import { KIND_REGISTRY } from "../../src/core/kinds/registry.js";
import type { ResourceKind } from "../../src/core/kinds/resource-kind.js";
import { buildSkuIndex } from "../../src/core/kinds/sku-index.js";
import type { Json } from "../../src/core/kinds/json.js";
import { intendedState } from "../../src/core/plan/diff.js";
import { buildResolver } from "../../src/core/plan/resolve.js";
import type { PolicyDocument } from "../../src/core/policy/types.js";
import {
  CONNECTORS,
  doc,
  guid,
  wireConnector,
  wireDlp,
  wireEnv,
  wireGroup,
  wireLicenseGroup,
  wireSku,
} from "./builders.js";

const SKU = guid(500);
const PLAN = guid(501);
const catalogue = buildConnectorCatalogue(
  CONNECTORS.map((name) => wireConnector(name)),
  ["/providers/Microsoft.PowerApps/apis/shared_approvals"],
  [{ id: "Http", metadata: { virtualConnector: true, name: "HTTP", displayName: "HTTP" } }],
);
const resolver = buildResolver(
  [
    wireEnv({ id: guid(1), displayName: "Default", isDefault: true }),
    wireEnv({ id: guid(2), displayName: "Dev" }),
  ],
  catalogue,
  buildSkuIndex([wireSku("POWERAPPS_PER_USER", SKU, 10, 2, [[PLAN, "FLOW_PER_USER"]])]),
);
resolver.environmentNames.set("dev", guid(2));
resolver.groupNames.set("emea", guid(77));

type AnyKind = ResourceKind<unknown, unknown, object>;

/** Desired document and live record describing the same object. */
const SAME_THING: [string, PolicyDocument, unknown][] = [
  [
    "EnvironmentGroup",
    doc.group({ name: "emea", displayName: "EMEA", description: "Europe" }),
    wireGroup(guid(77), "EMEA", "Europe"),
  ],
  [
    "Environment",
    doc.environment({
      name: "dev",
      displayName: "Dev",
      location: "Europe",
      azureRegion: "westeurope",
      type: "Sandbox",
      group: "emea",
      adminMode: true,
      updateCadence: "Frequent",
      dataverse: { domain: "Contoso-Dev", language: 1033, currency: "usd" },
      securityGroupId: guid(88).toUpperCase(),
      managed: {
        enabled: true,
        maxShareLimit: 10,
        usageInsights: false,
        solutionCheckerRuleOverrides: ["b", "a"],
      },
    }),
    wireEnv({
      id: guid(2),
      displayName: "Dev",
      group: guid(77),
      adminMode: true,
      updateCadence: "Frequent",
      dataverse: { domain: "contoso-dev", language: 1033, currency: "USD", securityGroupId: guid(88) },
      managed: {
        protectionLevel: "Standard",
        settings: {
          extendedSettings: {
            maxLimitUserSharing: "10",
            excludeEnvironmentFromAnalysis: "true",
            solutionCheckerRuleOverrides: "a,b",
            "bot-maxLimitUserSharing": "55",
          },
        },
      },
    }),
  ],
  [
    "DlpPolicy",
    doc.dlp({
      name: "baseline",
      displayName: "Baseline",
      scope: { only: ["dev", "default"] },
      defaultGroup: "blocked",
      connectors: { business: ["shared_sharepointonline", "SHARED_SQL"], nonBusiness: ["http"] },
      connectorRules: {
        shared_sql: {
          actions: { default: "allow", block: ["DeleteItem_V2"] },
          endpoints: [{ allow: "contoso.com" }, { deny: "*" }],
        },
      },
      customConnectorUrlPatterns: [
        { pattern: "https://*.contoso.com", group: "business" },
        { pattern: "*", group: "ignore" },
      ],
    }),
    {
      ...wireDlp({
        id: guid(300),
        displayName: "Baseline",
        defaultClassification: "Blocked",
        business: ["shared_sql", "shared_sharepointonline"],
        nonBusiness: ["Http"],
        environmentType: "OnlyEnvironments",
        environments: [guid(2), guid(1)],
      }),
      // Unblockable shared_approvals resolves to nonBusiness under a blocked default, listed or not.
      connectorConfigurationsDefinition: {
        connectorActionConfigurations: [
          {
            connectorId: "/providers/Microsoft.PowerApps/apis/shared_sql",
            defaultConnectorActionRuleBehavior: "Allow",
            actionRules: [{ actionId: "DeleteItem_V2", behavior: "Block" }],
          },
        ],
        endpointConfigurations: [
          {
            connectorId: "/providers/Microsoft.PowerApps/apis/shared_sql",
            endpointRules: [
              { order: 2, behavior: "Deny", endPoint: "*" },
              { order: 1, behavior: "Allow", endpoint: "contoso.com" },
            ],
          },
        ],
      },
      customConnectorUrlPatternsDefinition: {
        rules: [
          { order: 2, customConnectorRuleClassification: "Ignore", pattern: "*" },
          { order: 1, customConnectorRuleClassification: "Confidential", pattern: "https://*.contoso.com" },
        ],
      },
    },
  ],
  [
    "LicenseAllocation",
    doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: 5, AI: 0 } }),
    {
      environmentId: guid(2).toUpperCase(),
      allocations: [
        { currencyType: "AppPass", allocated: 5 },
        { currencyType: "PerFlowPlan", allocated: 0 },
      ],
    },
  ],
  [
    "LicenseAssignment",
    doc.assignment({
      name: "makers",
      group: guid(60),
      licenses: [{ sku: "powerapps_per_user", disabledPlans: ["FLOW_PER_USER"] }],
    }),
    wireLicenseGroup(guid(60), [{ skuId: SKU.toUpperCase(), disabledPlans: [PLAN] }]),
  ],
  [
    "BillingPolicy",
    doc.billing({ name: "payg", displayName: "PAYG", status: "Enabled", environments: ["dev"] }),
    {
      policy: {
        id: guid(400),
        name: "PAYG",
        status: "Enabled",
        location: "europe",
        billingInstrument: { subscriptionId: guid(900), resourceGroup: "rg", id: "/subscriptions/x" },
        createdOn: "2024-01-01",
      },
      environmentIds: [guid(2)],
    },
  ],
];

describe("canonical forms", () => {
  it.each(SAME_THING)("%s: desired and live forms of the same object agree", (kindName, document, record) => {
    const kind = KIND_REGISTRY[kindName as keyof typeof KIND_REGISTRY] as unknown as AnyKind;
    const desiredForm = kind.canonicalizeDesired((document as { spec: unknown }).spec, resolver) as Json;
    const liveForm = kind.canonicalizeLive(record, resolver) as Json;
    expect(intendedState(liveForm, desiredForm, kind.partialPaths)).toEqual(liveForm);
  });

  it.each(SAME_THING)(
    "%s: canonicalizing the live record is stable (same input, same form)",
    (kindName, _document, record) => {
      const kind = KIND_REGISTRY[kindName as keyof typeof KIND_REGISTRY] as unknown as AnyKind;
      expect(kind.canonicalizeLive(structuredClone(record), resolver)).toEqual(
        kind.canonicalizeLive(record, resolver),
      );
    },
  );

  it("resolves every catalogue connector of a DLP policy, unlisted ones to the default group", () => {
    const kind = KIND_REGISTRY.DlpPolicy;
    const form = kind.canonicalizeDesired(
      {
        displayName: "x",
        scope: { all: true },
        defaultGroup: "blocked",
        connectors: { business: ["shared_sql"] },
      },
      resolver,
    );
    expect(form.connectors).toEqual({
      Http: "blocked",
      shared_approvals: "nonBusiness",
      shared_sharepointonline: "blocked",
      shared_sql: "business",
      shared_twitter: "blocked",
    });
    expect(form.scope).toEqual({ type: "all", environments: [] });
  });

  it("maps the wire words in one vocabulary: Confidential/General/Blocked ↔ business/nonBusiness/blocked", () => {
    const form = KIND_REGISTRY.DlpPolicy.canonicalizeLive(
      wireDlp({
        id: guid(9),
        displayName: "x",
        business: ["shared_sql"],
        nonBusiness: ["shared_twitter"],
        blocked: ["shared_sharepointonline"],
        defaultClassification: "Confidential",
      }),
      resolver,
    );
    expect(form.defaultGroup).toBe("business");
    expect(form.connectors).toMatchObject({
      shared_sql: "business",
      shared_twitter: "nonBusiness",
      shared_sharepointonline: "blocked",
    });
  });

  it("reads the service's default URL pattern (only '* → ignore') as no patterns", () => {
    const live = KIND_REGISTRY.DlpPolicy.canonicalizeLive(
      {
        ...wireDlp({ id: guid(9), displayName: "x" }),
        customConnectorUrlPatternsDefinition: {
          rules: [{ order: 1, customConnectorRuleClassification: "Ignore", pattern: "*" }],
        },
      },
      resolver,
    );
    expect(live.urlPatterns).toEqual([]);
    const written = KIND_REGISTRY.DlpPolicy.canonicalizeDesired(
      {
        displayName: "x",
        scope: { all: true },
        defaultGroup: "nonBusiness",
        customConnectorUrlPatterns: [{ pattern: "*", group: "ignore" }],
      },
      resolver,
    );
    expect(written.urlPatterns).toEqual([]);
  });

  it("treats the zero GUID as none and lower-cases ids", () => {
    const form = KIND_REGISTRY.Environment.canonicalizeLive(
      wireEnv({ id: guid(3).toUpperCase(), displayName: "x", group: "00000000-0000-0000-0000-000000000000" }),
    );
    expect(form.group).toBeNull();
    expect(KIND_REGISTRY.Environment.liveId(wireEnv({ id: "ABC", displayName: "x" }))).toBe("abc");
  });

  it("drops server-managed fields: the live form only has the canonical keys", () => {
    const form = KIND_REGISTRY.Environment.canonicalizeLive(wireEnv({ id: guid(3), displayName: "x" }));
    expect(Object.keys(form).sort()).toEqual(
      [
        "adminMode",
        "azureRegion",
        "dataverse",
        "description",
        "displayName",
        "group",
        "location",
        "managed",
        "securityGroupId",
        "type",
        "updateCadence",
      ].sort(),
    );
  });

  it("resolves SKUs by part number and plans by name, and marks unknown ones unresolved", () => {
    const form = KIND_REGISTRY.LicenseAssignment.canonicalizeDesired(
      { group: guid(60), licenses: [{ sku: "NOPE" }, { sku: SKU, disabledPlans: ["nope"] }] },
      resolver,
    );
    expect(form.licenses).toEqual([
      { skuId: SKU, disabledPlans: ["unresolved:nope"] },
      { skuId: "unresolved:NOPE", disabledPlans: [] },
    ]);
  });
});
