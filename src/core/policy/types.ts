/**
 * The policy language v1 as users write it (docs/policy-format.md). These types mirror
 * `schemas/*.schema.json`; a document that passed schema validation has exactly this shape.
 */

import {
  MANAGED_KINDS_LISTED,
  PRUNABLE_KIND_NAMES,
  SINGLETON_KIND_NAMES,
  type ManagedKind,
  type PrunableKind,
  type SingletonKind,
} from "../kinds/kind-names.js";

export const API_VERSION = "ppgov/v1";

/** Every kind of document, in the order the language lists them: Tenant, then the managed kinds (core/kinds/kind-names.ts). */
export const KINDS: readonly KindName[] = ["Tenant", ...MANAGED_KINDS_LISTED];
export type KindName = "Tenant" | ManagedKind;

export type Ensure = "present" | "absent";

export interface Metadata {
  /** Key of the resource in the repo, unique per kind: [a-z0-9-], 1..63. */
  name: string;
  /** Pins the live object's id (a GUID). */
  id?: string;
}

export interface Envelope<K extends KindName, S> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: Metadata;
  spec: S;
}

// ---------------------------------------------------------------------------------------------------
// Environment

/**
 * Every type a document may declare. The last two are read, never made: ppgov cannot create a Teams or
 * Default environment, nor change an environment's type to or from them (PPG416).
 */
export const ENVIRONMENT_TYPES = ["Production", "Sandbox", "Trial", "Developer", "Teams", "Default"] as const;
export type EnvironmentType = (typeof ENVIRONMENT_TYPES)[number];

export const UPDATE_CADENCES = ["Frequent", "Moderate"] as const;
export type UpdateCadence = (typeof UPDATE_CADENCES)[number];

export interface DataverseSpec {
  /** Dataverse URL prefix: https://<domain>.crm.dynamics.com */
  domain?: string;
  /** LCID, e.g. 1033 for English (United States). Changing it replaces the environment. */
  language?: number;
  /** ISO currency code, e.g. USD. Changing it replaces the environment. */
  currency?: string;
}

export const SHARING_MODES = ["noLimit", "excludeSharingToSecurityGroups"] as const;
export type SharingMode = (typeof SHARING_MODES)[number];

export const SOLUTION_CHECKER_MODES = ["none", "warn", "block"] as const;
export type SolutionCheckerMode = (typeof SOLUTION_CHECKER_MODES)[number];

/** Managed-environment settings (governanceConfiguration, TF internal/services/managed_environment). */
export interface ManagedSpec {
  enabled: boolean;
  /** Maximum number of people an app can be shared with; -1 = no limit. */
  maxShareLimit?: number;
  limitSharingMode?: SharingMode;
  groupSharingDisabled?: boolean;
  solutionCheckerMode?: SolutionCheckerMode;
  suppressValidationEmails?: boolean;
  solutionCheckerRuleOverrides?: string[];
  /** Weekly usage-insights digest (the inverse of excludeEnvironmentFromAnalysis). */
  usageInsights?: boolean;
  includeOnHomepageInsights?: boolean;
  aiGeneratedDescriptions?: boolean;
}

export interface EnvironmentSpec {
  displayName: string;
  description?: string;
  /** Power Platform geography, e.g. europe, unitedstates. Create-only. */
  location: string;
  /** Azure region inside the location, e.g. westeurope. Create-only. */
  azureRegion?: string;
  type: EnvironmentType;
  securityGroupId?: string;
  dataverse?: DataverseSpec;
  updateCadence?: UpdateCadence;
  adminMode?: boolean;
  /** metadata.name of an EnvironmentGroup document. */
  group?: string;
  managed?: ManagedSpec;
  /** Default: true for Production, false otherwise. */
  deletionProtection?: boolean;
  ensure?: Ensure;
}

export type EnvironmentDocument = Envelope<"Environment", EnvironmentSpec>;

// ---------------------------------------------------------------------------------------------------
// EnvironmentGroup

export interface EnvironmentGroupSpec {
  displayName: string;
  description?: string;
  ensure?: Ensure;
}

export type EnvironmentGroupDocument = Envelope<"EnvironmentGroup", EnvironmentGroupSpec>;

// ---------------------------------------------------------------------------------------------------
// DlpPolicy

/** Admin-center words. The wire words (Confidential/General/Blocked) appear only in the wire mapping. */
export const DLP_GROUPS = ["business", "nonBusiness", "blocked"] as const;
export type DlpGroup = (typeof DLP_GROUPS)[number];

export const URL_PATTERN_GROUPS = ["business", "nonBusiness", "blocked", "ignore"] as const;
export type UrlPatternGroup = (typeof URL_PATTERN_GROUPS)[number];

/**
 * An env ref: the metadata.name of an Environment document, `id:<guid>` for a live environment the
 * repo does not manage, or `default` for the tenant's default environment.
 */
export type EnvRef = string;

export type DlpScope = { all: true } | { only: EnvRef[] } | { except: EnvRef[] };

export interface ConnectorActionRules {
  /** Behaviour for actions not listed. */
  default: "allow" | "block";
  allow?: string[];
  block?: string[];
}

