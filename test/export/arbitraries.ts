/**
 * Random live tenants for the export round trip: well-formed ones and the odd shapes a real tenant
 * (or the emulator after a few applies) can hold — duplicate and awkward display names, types and
 * currency types no document can write, references to environments that are gone, endpoint rules
 * without a catch-all, connectors missing from the catalogue.
 */
import fc from "fast-check";
import type { LiveTenant } from "../../src/core/plan/index.js";
import type { DlpConnectorGroup, WireDlpPolicy, WireEnvironment } from "../../src/core/wire/types.js";
import { guid, wireConnector, wireEnv, wireGroup, wireLicenseGroup, wireSku } from "../core/builders.js";

const maybe = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arbitrary, { nil: undefined });

/** Usual values, plus (for odd tenants, one time in eight) values no document can write. */
function pick<T>(odd: boolean, usual: readonly T[], unusual: readonly T[]): fc.Arbitrary<T> {
  const common = fc.constantFrom(...usual);
  return odd
    ? fc.oneof({ arbitrary: common, weight: 7 }, { arbitrary: fc.constantFrom(...unusual), weight: 1 })
    : common;
}

/** Display names that slugify oddly, collide, or need YAML quoting. */
const displayNameArb = (odd: boolean): fc.Arbitrary<string> =>
  odd
    ? oddDisplayNameArb
    : fc.constantFrom("Contoso Production", "Finance", "yes", "Ünïcödé", "a: b", "x".repeat(80));

const oddDisplayNameArb = fc.oneof(
  fc.constantFrom(
    "Contoso Production",
    "contoso production",
    "Contoso Production ",
    "Finance",
    "yes",
    "null",
    "~",
    "1e3",
    "0x1F",
    "- dash",
    "a: b",
    "#hash",
    "*",
    "Ünïcödé Envíronment",
    "日本語",
    "default",
    "Default",
    "x".repeat(80),
    "",
    "   ",
    "Line\nbreak",
    "'quoted'",
    '"double"',
  ),
  fc.string({ minLength: 0, maxLength: 12 }),
);

const CONNECTOR_NAMES = [
  "shared_sharepointonline",
  "shared_sql",
  "shared_twitter",
  "shared_approvals",
  "shared_office365",
  "shared_dropbox",
];
const UNBLOCKABLE = new Set(["shared_approvals", "shared_office365"]);
const SKUS = [
  wireSku("POWERAPPS_PER_USER", guid(500), 100, 10, [
    [guid(501), "DYN365_CDS_P2"],
    [guid(502), "FLOW_P2"],
  ]),
  wireSku("ENTERPRISEPACK", guid(510), 100, 10, [
    [guid(511), "EXCHANGE_S_ENTERPRISE"],
    [guid(512), "SHAREPOINTENTERPRISE"],
  ]),
];
const CURRENCY = ["AppPass", "AI", "PowerAutomatePerProcess", "NotACurrency"];

interface EnvDraft {
  displayName: string;
  type: string;
  location: string;
  description: string | undefined;
  azureRegion: string | undefined;
  group: number | undefined;
  dataverse: { domain: string; language: number; currency?: string; securityGroupId?: string } | null;
  adminMode: boolean;
  updateCadence: "Frequent" | "Moderate" | undefined;
  managed: Record<string, string> | undefined;
}

const managedSettingsArb = (odd: boolean) =>
  fc.record(
    {
      maxLimitUserSharing: pick(odd, ["-1", "0", "20", "-5"], ["abc"]),
      limitSharingMode: fc.constantFrom("noLimit", "excludeSharingToSecurityGroups", "Other"),
      isGroupSharingDisabled: fc.constantFrom("true", "false"),
      solutionCheckerMode: fc.constantFrom("none", "warn", "block", "strict"),
      suppressValidationEmails: fc.constantFrom("true", "false"),
      solutionCheckerRuleOverrides: fc.constantFrom("", "meta-remove-dup-reg", "a,b", "bad rule!"),
      excludeEnvironmentFromAnalysis: fc.constantFrom("true", "false"),
      includeOnHomepageInsights: fc.constantFrom("true", "false"),
      disableAiGeneratedDescriptions: fc.constantFrom("true", "false"),
    },
    { requiredKeys: [] },
  );

