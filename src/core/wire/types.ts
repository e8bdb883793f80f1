/**
 * Wire-format types: the JSON objects ppgov reads from and writes to the four tenant APIs (admin API
 * "BAP", PowerApps, Power Platform API, Microsoft Graph), as the Terraform provider for Power Platform
 * sends and reads them (`TF internal/...` below: paths in microsoft/terraform-provider-power-platform), as
 * Learn and the Graph docs publish them (page titles below), and as recorded in
 * `test/contract/fixtures/tf-provider/`.
 *
 * Pure types, no I/O. The tenant client (src/adapters/tenant) validates responses against JSON Schemas
 * that check exactly the fields typed here as required, so a value of these types coming out of the
 * client really has those fields. Fields ppgov does not rely on are optional or folded into index
 * signatures (`[key: string]: unknown`) so unknown service additions survive a read-modify-write.
 *
 * Vocabulary on the wire differs from the policy language: DLP "Confidential" = business,
 * "General" = non-business (see the one mapping in the planner).
 */

import { CURRENCY_TYPES } from "../policy/types.js";

// ---------------------------------------------------------------------------------------------------
// Common

/**
 * A list envelope. BAP and PowerApps page with `nextLink` (PowerApps admin PowerShell module, InvokeApi);
 * PP API and Graph with `@odata.nextLink` (Graph "Paging Microsoft Graph data in your app").
 */
export interface ListPage<T> {
  value: T[];
  nextLink?: string;
  "@odata.nextLink"?: string;
  "@odata.context"?: string;
}

/** Principal stamp found in created/modified fields. Shapes vary by API; only `id`/`type` are common. */
export interface WirePrincipal {
  id?: string;
  displayName?: string;
  email?: string;
  type?: string;
  tenantId?: string;
  userPrincipalName?: string;
  [key: string]: unknown;
}

/** An `{ "id": "..." }` reference, used for SKUs, cadences, states, groups, billing policies. */
export interface IdRef<T extends string = string> {
  id: T;
}

/**
 * The all-zero GUID: on environment PATCH it means "none" for `parentEnvironmentGroup` and `billingPolicy`
 * (TF internal/services/environment/resource_environment.go).
 */
export const ZERO_GUID = "00000000-0000-0000-0000-000000000000";

// ---------------------------------------------------------------------------------------------------
// Errors (test/contract/fixtures/tf-provider/; Graph "Microsoft Graph error responses and resource types")

/**
 * An error body. BAP, PP API and Graph all use `{error:{code,message}}`; PP API sometimes adds a
 * top-level `status`; tenant isolation adds OData-like `details`; Graph adds `innerError`.
 */
export interface WireErrorBody {
  status?: number;
  error: {
    code: string;
    message?: string;
    detailUrlType?: string;
    details?: { code?: string; message?: string; [key: string]: unknown }[];
    innerError?: {
      "request-id"?: string;
      date?: string;
      "client-request-id"?: string;
      [key: string]: unknown;
    };
    [key: string]: unknown;
  };
}

// ---------------------------------------------------------------------------------------------------
// Environments (BAP, TF internal/services/environment)

/**
 * `properties.environmentSku`. "Default" is the tenant's default environment, "Teams" one Microsoft Teams
 * made (Microsoft365DSC PPPowerAppsEnvironment's EnvironmentSKU); both are read only.
 */
export type EnvironmentSku = "Production" | "Sandbox" | "Trial" | "Developer" | "Default" | "Teams";

export type UpdateCadenceId = "Frequent" | "Moderate";

/** `properties.states.runtime.id`: "AdminMode" means admin mode is on. */
export type RuntimeStateId = "Enabled" | "AdminMode" | (string & {});

/**
 * `properties.states.management.id`: "Ready" once a PATCH has settled (TF
 * internal/services/environment/api_environment.go).
 */
export type ManagementStateId = "Ready" | "Running" | "NotSpecified" | (string & {});

/** Managed environment = protectionLevel "Standard". */
export type ProtectionLevel = "Basic" | "Standard";