/** One endpoint rule: exactly one of allow / deny, whose value is a host pattern ("*" = catch-all). */
export type EndpointRule = { allow: string } | { deny: string };

export interface ConnectorRule {
  actions?: ConnectorActionRules;
  /** Ordered; the last rule must be the catch-all "*". */
  endpoints?: EndpointRule[];
}

export interface CustomConnectorUrlPattern {
  pattern: string;
  group: UrlPatternGroup;
}

export interface DlpPolicySpec {
  displayName: string;
  scope: DlpScope;
  defaultGroup: DlpGroup;
  connectors?: Partial<Record<DlpGroup, string[]>>;
  /** Keyed by connector name, e.g. shared_sql. */
  connectorRules?: Record<string, ConnectorRule>;
  /** Ordered; the last rule must be the catch-all "*". */
  customConnectorUrlPatterns?: CustomConnectorUrlPattern[];
  ensure?: Ensure;
}

export type DlpPolicyDocument = Envelope<"DlpPolicy", DlpPolicySpec>;

// ---------------------------------------------------------------------------------------------------
// Licensing

/**
 * The currency types the policy language names: the allocations API's ExternalCurrencyType (Learn,
 * "Currency Allocation - Patch Currency Allocation By Environment", 2022-03-01-preview) and the
 * entitlements that only the allocationsV2 API takes (below).
 */
export const CURRENCY_TYPES = [
  "AI",
  "AppPass",
  "AppPassForTeams",
  "Invoice",
  "MCSSessions",
  "MCSMessages",
  "PAHostedRPA",
  "PAUnattendedRPA",
  "PerFlowPlan",
  "PortalAddOns",
  "PortalLogins",
  "PortalViews",
  "PowerPagesAuthenticated",
  "PowerPagesAnonymous",
  "PowerAutomatePerProcess",
  "ProcessMiningDataStorage",
  "SCMessages",
  "VAConversations",
] as const;
export type CurrencyType = (typeof CURRENCY_TYPES)[number];

/**
 * Copilot Studio credits are not in the 2022-03-01-preview enum: Learn routes them through
 * `PUT /licensing/allocationsV2` ("Allocation - Put Allocations V2"), whose read side it does not
 * document. ppgov refuses them at validate (PPG317) and never sends them to the allocations API.
 */
export const ALLOCATIONS_V2_ONLY_CURRENCY_TYPES: readonly CurrencyType[] = ["MCSMessages"];

export interface LicenseAllocationSpec {
  environment: EnvRef;
  allocations: Partial<Record<CurrencyType, number>>;
}

export type LicenseAllocationDocument = Envelope<"LicenseAllocation", LicenseAllocationSpec>;

export interface GroupLicense {
  /** skuPartNumber (e.g. ENTERPRISEPREMIUM) or skuId (GUID). */
  sku: string;
  /** servicePlanName or servicePlanId. */
  disabledPlans?: string[];
}

export interface LicenseAssignmentSpec {
  /** Entra ID group object id. */
  group: string;
  licenses: GroupLicense[];
  ensure?: Ensure;
}

export type LicenseAssignmentDocument = Envelope<"LicenseAssignment", LicenseAssignmentSpec>;

export const BILLING_POLICY_STATUSES = ["Enabled", "Disabled"] as const;
export type BillingPolicyStatus = (typeof BILLING_POLICY_STATUSES)[number];

export interface BillingPolicySpec {
  displayName: string;
  location: string;
  status?: BillingPolicyStatus;
  billingInstrument: { subscriptionId: string; resourceGroup: string };
  environments?: EnvRef[];
  ensure?: Ensure;
}

export type BillingPolicyDocument = Envelope<"BillingPolicy", BillingPolicySpec>;

// ---------------------------------------------------------------------------------------------------
// Tenant

/** Kinds whose unmanaged live objects may be pruned. */
export const PRUNABLE_KINDS: readonly PrunableKind[] = PRUNABLE_KIND_NAMES;

/** Kinds with exactly one live object per tenant: at most one document each, never pruned. */
export const SINGLETON_KINDS: readonly SingletonKind[] = SINGLETON_KIND_NAMES;

export type { ManagedKind, PrunableKind, SingletonKind };

export function isPrunableKind(kind: string): kind is PrunableKind {
  return (PRUNABLE_KINDS as readonly string[]).includes(kind);
}

export interface TenantSpec {
  tenantId?: string;
  cloud?: "public" | "gcc" | "gcchigh" | "dod" | "china";
  prune?: Partial<Record<PrunableKind, boolean>>;
  /** Display-name globs or `id:<guid>`: live objects never touched. */
  ignore?: string[];
}

export type TenantDocument = Envelope<"Tenant", TenantSpec>;

// ---------------------------------------------------------------------------------------------------
// TenantSettings (TF internal/services/tenant_settings): declared partially, only the settings a document
// names are managed

export interface TenantSearchSettings {
  disableDocsSearch?: boolean;
  disableCommunitySearch?: boolean;
  disableBingVideoSearch?: boolean;
}

