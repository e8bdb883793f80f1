/** Small builders for planner inputs: policy documents and live wire objects. No mocks. */
import { buildDesiredState, type DesiredState } from "../../src/core/plan/desired-state.js";
import { emptyLiveTenant, type LiveTenant } from "../../src/core/plan/live-tenant.js";
import type {
  BillingPolicySpec,
  DlpPolicySpec,
  EnvironmentGroupSpec,
  EnvironmentSpec,
  LicenseAllocationSpec,
  LicenseAssignmentSpec,
  LoadedDocument,
  PolicyDocument,
  TenantSpec,
} from "../../src/core/policy/types.js";
import type {
  DlpConnectorGroup,
  WireConnector,
  WireDlpPolicy,
  WireEnvironment,
  WireEnvironmentGroup,
  WireGraphGroup,
  WireSubscribedSku,
} from "../../src/core/wire/types.js";

export function guid(n: number): string {
  return `00000000-0000-0000-0000-${n.toString(16).padStart(12, "0")}`;
}

/** A loaded document whose pointers locate to line 1 + depth, so tests can assert positions. */
export function loaded(
  document: PolicyDocument,
  file = `policies/${document.kind}/${document.metadata.name}.yaml`,
): LoadedDocument {
  return {
    document,
    source: { file, line: 1, column: 1 },
    index: 0,
    locate: (pointer) => ({ file, line: pointer === "" ? 1 : pointer.split("/").length, column: 3 }),
  };
}

type Doc<S> = { name: string; id?: string } & S;

function envelope<S>(kind: PolicyDocument["kind"], { name, id, ...spec }: Doc<S>): PolicyDocument {
  const document = { apiVersion: "ppgov/v1", kind, metadata: { name, ...(id ? { id } : {}) }, spec };
  return document as unknown as PolicyDocument;
}

export const doc = {
  environment: (d: Doc<Partial<EnvironmentSpec>>): PolicyDocument =>
    envelope("Environment", {
      displayName: d.name,
      location: "europe",
      type: "Sandbox",
      ...d,
    }),
  group: (d: Doc<Partial<EnvironmentGroupSpec>>): PolicyDocument =>
    envelope("EnvironmentGroup", { displayName: d.name, ...d }),
  dlp: (d: Doc<Partial<DlpPolicySpec>>): PolicyDocument =>
    envelope("DlpPolicy", {
      displayName: d.name,
      scope: { all: true },
      defaultGroup: "nonBusiness",
      ...d,
    }),
  allocation: (d: Doc<LicenseAllocationSpec>): PolicyDocument => envelope("LicenseAllocation", d),
  assignment: (d: Doc<LicenseAssignmentSpec>): PolicyDocument => envelope("LicenseAssignment", d),
  billing: (d: Doc<Partial<BillingPolicySpec>>): PolicyDocument =>
    envelope("BillingPolicy", {
      displayName: d.name,
      location: "europe",
      billingInstrument: { subscriptionId: guid(900), resourceGroup: "rg" },
      ...d,
    }),
  tenant: (spec: TenantSpec): PolicyDocument => ({
    apiVersion: "ppgov/v1",
    kind: "Tenant",
    metadata: { name: "tenant" },
    spec,
  }),
};

export function desired(...documents: PolicyDocument[]): DesiredState {
  return buildDesiredState(documents.map((document) => loaded(document)));
}

export interface WireEnvOptions {
  id: string;
  displayName: string;
  location?: string;
  type?: WireEnvironment["properties"]["environmentSku"];
  description?: string;
  isDefault?: boolean;
  group?: string;
  dataverse?: { domain: string; language: number; currency?: string; securityGroupId?: string } | null;
  adminMode?: boolean;
  managed?: WireEnvironment["properties"]["governanceConfiguration"];
  lastModifiedTime?: string;
  azureRegion?: string;
  updateCadence?: "Frequent" | "Moderate";
}