const envDraftArb = (odd: boolean): fc.Arbitrary<EnvDraft> =>
  fc.record({
    displayName: displayNameArb(odd),
    type: pick(odd, ["Production", "Sandbox", "Trial", "Developer", "Teams"], ["SubscriptionBasedTrial"]),
    location: pick(odd, ["europe", "unitedstates", "Europe"], ["united states"]),
    description: maybe(fc.constantFrom("", "Apps of the team", "multi\nline")),
    azureRegion: maybe(fc.constantFrom("westeurope", "EastUS", "west europe")),
    group: maybe(fc.nat({ max: 3 })),
    dataverse: fc.option(
      fc.record(
        {
          domain: fc.constantFrom("contoso", "Contoso-Dev", "bad_domain"),
          language: fc.constantFrom(1033, 1036, 0),
          currency: fc.constantFrom("USD", "eur", "EURO"),
          securityGroupId: fc.constantFrom(guid(70), "00000000-0000-0000-0000-000000000000", "not-a-guid"),
        },
        { requiredKeys: ["domain", "language"] },
      ),
      { nil: null },
    ),
    adminMode: fc.boolean(),
    updateCadence: maybe(fc.constantFrom("Frequent" as const, "Moderate" as const)),
    managed: maybe(managedSettingsArb(odd)),
  });

function environmentOf(draft: EnvDraft, index: number, groupIds: string[]): WireEnvironment {
  const environment = wireEnv({
    id: guid(100 + index),
    displayName: draft.displayName,
    location: draft.location,
    type: draft.type as WireEnvironment["properties"]["environmentSku"],
    ...(draft.description === undefined ? {} : { description: draft.description }),
    // Dangling group ids (a group that is gone) are kept on purpose.
    ...(draft.group === undefined ? {} : { group: groupIds[draft.group] ?? guid(999) }),
    dataverse: draft.dataverse,
    adminMode: draft.adminMode,
    ...(draft.updateCadence === undefined ? {} : { updateCadence: draft.updateCadence }),
    ...(draft.azureRegion === undefined ? {} : { azureRegion: draft.azureRegion }),
    managed:
      draft.managed === undefined
        ? { protectionLevel: "Basic" }
        : { protectionLevel: "Standard", settings: { extendedSettings: draft.managed } },
  });
  if (draft.azureRegion === undefined) delete environment.properties.azureRegion;
  if (draft.description === undefined) delete environment.properties.description;
  return environment;
}

type Classification = "Confidential" | "General" | "Blocked" | "none";

const dlpDraftArb = (odd: boolean) =>
  fc.record({
    displayName: displayNameArb(odd),
    defaultClassification: fc.constantFrom("Confidential", "General", "Blocked"),
    environmentType: fc.constantFrom("AllEnvironments", "OnlyEnvironments", "ExceptEnvironments"),
    scope: fc.uniqueArray(fc.nat({ max: odd ? 9 : 3 }), { minLength: odd ? 0 : 1, maxLength: 4 }),
    actions: maybe(
      fc.record({
        connector: pick(odd, CONNECTOR_NAMES, ["shared_unknown"]),
        default: fc.constantFrom("Allow", "Block"),
        rules: fc.uniqueArray(fc.constantFrom("GetItems", "DeleteItem", "Execute"), { maxLength: 3 }),
      }),
    ),
    endpoints: maybe(
      fc.record({
        connector: fc.constantFrom(...CONNECTOR_NAMES),
        rules: fc
          .array(fc.constantFrom("contoso.com", "*.contoso.com"), { maxLength: 2 })
          .chain((rules) => pick(odd, [[...rules, "*"]], [[...rules, "*.fabrikam.com"]])),
      }),
    ),
    patterns: maybe(
      fc
        .array(fc.constantFrom("https://*.contoso.com", "https://*.fabrikam.com"), { maxLength: 2 })
        .chain((patterns) => pick(odd, [[...patterns, "*"]], [[...patterns, "https://x.example"]])),
    ),
    // The last entry stands for a connector missing from the catalogue.
    choices: fc
      .array(fc.constantFrom<Classification>("Confidential", "General", "Blocked", "none"), {
        minLength: CONNECTOR_NAMES.length,
        maxLength: CONNECTOR_NAMES.length,
      })
      .chain((choices) => pick<Classification[]>(odd, [[...choices, "none"]], [[...choices, "General"]])),
  });

const API = "/providers/Microsoft.PowerApps/apis/";