export interface TenantPowerAppsSettings {
  disableShareWithEveryone?: boolean;
  enableGuestsToMake?: boolean;
  disableMakerMatch?: boolean;
  disableUnusedLicenseAssignment?: boolean;
  disableCreateFromImage?: boolean;
  disableCreateFromFigma?: boolean;
  disableConnectionSharingWithEveryone?: boolean;
}

export interface TenantGovernanceSettings {
  disableAdminDigest?: boolean;
  disableDeveloperEnvironmentCreationByNonAdminUsers?: boolean;
  enableDefaultEnvironmentRouting?: boolean;
  policy?: { enableDesktopFlowDataPolicyManagement?: boolean };
}

export interface TenantLicensingSettings {
  disableBillingPolicyCreationByNonAdminUsers?: boolean;
  enableTenantCapacityReportForEnvironmentAdmins?: boolean;
  /** Percent of storage capacity at which admins are warned. */
  storageCapacityConsumptionWarningThreshold?: number;
  enableTenantLicensingReportForEnvironmentAdmins?: boolean;
  disableUseOfUnassignedAIBuilderCredits?: boolean;
  applyAutoClaimToOnlyManagedEnvironments?: boolean;
}

export interface TenantIntelligenceSettings {
  disableCopilot?: boolean;
  enableOpenAiBotPublishing?: boolean;
  disableCopilotFeedback?: boolean;
  disableCopilotFeedbackMetadata?: boolean;
}

export interface PowerPlatformSettings {
  search?: TenantSearchSettings;
  teamsIntegration?: { shareWithColleaguesUserLimit?: number };
  powerApps?: TenantPowerAppsSettings;
  powerAutomate?: { disableCopilot?: boolean; disableCopilotWithBing?: boolean };
  environments?: { disablePreferredDataLocationForTeamsEnvironment?: boolean };
  governance?: TenantGovernanceSettings;
  licensing?: TenantLicensingSettings;
  champions?: {
    disableChampionsInvitationReachout?: boolean;
    disableSkillsMatchInvitationReachout?: boolean;
  };
  intelligence?: TenantIntelligenceSettings;
  modelExperimentation?: { enableModelDataSharing?: boolean; disableDataLogging?: boolean };
  catalogSettings?: { powerCatalogAudienceSetting?: string };
  userManagementSettings?: { enableDeleteDisabledUserinAllEnvironments?: boolean };
}

/** The tenant settings object, with the service's own names; every field optional (absent = unmanaged). */
export interface TenantSettingsSpec {
  walkMeOptOut?: boolean;
  disableNPSCommentsReachout?: boolean;
  disableNewsletterSendout?: boolean;
  disableEnvironmentCreationByNonAdminUsers?: boolean;
  disablePortalsCreationByNonAdminUsers?: boolean;
  disableSurveyFeedback?: boolean;
  disableTrialEnvironmentCreationByNonAdminUsers?: boolean;
  disableCapacityAllocationByEnvironmentAdmins?: boolean;
  disableSupportTicketsVisibleByAllUsers?: boolean;
  powerPlatform?: PowerPlatformSettings;
}

export type TenantSettingsDocument = Envelope<"TenantSettings", TenantSettingsSpec>;

// ---------------------------------------------------------------------------------------------------
// TenantIsolation (TF internal/services/tenant_isolation_policy)

export const ISOLATION_DIRECTIONS = ["inbound", "outbound", "both"] as const;
export type IsolationDirection = (typeof ISOLATION_DIRECTIONS)[number];

export interface AllowedTenant {
  /** Entra tenant id (a GUID), or "*" for every tenant. Exactly one of tenantId and domain. */
  tenantId?: string;
  /** A domain of the tenant (contoso.onmicrosoft.com), resolved to its tenant id at plan time. */
  domain?: string;
  /** inbound: users of that tenant may connect to this one; outbound: this tenant's users may connect there. */
  direction: IsolationDirection;
}

export interface TenantIsolationSpec {
  /** true: connections across tenants are blocked except for `allowedTenants`. */
  enabled: boolean;
  /** Absent: the list is unmanaged. */
  allowedTenants?: AllowedTenant[];
}

export type TenantIsolationDocument = Envelope<"TenantIsolation", TenantIsolationSpec>;

// ---------------------------------------------------------------------------------------------------

export type PolicyDocument =
  | TenantDocument
  | EnvironmentGroupDocument
  | EnvironmentDocument
  | DlpPolicyDocument
  | LicenseAllocationDocument
  | LicenseAssignmentDocument
  | BillingPolicyDocument
  | TenantSettingsDocument
  | TenantIsolationDocument;

/** Where a document came from, for diagnostics. */
export interface SourceLocation {
  /** Path relative to the policy directory's parent (as the user typed -d), forward slashes. */
  file: string;
  line: number;
  column: number;
}

/** A schema-valid document plus where it came from and a position lookup for its JSON pointers. */
export interface LoadedDocument {
  document: PolicyDocument;
  source: SourceLocation;
  /** Index of the document within its file (0-based). */
  index: number;
  /** Position of a JSON pointer inside this document (falls back to the nearest ancestor). */
  locate(pointer: string): SourceLocation;
}
