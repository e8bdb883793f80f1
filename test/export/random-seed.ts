/**
 * A larger emulator seed (PRODUCT.md §3) from one number: environments with and without Dataverse,
 * managed settings, groups, admin mode; DLP policies over part of the catalogue with action and
 * endpoint rules and URL patterns; billing policies, allocations and group licenses. Deterministic.
 */
import { seededRandom } from "../../src/emulator/faults.js";
import type { EmulatorSeed } from "../../src/emulator/server.js";

const TENANT = "5e1c0b52-9b3a-4f6e-8a21-5c4b3d2e1f00";
const API = "/providers/Microsoft.PowerApps/apis/";
const ENV_PATH = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/";
const UNBLOCKABLE = ["shared_approvals", "shared_office365", "shared_sharepointonline", "shared_teams"];

export interface RandomSeedSize {
  environments: number;
  dlpPolicies: number;
  connectors: number;
}

export function randomSeed(seed: number, size: RandomSeedSize): EmulatorSeed {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number): boolean => random() < p;
  const guid = (): string => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  };
  const connectors = [
    ...UNBLOCKABLE,
    ...Array.from({ length: size.connectors - UNBLOCKABLE.length }, (_, i) => `shared_random${i}`),
  ];
  const groups = ["Finance", "Sales & Marketing", "R&D (labs)"].map((displayName) => ({
    id: guid(),
    displayName,
    description: chance(0.5) ? `${displayName} environments` : "",
    createdTime: "2025-01-01T00:00:00Z",
  }));
  const names = ["Production", "Sandbox", "Dev", "Test", "UAT", "Lab"];
  const environments = Array.from({ length: size.environments }, (_, i) => {
    const isDefault = i === 0;
    const id = isDefault ? `Default-${TENANT}` : guid();
    const dataverse = !isDefault && chance(0.5);
    const managed = !isDefault && chance(0.3);
    const group = !isDefault && chance(0.3) ? pick(groups).id : undefined;
    const location = pick(["europe", "unitedstates", "unitedkingdom"]);
    return {
      id: `${ENV_PATH}${id}`,
      type: "Microsoft.BusinessAppPlatform/scopes/environments",
      location,
      name: id,
      properties: {
        tenantId: TENANT,
        azureRegion: { europe: "westeurope", unitedstates: "eastus", unitedkingdom: "uksouth" }[location],
        // Some names repeat on purpose ("Team 7 Sandbox" twice is the usual real-world mess).
        displayName: isDefault ? "Random (default)" : `Team ${i % 40} ${pick(names)}`,
        description: chance(0.6) ? `Apps of team ${i}: "quoted" & #hashed` : "",
        createdTime: "2025-02-01T10:00:00Z",
        lastModifiedTime: "2026-10-01T10:00:00Z",
        provisioningState: "Succeeded",
        environmentSku: isDefault ? "Default" : pick(["Production", "Sandbox", "Trial", "Developer"]),
        isDefault,
        databaseType: dataverse ? "CommonDataService" : "None",
        linkedEnvironmentMetadata: dataverse
          ? {
              domainName: `org${i}${pick(["", "-dev"])}`,
              baseLanguage: pick([1033, 1036, 1031]),
              currency: { code: pick(["USD", "EUR", "GBP"]) },
              ...(chance(0.5) ? { securityGroupId: guid() } : {}),
              instanceState: "Ready",
            }
          : null,
        states: { management: { id: "Ready" }, runtime: { id: chance(0.1) ? "AdminMode" : "Enabled" } },
        updateCadence: { id: pick(["Frequent", "Moderate"]) },
        ...(group === undefined ? {} : { parentEnvironmentGroup: { id: group } }),
        governanceConfiguration: managed
          ? {
              protectionLevel: "Standard",
              settings: {
                extendedSettings: {
                  maxLimitUserSharing: pick(["-1", "10", "50"]),
                  limitSharingMode: pick(["noLimit", "excludeSharingToSecurityGroups"]),
                  isGroupSharingDisabled: pick(["true", "false"]),
                  solutionCheckerMode: pick(["none", "warn", "block"]),
                  suppressValidationEmails: pick(["true", "false"]),
                  solutionCheckerRuleOverrides: pick(["", "meta-remove-dup-reg"]),
                  excludeEnvironmentFromAnalysis: pick(["true", "false"]),
                  includeOnHomepageInsights: pick(["true", "false"]),
                  disableAiGeneratedDescriptions: pick(["true", "false"]),
                },
              },
            }
          : { protectionLevel: "Basic" },
      },
    };
  });
  const others = environments.slice(1);
  const classifications = ["Confidential", "General", "Blocked"] as const;
  const dlpPolicies = Array.from({ length: size.dlpPolicies }, (_, p) => {
    const environmentType = pick(["AllEnvironments", "OnlyEnvironments", "ExceptEnvironments"]);
    const scoped =
      environmentType === "AllEnvironments"
        ? []
        : [...new Set(Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(others).name))];
    const placed = connectors.filter(() => chance(0.4));
    const groupsOf = classifications.map((classification) => ({
      classification,
      connectors: placed
        .filter((name) => {
          const wanted = pick(classifications);
          const group = UNBLOCKABLE.includes(name) && wanted === "Blocked" ? "General" : wanted;
          return group === classification;
        })
        .map((name) => ({ id: `${API}${name}`, name, type: "Microsoft.PowerApps/apis" })),
    }));
    // A connector may be in one group only: keep its first placement.
    const seen = new Set<string>();
    for (const group of groupsOf)
      group.connectors = group.connectors.filter(
        (connector) => !seen.has(connector.name) && seen.add(connector.name),
      );
    const ruled = pick(connectors.slice(UNBLOCKABLE.length));
    return {
      policyDefinition: {
        name: guid(),
        displayName: `Random policy ${p}${p % 4 === 0 ? " – strict" : ""}`,
        defaultConnectorsClassification: pick(classifications),
        connectorGroups: groupsOf,
        environmentType,
        environments: scoped.map((id) => ({
          id: `${ENV_PATH}${id}`,
          name: id,
          type: "Microsoft.BusinessAppPlatform/scopes/environments",
        })),
        createdTime: "2025-03-01T09:00:00Z",
        lastModifiedTime: "2026-09-01T09:00:00Z",
        etag: guid(),
        isLegacySchemaVersion: false,
      },
      connectorConfigurationsDefinition: {
        connectorActionConfigurations: [
          {
            connectorId: `${API}${ruled}`,
            defaultConnectorActionRuleBehavior: pick(["Allow", "Block"]),
            actionRules: [
              { actionId: "DeleteItem", behavior: "Block" },
              { actionId: "GetItems", behavior: "Allow" },
            ],
          },
        ],
        endpointConfigurations: [
          {
            connectorId: `${API}${ruled}`,
            endpointRules: [
              { order: 1, behavior: "Allow", endPoint: `p${p}.example.com` },
              { order: 2, behavior: "Deny", endPoint: "*" },
            ],
          },
        ],
      },
      customConnectorUrlPatternsDefinition: {
        rules: chance(0.5)
          ? [
              {
                order: 1,
                customConnectorRuleClassification: "Confidential",
                pattern: "https://*.contoso.com",
              },
              { order: 2, customConnectorRuleClassification: "Blocked", pattern: "*" },
            ]
          : null,
      },
    };
  });
  const billingPolicies = [0, 1].map((b) => ({
    id: guid(),
    name: `Random billing ${b}`,
    type: "TenantOwned",
    status: "Enabled",
    location: b === 0 ? "europe" : "unitedstates",
    billingInstrument: { subscriptionId: guid(), resourceGroup: `rg-billing-${b}` },
    createdOn: "2025-01-10T09:59:23Z",
    lastModifiedOn: "2025-01-10T09:59:23Z",
  }));
  const billingPolicyEnvironments = Object.fromEntries(
    billingPolicies.map((policy, b) => [
      policy.id,
      others.filter((_, i) => i % 10 === b).map((env) => env.name),
    ]),
  );
  const allocations = Object.fromEntries(
    others
      .filter((_, i) => i % 3 === 0)
      .map((env, i) => [
        env.name,
        [
          { currencyType: "AppPass", allocated: 1 + (i % 5) },
          ...(i % 2 === 0 ? [{ currencyType: "AI", allocated: 100 * i }] : []),
        ],
      ]),
  );
  const skus = ["POWERAPPS_PER_USER", "FLOW_PER_USER"].map((skuPartNumber) => {
    const skuId = guid();
    return {
      id: `${TENANT}_${skuId}`,
      skuId,
      skuPartNumber,
      consumedUnits: 10,
      prepaidUnits: { enabled: 1000, suspended: 0, warning: 0 },
      servicePlans: [0, 1].map((k) => ({
        servicePlanId: guid(),
        servicePlanName: `${skuPartNumber}_PLAN_${k}`,
      })),
    };
  });
  const licenseGroups = Array.from({ length: 5 }, (_, g) => {
    const sku = skus[g % 2]!;
    return {
      id: guid(),
      displayName: `Licensed group ${g}`,
      securityEnabled: true,
      assignedLicenses: [
        { skuId: sku.skuId, disabledPlans: g % 2 === 0 ? [sku.servicePlans[0]!.servicePlanId] : [] },
      ],
    };
  });
  return {
    tenantId: TENANT,
    environments,
    environmentGroups: groups,
    dlpPolicies,
    connectors: connectors.map((name) => ({
      name,
      id: `${API}${name}`,
      type: "Microsoft.PowerApps/apis",
      properties: {
        displayName: name.replace("shared_", "Random ").replace(/(\d+)$/, " $1"),
        tier: "Standard",
      },
    })),
    unblockableConnectors: UNBLOCKABLE.map((name) => ({
      id: `${API}${name}`,
      metadata: { unblockable: true },
    })),
    billingPolicies,
    billingPolicyEnvironments,
    allocations,
    currencyPool: { AppPass: 1000, AI: 100000 },
    subscribedSkus: skus,
    groups: licenseGroups,
  };
}