type DlpDraft = ReturnType<typeof dlpDraftArb> extends fc.Arbitrary<infer T> ? T : never;
type BillingDraft = ReturnType<typeof billingDraftArb> extends fc.Arbitrary<infer T> ? T : never;

function dlpOf(draft: DlpDraft, index: number, environmentIds: string[]): WireDlpPolicy {
  const names = [...CONNECTOR_NAMES, "shared_notincatalogue"];
  const groups: DlpConnectorGroup[] = (["Confidential", "General", "Blocked"] as const).map(
    (classification) => ({
      classification,
      connectors: names
        .filter((_, i) => draft.choices[i] === classification)
        .map((name) => ({ id: `${API}${name}`, name, type: "Microsoft.PowerApps/apis" })),
    }),
  );
  const envIds = draft.scope.map((i) => environmentIds[i] ?? guid(900 + i));
  return {
    policyDefinition: {
      name: guid(300 + index),
      displayName: draft.displayName,
      defaultConnectorsClassification: draft.defaultClassification,
      connectorGroups: groups,
      environmentType: draft.environmentType,
      environments: envIds.map((id) => ({
        id: `/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${id}`,
        name: id,
        type: "Microsoft.BusinessAppPlatform/scopes/environments",
      })),
      etag: `etag-${index}`,
      createdTime: "2024-01-01T00:00:00Z",
      isLegacySchemaVersion: false,
    },
    connectorConfigurationsDefinition: {
      ...(draft.actions === undefined
        ? {}
        : {
            connectorActionConfigurations: [
              {
                connectorId: `${API}${draft.actions.connector}`,
                defaultConnectorActionRuleBehavior: draft.actions.default,
                actionRules: draft.actions.rules.map((actionId, i) => ({
                  actionId,
                  behavior: i % 2 === 0 ? "Block" : "Allow",
                })),
              },
            ],
          }),
      ...(draft.endpoints === undefined
        ? {}
        : {
            endpointConfigurations: [
              {
                connectorId: `${API}${draft.endpoints.connector}`,
                endpointRules: draft.endpoints.rules.map((endPoint, i) => ({
                  order: i + 1,
                  behavior: i % 2 === 0 ? "Allow" : "Deny",
                  endPoint,
                })),
              },
            ],
          }),
    },
    customConnectorUrlPatternsDefinition: {
      rules:
        draft.patterns === undefined
          ? null
          : draft.patterns.map((pattern, i) => ({
              order: i + 1,
              customConnectorRuleClassification: (["Confidential", "General", "Blocked", "Ignore"] as const)[
                i % 4
              ]!,
              pattern,
            })),
    },
  };
}

const billingDraftArb = (odd: boolean) =>
  fc.record({
    name: displayNameArb(odd),
    location: pick(odd, ["unitedstates", "europe"], ["Europe West"]),
    status: fc.constantFrom("Enabled", "Disabled", "Provisioning"),
    environments: fc.uniqueArray(fc.nat({ max: odd ? 9 : 3 }), { maxLength: 3 }),
  });

const assignmentDraftArb = (odd: boolean) =>
  fc.record({
    displayName: maybe(displayNameArb(odd)),
    licenses: fc.uniqueArray(
      fc.record({
        // 0 and 1 are subscribed SKUs; 2 is not.
        sku: pick(odd, [0, 1], [2]),
        // Plan 0 and 1 of the SKU; 9 is no plan of it.
        disabled: fc.uniqueArray(pick(odd, [0, 1], [9]), { maxLength: 2 }),
      }),
      { minLength: 1, maxLength: 2, selector: (license) => license.sku },
    ),
  });

const allocationDraftArb = (odd: boolean) =>
  fc.record({
    environment: fc.nat({ max: odd ? 9 : 3 }),
    values: fc.dictionary(pick(odd, CURRENCY.slice(0, 3), ["NotACurrency"]), fc.nat({ max: 50 }), {
      maxKeys: 3,
    }),
  });

interface TenantDraft {
  groups: { displayName: string; description: string }[];
  environments: EnvDraft[];
  dlp: DlpDraft[];
  billing: BillingDraft[];
}