export function wireEnv(options: WireEnvOptions): WireEnvironment {
  const dataverse = options.dataverse ?? null;
  return {
    id: `/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${options.id}`,
    name: options.id,
    type: "Microsoft.BusinessAppPlatform/scopes/environments",
    location: options.location ?? "europe",
    properties: {
      displayName: options.displayName,
      description: options.description ?? "",
      environmentSku: options.type ?? "Sandbox",
      isDefault: options.isDefault ?? false,
      azureRegion: options.azureRegion ?? "westeurope",
      createdTime: "2024-01-01T00:00:00Z",
      lastModifiedTime: options.lastModifiedTime ?? "2024-01-02T00:00:00Z",
      updateCadence: { id: options.updateCadence ?? "Moderate" },
      states: { management: { id: "Ready" }, runtime: { id: options.adminMode ? "AdminMode" : "Enabled" } },
      governanceConfiguration: options.managed ?? { protectionLevel: "Basic" },
      ...(options.group ? { parentEnvironmentGroup: { id: options.group } } : {}),
      linkedEnvironmentMetadata:
        dataverse === null
          ? null
          : {
              domainName: dataverse.domain,
              baseLanguage: dataverse.language,
              ...(dataverse.currency ? { currency: { code: dataverse.currency } } : {}),
              ...(dataverse.securityGroupId ? { securityGroupId: dataverse.securityGroupId } : {}),
              instanceState: "Ready",
            },
    },
  };
}

export function wireGroup(id: string, displayName: string, description = ""): WireEnvironmentGroup {
  return { id, displayName, description, createdTime: "2024-01-01T00:00:00Z" };
}

export function wireConnector(name: string, displayName = name): WireConnector {
  return {
    name,
    id: `/providers/Microsoft.PowerApps/apis/${name}`,
    type: "Microsoft.PowerApps/apis",
    properties: { displayName, tier: "Standard", publisher: "Microsoft" },
  };
}

const connectorRef = (name: string) => ({
  id: `/providers/Microsoft.PowerApps/apis/${name}`,
  name,
  type: "Microsoft.PowerApps/apis",
});

export interface WireDlpOptions {
  id: string;
  displayName: string;
  defaultClassification?: "Confidential" | "General" | "Blocked";
  business?: string[];
  nonBusiness?: string[];
  blocked?: string[];
  environmentType?: "AllEnvironments" | "OnlyEnvironments" | "ExceptEnvironments";
  environments?: string[];
  etag?: string;
}

export function wireDlp(options: WireDlpOptions): WireDlpPolicy {
  const groups: DlpConnectorGroup[] = [
    { classification: "Confidential", connectors: (options.business ?? []).map(connectorRef) },
    { classification: "General", connectors: (options.nonBusiness ?? []).map(connectorRef) },
    { classification: "Blocked", connectors: (options.blocked ?? []).map(connectorRef) },
  ];
  return {
    policyDefinition: {
      name: options.id,
      displayName: options.displayName,
      defaultConnectorsClassification: options.defaultClassification ?? "General",
      connectorGroups: groups,
      environmentType: options.environmentType ?? "AllEnvironments",
      environments: (options.environments ?? []).map((id) => ({
        id: `/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${id}`,
        name: id,
        type: "Microsoft.BusinessAppPlatform/scopes/environments",
      })),
      etag: options.etag ?? "etag-1",
      createdTime: "2024-01-01T00:00:00Z",
      isLegacySchemaVersion: false,
    },
    customConnectorUrlPatternsDefinition: { rules: null },
  };
}

export function wireSku(
  partNumber: string,
  skuId: string,
  enabled: number,
  consumed: number,
  plans: [string, string][] = [],
): WireSubscribedSku {
  return {
    id: `tenant_${skuId}`,
    skuId,
    skuPartNumber: partNumber,
    consumedUnits: consumed,
    prepaidUnits: { enabled },
    servicePlans: plans.map(([servicePlanId, servicePlanName]) => ({ servicePlanId, servicePlanName })),
  };
}

export function wireLicenseGroup(
  id: string,
  licenses: { skuId: string; disabledPlans?: string[] }[] = [],
): WireGraphGroup {
  return {
    id,
    displayName: `group ${id.slice(-4)}`,
    assignedLicenses: licenses.map((license) => ({
      skuId: license.skuId,
      disabledPlans: license.disabledPlans ?? [],
    })),
  };
}

export const CONNECTORS = ["shared_sharepointonline", "shared_sql", "shared_twitter", "shared_approvals"];

export function liveTenant(overrides: Partial<LiveTenant> = {}): LiveTenant {
  return {
    ...emptyLiveTenant(),
    tenantId: guid(1000),
    environments: [
      wireEnv({ id: guid(1), displayName: "Contoso (default)", type: "Default", isDefault: true }),
    ],
    connectors: CONNECTORS.map((name) => wireConnector(name)),
    unblockableConnectorIds: ["/providers/Microsoft.PowerApps/apis/shared_approvals"],
    ...overrides,
  };
}

export const PLAN_OPTIONS = { createdAt: "2026-01-01T00:00:00Z" };