/**
 * `properties.governanceConfiguration.settings.extendedSettings`: every value is a **string**, including
 * numbers and booleans ("10", "true"); keys per TF internal/services/managed_environment.
 */
export interface ManagedExtendedSettings {
  excludeEnvironmentFromAnalysis?: string;
  isGroupSharingDisabled?: string;
  /** "-1" = no limit. */
  maxLimitUserSharing?: string;
  /** "noLimit" | "excludeSharingToSecurityGroups". */
  limitSharingMode?: string;
  /** "none" | "warn" | "block". */
  solutionCheckerMode?: string;
  suppressValidationEmails?: string;
  /** Comma-separated rule codes. */
  solutionCheckerRuleOverrides?: string;
  disableAiGeneratedDescriptions?: string;
  includeOnHomepageInsights?: string;
  [key: string]: string | undefined;
}

/**
 * `properties.governanceConfiguration` on read, and the body of POST …/governanceConfiguration (TF
 * internal/services/managed_environment).
 */
export interface GovernanceConfiguration {
  protectionLevel: ProtectionLevel;
  settings?: { extendedSettings?: ManagedExtendedSettings; [key: string]: unknown };
  [key: string]: unknown;
}

/** `properties.linkedEnvironmentMetadata`: the Dataverse instance. Null or absent when there is none. */
export interface LinkedEnvironmentMetadata {
  resourceId?: string;
  friendlyName?: string;
  uniqueName?: string;
  domainName?: string;
  version?: string;
  instanceUrl?: string;
  instanceApiUrl?: string;
  /** LCID, e.g. 1033. */
  baseLanguage?: number;
  instanceState?: string;
  createdTime?: string;
  backgroundOperationsState?: "Enabled" | "Disabled";
  /** Absent when no security group restricts access. */
  securityGroupId?: string;
  [key: string]: unknown;
}

/**
 * The expanded billing policy projection (`$expand=properties/billingPolicy`), may lag the licensing API
 * (TF internal/services/environment/resource_environment.go, confirmBillingPolicy).
 */
export interface EnvironmentBillingPolicyProjection {
  id: string;
  name?: string;
  status?: string;
  location?: string;
  [key: string]: unknown;
}