/** Unique display names, unblockable connectors out of Blocked, one billing policy per environment. */
function wellFormed<D extends TenantDraft>(draft: D): D {
  const unique = <T extends { displayName: string }>(items: T[]): T[] =>
    items.map((item, index) => ({ ...item, displayName: `${item.displayName} ${index}` }));
  const linked = new Set<number>();
  return {
    ...draft,
    groups: unique(draft.groups),
    environments: unique(draft.environments),
    dlp: unique(draft.dlp).map((policy) => ({
      ...policy,
      choices: policy.choices.map((choice, index) =>
        choice === "Blocked" && UNBLOCKABLE.has(CONNECTOR_NAMES[index] ?? "") ? "General" : choice,
      ),
    })),
    billing: draft.billing.map((policy, index) => {
      const environments = policy.environments.filter((environment) => !linked.has(environment));
      for (const environment of environments) linked.add(environment);
      return { ...policy, name: `${policy.name} ${index}`, environments };
    }),
  };
}

/**
 * A live tenant with a default environment and up to 8 others, everything else small and random.
 * `odd`: also values no document can write and references to objects that are gone. Without it the
 * tenant is well formed: every object has a document (display names still collide and need quoting).
 */
export const liveTenantArb = (odd: boolean): fc.Arbitrary<LiveTenant> =>
  fc
    .record({
      groups: fc.array(
        fc.record({ displayName: displayNameArb(odd), description: fc.constantFrom("", "EMEA") }),
        {
          maxLength: 3,
        },
      ),
      environments: fc.array(envDraftArb(odd), { minLength: odd ? 0 : 4, maxLength: 8 }),
      // The connectors DLP policies name are in the catalogue (the last one only stands for a missing one).
      catalogue: fc
        .subarray(CONNECTOR_NAMES, { minLength: 2 })
        .map((names) => (odd ? names : CONNECTOR_NAMES)),
      virtual: fc.boolean(),
      dlp: fc.array(dlpDraftArb(odd), { maxLength: 3 }),
      billing: fc.array(billingDraftArb(odd), { maxLength: 2 }),
      allocations: fc.array(allocationDraftArb(odd), { maxLength: 4 }),
      assignments: fc.array(assignmentDraftArb(odd), { maxLength: 3 }),
    })
    .map((raw): LiveTenant => {
      const draft = odd ? raw : wellFormed(raw);
      const groupIds = draft.groups.map((_, i) => guid(200 + i));
      const environments = [
        wireEnv({
          id: `Default-${guid(1000)}`,
          displayName: "Contoso (default)",
          type: "Default",
          isDefault: true,
        }),
        ...draft.environments.map((env, i) => environmentOf(env, i, groupIds)),
      ];
      const environmentIds = environments.map((environment) => environment.name.toLowerCase());
      const allocations: LiveTenant["allocations"] = {};
      for (const allocation of draft.allocations) {
        const id = environmentIds[allocation.environment] ?? guid(950 + allocation.environment);
        allocations[id] = Object.entries(allocation.values).map(([currencyType, allocated]) => ({
          currencyType,
          allocated,
        }));
      }
      return {
        tenantId: guid(1000),
        environments,
        environmentGroups: draft.groups.map((group, i) =>
          wireGroup(groupIds[i]!, group.displayName, group.description),
        ),
        dlpPolicies: draft.dlp.map((policy, i) => dlpOf(policy, i, environmentIds)),
        connectors: draft.catalogue.map((name) =>
          wireConnector(name, `${name.replace("shared_", "")} connector`),
        ),
        unblockableConnectorIds: draft.catalogue
          .filter((name) => UNBLOCKABLE.has(name))
          .map((name) => `${API}${name}`),
        virtualConnectors: draft.virtual
          ? [{ id: "Http", metadata: { virtualConnector: true, displayName: "HTTP", name: "Http" } }]
          : [],
        billingPolicies: draft.billing.map((policy, i) => ({
          policy: {
            id: guid(400 + i),
            name: policy.name,
            location: policy.location,
            status: policy.status,
            billingInstrument: { subscriptionId: guid(410), resourceGroup: "rg-billing" },
          },
          environmentIds: policy.environments.map((e) => environmentIds[e] ?? guid(960 + e)),
        })),
        allocations,
        subscribedSkus: SKUS,
        licenseGroups: draft.assignments.map((assignment, i) => ({
          ...wireLicenseGroup(
            guid(600 + i),
            assignment.licenses.map((license) => ({
              skuId: guid(500 + 10 * license.sku),
              disabledPlans: license.disabled.map((plan) => guid(501 + 10 * license.sku + plan)),
            })),
          ),
          displayName: assignment.displayName ?? null,
        })),
      };
    });