export interface EnvironmentProperties {
  tenantId?: string;
  /** Create-only. */
  azureRegion?: string;
  displayName: string;
  description?: string;
  createdTime?: string;
  createdBy?: WirePrincipal;
  lastModifiedTime?: string;
  lastModifiedBy?: WirePrincipal;
  /** "Succeeded"; "LinkedDatabaseProvisioning" while Dataverse is added. */
  provisioningState?: string;
  creationType?: string;
  environmentSku: EnvironmentSku;
  isDefault?: boolean;
  /** Absent when the environment is not in a group. */
  parentEnvironmentGroup?: IdRef;
  /** Owner of a Developer environment. Create-only. */
  usedBy?: WirePrincipal;
  billingPolicy?: EnvironmentBillingPolicyProjection;
  /** Only with `$expand=properties.capacity`. */
  capacity?: {
    capacityType: string;
    actualConsumption?: number;
    ratedConsumption?: number;
    capacityUnit?: string;
    updatedOn?: string;
  }[];
  /** "CommonDataService" when Dataverse exists or is being provisioned; present even with null metadata. */
  databaseType?: string;
  linkedEnvironmentMetadata?: LinkedEnvironmentMetadata | null;
  states?: {
    management?: IdRef<ManagementStateId>;
    runtime?: { id: RuntimeStateId; [key: string]: unknown };
  };
  updateCadence?: IdRef<UpdateCadenceId>;
  /** `category` "FirstRelease" (public) / "GovFR" (GCC) = early release cycle. Create-only. */
  cluster?: { category?: string; [key: string]: unknown };
  governanceConfiguration?: GovernanceConfiguration;
  bingChatEnabled?: boolean;
  m365Enabled?: boolean;
  copilotPolicies?: {
    crossGeoCopilotDataMovementEnabled?: boolean;
    crossBoundaryCopilotDataMovementEnabled?: boolean;
  };
  /** Hosts per service; `microsoft.PowerAppsAdvisor` locates the solution-checker rule list. */
  runtimeEndpoints?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * An environment as BAP returns it from list and get (TF internal/services/environment/dto.go). The
 * environment id is `name`.
 */
export interface WireEnvironment {
  /** "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/<guid>" */
  id: string;
  /** The environment GUID. */
  name: string;
  type?: string;
  /** Geography such as "europe", "unitedstates". Create-only. */
  location: string;
  properties: EnvironmentProperties;
  [key: string]: unknown;
}

/** Body of `POST /environments?api-version=2023-06-01` (TF internal/services/environment/dto.go). */
export interface EnvironmentCreateBody {
  location: string;
  properties: {
    displayName: string;
    environmentSku: Exclude<EnvironmentSku, "Default" | "Teams">;
    description?: string;
    azureRegion?: string;
    updateCadence?: IdRef<UpdateCadenceId>;
    /** The provider always sends it, `{id:""}` when unset; ppgov omits it when unset. */
    billingPolicy?: IdRef;
    /** "CommonDataService" only when Dataverse is requested. */
    databaseType?: "CommonDataService";
    linkedEnvironmentMetadata?: {
      baseLanguage: number;
      domainName?: string;
      currency: { code: string };
      securityGroupId?: string;
      /** Plural on create; the read side has no template info. */
      templates?: string[];
      templateMetadata?: Record<string, unknown>;
    };
    /** Never the zero GUID on create. */
    parentEnvironmentGroup?: IdRef;
    bingChatEnabled?: boolean;
    m365Enabled?: boolean;
    usedBy?: { id: string; type: string; tenantId: string };
    cluster?: { category: string };
  };
}

/**
 * Body of `PATCH /scopes/admin/environments/{id}?api-version=2021-04-01` (TF
 * internal/services/environment/resource_environment.go). Answers 202 + lifecycle. The zero GUID in
 * `parentEnvironmentGroup`/`billingPolicy` removes the link.
 */
export interface EnvironmentPatchBody {
  properties: {
    displayName?: string;
    environmentSku?: Exclude<EnvironmentSku, "Default" | "Teams">;
    description?: string;
    updateCadence?: IdRef<UpdateCadenceId>;
    parentEnvironmentGroup?: IdRef;
    billingPolicy?: IdRef;
    linkedEnvironmentMetadata?: {
      domainName?: string;
      securityGroupId?: string;
      backgroundOperationsState?: "Enabled" | "Disabled";
    };
    states?: { runtime: IdRef<"AdminMode" | "Enabled"> };
    bingChatEnabled?: boolean;
    m365Enabled?: boolean;
    copilotPolicies?: {
      crossGeoCopilotDataMovementEnabled?: boolean;
      crossBoundaryCopilotDataMovementEnabled?: boolean;
    };
  };
}

/** Body of `POST /scopes/admin/environments/{id}/modifySku?api-version=2021-04-01`. */
export interface ModifySkuBody {
  environmentSku: Exclude<EnvironmentSku, "Default" | "Teams">;
}

/** Body of `POST /environments/{id}/provisionInstance?api-version=2021-04-01` (add Dataverse). */
export interface ProvisionInstanceBody {
  baseLanguage: number;
  domainName?: string;
  currency: { code: string };
  securityGroupId?: string;
  templates?: string[];
  templateMetadata?: Record<string, unknown>;
}

/** Body of `DELETE /scopes/admin/environments/{id}` (BAP accepts a JSON body on DELETE). */
export interface EnvironmentDeleteBody {
  code: string;
  message: string;
}

/** `GET /locations` item (TF internal/services/locations). */
export interface WireLocation {
  id?: string;
  type?: string;
  /** The geography key used as environment `location`, e.g. "europe". */
  name: string;
  properties: {
    displayName?: string;
    code?: string;
    isDefault?: boolean;
    isDisabled?: boolean;
    canProvisionDatabase?: boolean;
    canProvisionCustomerEngagementDatabase?: boolean;
    azureRegions?: string[];
    [key: string]: unknown;
  };
}

/** `GET /locations/{location}/environmentCurrencies` item: `name` is the ISO code. */
export interface WireEnvironmentCurrency {
  name: string;
  id?: string;
  properties: { code: string; symbol?: string; isTenantDefault?: boolean; [key: string]: unknown };
}

/** `GET /locations/{location}/environmentLanguages` item: `name` is the LCID as a string ("1033"). */
export interface WireEnvironmentLanguage {
  name: string;
  id?: string;
  properties: {
    localeId: number;
    localizedName?: string;
    displayName?: string;
    isTenantDefault?: boolean;
    [key: string]: unknown;
  };
}

/** `GET /tenant`: the tenant descriptor. */
export interface WireTenantDescriptor {
  tenantId: string;
  state?: string;
  location?: string;
  [key: string]: unknown;
}

/** `POST /listTenantSettings` answer: a large settings object; ppgov reads a few flags. */
export interface WireTenantSettings {
  walkMeOptOut?: boolean;
  disableEnvironmentCreationByNonAdminUsers?: boolean;
  disableCapacityAllocationByEnvironmentAdmins?: boolean;
  powerPlatform?: Record<string, unknown>;
  [key: string]: unknown;
}

/** One allowed tenant of the isolation policy. `tenantId` may be "*" (every tenant). */
export interface WireAllowedTenant {
  tenantId: string;
  direction: { inbound: boolean; outbound: boolean };
}

/**
 * `GET/PUT /providers/PowerPlatform.Governance/v1/tenants/{tenantId}/tenantIsolationPolicy` (TF
 * internal/services/tenant_isolation_policy).
 */
export interface WireTenantIsolationPolicy {
  properties: {
    tenantId?: string;
    /** false = isolation is enforced (the service's inverted flag). */
    isDisabled?: boolean;
    allowedTenants?: WireAllowedTenant[];
  };
}

// ---------------------------------------------------------------------------------------------------
// Lifecycle operations (TF internal/api/lifecycle.go)

/** Terminal states are "Succeeded" and "Failed"; anything else means keep polling. */
export type LifecycleStateId = "Succeeded" | "Failed" | "Running" | "NotStarted" | (string & {});

export interface LifecycleStage {
  id: string;
  name?: string;
  state: IdRef<LifecycleStateId>;
  firstActionDateTime?: string;
  lastActionDateTime?: string;
  [key: string]: unknown;
}

/**
 * A BAP lifecycle operation, polled at the URL of the 202's `Location` (or `Operation-Location`)
 * header, usually on a regional host. The id of a created environment is the last segment of
 * `links.environment.path` (empty on a failed create).
 */
export interface WireLifecycleOperation {
  id: string;
  links?: {
    self?: { path: string };
    environment?: { path: string };
    [key: string]: unknown;
  };
  /** "Create", "Delete", "Update", "EnableGovernanceConfiguration", … */
  type?: IdRef;
  typeDisplayName?: string;
  state: IdRef<LifecycleStateId>;
  createdDateTime?: string;
  lastActionDateTime?: string;
  requestedBy?: WirePrincipal;
  stages?: LifecycleStage[];
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------------------------
// Environment groups (BAP, TF internal/services/environment_groups)

export interface WireEnvironmentGroup {
  id: string;
  displayName: string;
  description?: string;
  createdTime?: string;
  createdBy?: WirePrincipal;
  [key: string]: unknown;
}

/** Body of group create (POST, 201) and update (PUT, 200); both fields are always sent. */
export interface EnvironmentGroupBody {
  displayName: string;
  description: string;
}

/**
 * An environment-group rule set (tenant-sharded PP API, TF internal/services/environment_group_rule_set): the
 * managed-environment settings the group imposes on its members. `GET …/environmentGroups/{id}/ruleSets`
 * answers `{value:[ruleSet]}`, or 204 when the group has none.
 */
export interface WireRuleSet {
  id: string;
  lastModified?: string;
  environmentFilter?: { type?: string; values?: { id: string; type?: string }[] };
  parameters: {
    /** "Sharing", "AdminDigest", "SolutionChecker", "Copilot", "Lifecycle", … */
    type: string;
    resourceType?: string;
    value?: { id: string; value: string }[];
    [key: string]: unknown;
  }[];
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------------------------
// DLP policies (PowerPlatform.Governance v2, TF internal/services/dlp_policy)

/** Wire classification: Confidential = business, General = non-business. */
export type ConnectorClassification = "Confidential" | "General" | "Blocked";

/** URL-pattern classification adds "Ignore". */
export type UrlPatternClassification = ConnectorClassification | "Ignore";

export type DlpEnvironmentType = "AllEnvironments" | "OnlyEnvironments" | "ExceptEnvironments";

/**
 * A connector in a group. Key connectors by `id`: in GET answers `name` may be the display name
 * ("Office 365 Users"); on send it is the last path segment ("shared_office365users").
 */
export interface DlpConnectorRef {
  /** "/providers/Microsoft.PowerApps/apis/shared_sql" (virtual connectors: "Http", …). */
  id: string;
  name: string;
  /** "Microsoft.PowerApps/apis". */
  type: string;
}

export interface DlpConnectorGroup {
  classification: ConnectorClassification;
  connectors: DlpConnectorRef[];
}

export interface DlpEnvironmentRef {
  /** "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/<guid>" */
  id: string;
  /** The environment GUID. */
  name: string;
  /** "Microsoft.BusinessAppPlatform/scopes/environments" */
  type: string;
}

export interface DlpActionRule {
  actionId: string;
  behavior: "Allow" | "Block";
}

export interface DlpConnectorActionConfiguration {
  connectorId: string;
  /** For actions not listed. Absent iff `actionRules` is empty. */
  defaultConnectorActionRuleBehavior?: "Allow" | "Block";
  actionRules: DlpActionRule[];
}

/**
 * One endpoint rule. The service returns `endPoint`; the Terraform provider sends `endpoint`.
 * Readers must accept both (use `endpointOf`); ppgov sends `endPoint`, which is what the service emits.
 */
export interface DlpEndpointRule {
  order: number;
  behavior: "Allow" | "Deny";
  endPoint?: string;
  endpoint?: string;
}

export interface DlpEndpointConfiguration {
  connectorId: string;
  /** Ordered; the last rule should be "*". */
  endpointRules: DlpEndpointRule[];
}

export interface DlpUrlPatternRule {
  order: number;
  customConnectorRuleClassification: UrlPatternClassification;
  pattern: string;
}

/** Fields present in both summaries (list) and full documents (get). */
export interface DlpPolicyDefinitionSummary {
  /** Server-assigned GUID; omitted on create. */
  name: string;
  displayName: string;
  defaultConnectorsClassification: ConnectorClassification;
  environmentType: DlpEnvironmentType;
  /** [] for AllEnvironments. */
  environments: DlpEnvironmentRef[];
  createdBy?: { displayName?: string };
  createdTime?: string;
  lastModifiedBy?: { displayName?: string };
  lastModifiedTime?: string;
  /** Returned but never sent: there is no If-Match. */
  etag?: string;
  isLegacySchemaVersion?: boolean;
}

/** List item of `GET …/v2/policies`: summaries only, no connector groups or rules. */
export interface WireDlpPolicySummary {
  policyDefinition: DlpPolicyDefinitionSummary;
}

export interface DlpConnectorConfigurationsDefinition {
  connectorActionConfigurations?: DlpConnectorActionConfiguration[];
  endpointConfigurations?: DlpEndpointConfiguration[];
}

/** Full v2 policy: GET `…/v2/policies/{name}`, POST 201 and PATCH 200 answers. */
export interface WireDlpPolicy {
  policyDefinition: DlpPolicyDefinitionSummary & {
    /** The service always returns all three groups (possibly empty). */
    connectorGroups: DlpConnectorGroup[];
  };
  /** Omitted when no connector has action or endpoint rules. */
  connectorConfigurationsDefinition?: DlpConnectorConfigurationsDefinition | null;
  customConnectorUrlPatternsDefinition?: { rules: DlpUrlPatternRule[] | null } | null;
}

/**
 * Body of create (POST, 201) and update (PATCH, 200, the whole document, not a merge).
 * `name` is omitted on create and set on PATCH; read-only fields are not sent.
 */
export interface DlpPolicyWriteBody {
  policyDefinition: {
    name?: string;
    displayName: string;
    defaultConnectorsClassification: ConnectorClassification;
    /** Always all three groups, in the order Confidential, General, Blocked. */
    connectorGroups: DlpConnectorGroup[];
    environmentType: DlpEnvironmentType;
    environments: DlpEnvironmentRef[];
  };
  connectorConfigurationsDefinition?: DlpConnectorConfigurationsDefinition;
  /** Always sent; `{rules: null}` when there are no patterns. */
  customConnectorUrlPatternsDefinition: { rules: DlpUrlPatternRule[] | null };
}

/** The endpoint of a rule, whichever spelling the service or a tool used. */
export function endpointOf(rule: DlpEndpointRule): string {
  return rule.endPoint ?? rule.endpoint ?? "";
}

/** `GET …/v1/connectors/metadata/unblockable` item (a bare array): cannot be put in Blocked. */
export interface WireUnblockableConnector {
  id: string;
  metadata: { unblockable: boolean; [key: string]: unknown };
}

/** `GET …/v1/connectors/metadata/virtual` item (a bare array): built-in connectors such as "Http". */
export interface WireVirtualConnector {
  id: string;
  metadata: {
    virtualConnector?: boolean;
    name?: string;
    type?: string;
    displayName?: string;
    iconUri?: string;
    [key: string]: unknown;
  };
}

// ---------------------------------------------------------------------------------------------------
// Connector catalogue (PowerApps, TF internal/services/connectors)

/** `GET /providers/Microsoft.PowerApps/apis` item. */
export interface WireConnector {
  /** "shared_sharepointonline". */
  name: string;
  /** "/providers/Microsoft.PowerApps/apis/shared_sharepointonline". */
  id: string;
  type?: string;
  properties: {
    displayName: string;
    description?: string;
    /** "Standard" | "Premium" (others exist, e.g. "NotSpecified"). */
    tier?: string;
    publisher?: string;
    isCustomApi?: boolean;
    apiEnvironment?: string;
    [key: string]: unknown;
  };
}

// ---------------------------------------------------------------------------------------------------
// Licensing (PP API, TF internal/services/licensing)

export type BillingPolicyStatus = "Enabled" | "Disabled" | "Provisioning" | (string & {});

/** A billing policy (`/licensing/billingPolicies`). `status` other than Enabled/Disabled means poll. */
export interface WireBillingPolicy {
  id: string;
  /** The display name. Settable in place. */
  name: string;
  type?: string;
  status: BillingPolicyStatus;
  /** Replace on change. */
  location: string;
  billingInstrument: {
    id?: string;
    subscriptionId: string;
    resourceGroup: string;
    [key: string]: unknown;
  };
  createdOn?: string;
  createdBy?: WirePrincipal;
  lastModifiedOn?: string;
  lastModifiedBy?: WirePrincipal;
  [key: string]: unknown;
}

/** Body of `POST /licensing/BillingPolicies` (201). */
export interface BillingPolicyCreateBody {
  location: string;
  name: string;
  status: "Enabled" | "Disabled";
  billingInstrument: { resourceGroup: string; subscriptionId: string };
}

/** Body of `PUT /licensing/billingPolicies/{id}`. */
export interface BillingPolicyUpdateBody {
  name: string;
  status: "Enabled" | "Disabled";
}

/** `GET /licensing/billingPolicies/{id}/environments` item. Ids are lower-case GUIDs. */
export interface WireBillingPolicyEnvironmentLink {
  billingPolicyId: string;
  environmentId: string;
}

/** Body of `POST …/environments/add` and `…/environments/remove`. Ids lower-cased. */
export interface BillingPolicyEnvironmentsBody {
  environmentIds: string[];
}

/**
 * `ExternalCurrencyType` values known today (Learn "Currency Allocation - Get Currency Allocation By
 * Environment") are the policy language's; others pass through as strings.
 */
export { CURRENCY_TYPES };
export type CurrencyType = (typeof CURRENCY_TYPES)[number] | (string & {});

export interface CurrencyAllocation {
  currencyType: CurrencyType;
  /** Non-negative integer. */
  allocated: number;
}

/**
 * `GET/PATCH /licensing/environments/{id}/allocations` (Learn "Currency Allocation - Get Currency Allocation
 * By Environment"). A 404 `EnvironmentAllocationNotFound` means nothing is allocated (the client returns an
 * empty list).
 */
export interface WireEnvironmentAllocations {
  environmentId: string;
  currencyAllocations: CurrencyAllocation[];
}

/** Body of the allocations PATCH. */
export interface EnvironmentAllocationsPatchBody {
  currencyAllocations: CurrencyAllocation[];
}

/**
 * `GET /licensing/allocationsV2/availability?api-version=2024-10-01&$filter=…` (Learn, "Allocation -
 * Get Allocations Availability V2"): what is still free to allocate to the filtered scope, per
 * entitlement. ppgov names entitlements by the currency types of the allocations API (Learn's tutorial
 * filters on `EntitlementId in ('MCSMessages')`, a currency type name).
 */
export interface WireAllocationAvailability {
  entitlementAllocationsAvailable: WireEntitlementAvailability[];
  /** The scope the answer is for (Learn: `scope`); ppgov does not rely on its fields. */
  scope?: unknown;
}

export interface WireEntitlementAvailability {
  entitlementId: string;
  /** Units still free to allocate (not the tenant's total). Learn: number (double). */
  availableQuantity: number;
  /** Learn: `EntitlementUnit`, values not published; ppgov does not rely on it. */
  unit?: unknown;
}

/**
 * `GET /licensing/tenantCapacity` (TF internal/services/capacity): storage capacity; ppgov only reads a few
 * totals.
 */
export interface WireTenantCapacity {
  tenantId?: string;
  licenseModelType?: string;
  capacitySummary?: { status?: string; [key: string]: unknown };
  tenantCapacities: {
    capacityType: string;
    capacityUnits?: string;
    totalCapacity?: number;
    maxCapacity?: number;
    consumption?: { actual?: number; rated?: number; [key: string]: unknown };
    status?: string;
    [key: string]: unknown;
  }[];
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------------------------
// Microsoft Graph license assignment (Graph "user: assignLicense", "group: assignLicense")

export interface WireServicePlanInfo {
  servicePlanId: string;
  servicePlanName: string;
  provisioningStatus?: string;
  appliesTo?: string;
}

/** `GET /v1.0/subscribedSkus` item. Available seats = `prepaidUnits.enabled - consumedUnits`. */
export interface WireSubscribedSku {
  /** "<tenantId>_<skuId>". */
  id: string;
  skuId: string;
  /** e.g. "ENTERPRISEPREMIUM", "POWERAPPS_PER_USER". */
  skuPartNumber: string;
  appliesTo?: string;
  /** Enabled | Warning | Suspended | Deleted | LockedOut. */
  capabilityStatus?: string;
  consumedUnits: number;
  prepaidUnits: { enabled: number; lockedOut?: number; suspended?: number; warning?: number };
  servicePlans: WireServicePlanInfo[];
  accountName?: string;
  accountId?: string;
  subscriptionIds?: string[];
  [key: string]: unknown;
}

export interface WireAssignedLicense {
  skuId: string;
  /** servicePlanIds. */
  disabledPlans: string[];
}

/** `GET /v1.0/groups/{id}?$select=id,displayName,assignedLicenses`. */
export interface WireGraphGroup {
  id: string;
  displayName?: string | null;
  assignedLicenses: WireAssignedLicense[];
  [key: string]: unknown;
}

/** Body of `POST /v1.0/groups/{id}/assignLicense` (202). Send both arrays, empty if unused. */
export interface AssignLicenseBody {
  addLicenses: WireAssignedLicense[];
  /** skuIds. */
  removeLicenses: string[];
}
