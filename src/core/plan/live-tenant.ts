import type {
  CurrencyAllocation,
  WireBillingPolicy,
  WireConnector,
  WireDlpPolicy,
  WireEnvironment,
  WireEnvironmentGroup,
  WireGraphGroup,
  WireSubscribedSku,
  WireTenantIsolationPolicy,
  WireTenantSettings,
  WireVirtualConnector,
} from "../wire/types.js";
import type { WireRuleSet } from "../kinds/rule-set.js";

/** A billing policy with the environments the licensing API links to it (lower-case ids). */
export interface LiveBillingPolicy {
  policy: WireBillingPolicy;
  environmentIds: string[];
}

/** The currency allocations of one environment, as one live "object" of kind LicenseAllocation. */
export interface LiveAllocation {
  environmentId: string;
  allocations: CurrencyAllocation[];
}

/**
 * The tenant isolation policy with the tenant it belongs to (its PUT path names the tenant).
 * `policy: null` is the service's 404: no policy, which is isolation turned off.
 */
export interface LiveTenantIsolation {
  tenantId: string;
  policy: WireTenantIsolationPolicy | null;
}

/** The tenant settings object (one per tenant), with the tenant it belongs to. */
export interface LiveTenantSettings {
  tenantId: string;
  settings: WireTenantSettings;
}

/**
 * Everything the planner needs from the tenant, already fetched (the reader decides what to fetch from
 * `requiredLiveCollections`). Collections not fetched are empty. Pure data: the planner never calls out.
 */
export interface LiveTenant {
  tenantId?: string;
  environments: WireEnvironment[];
  environmentGroups: WireEnvironmentGroup[];
  /**
   * Rule sets by environment group id (TF internal/services/environment_group_rule_set); absent when not
   * read.
   */
  environmentGroupRuleSets?: Record<string, WireRuleSet>;
  /** Full v2 documents (one GET per policy). */
  dlpPolicies: WireDlpPolicy[];
  connectors: WireConnector[];
  unblockableConnectorIds: string[];
  virtualConnectors: WireVirtualConnector[];
  billingPolicies: LiveBillingPolicy[];
  /** Environment id → its allocations (an environment with nothing allocated may be missing). */
  allocations: Record<string, CurrencyAllocation[]>;
  /**
   * Currency type → units still free to allocate, from the availability report of one environment's
   * scope; read after the diff, only when a plan raises an allocation (or for the coverage report).
   */
  allocationAvailability?: Record<string, number>;
  subscribedSkus: WireSubscribedSku[];
  /** Graph groups with `assignedLicenses`: those the policies reference (all licensed groups when pruning). */
  licenseGroups: WireGraphGroup[];
  /** Group id → member count, when the reader fetched it (improves the seat check). */
  licenseGroupMemberCounts?: Record<string, number>;
  /** The tenant settings, when read (TenantSettings documents exist or an export asked). */
  tenantSettings?: LiveTenantSettings;
  /** The tenant isolation policy, when read. */
  tenantIsolation?: LiveTenantIsolation;
  /**
   * Domain (lower case) → tenant id, or null for a domain no tenant has: the domains documents name,
   * resolved when read (LiveRequirements.tenantDomains).
   */
  tenantDomains?: Record<string, string | null>;
  /** Connector names known at the last apply, to call out connectors new in the catalogue. */
  previousCatalogue?: string[];
}

export type LiveCollection = Exclude<
  keyof LiveTenant,
  "tenantId" | "previousCatalogue" | "allocationAvailability" | "tenantDomains"
>;

export function emptyLiveTenant(): LiveTenant {
  return {
    environments: [],
    environmentGroups: [],
    dlpPolicies: [],
    connectors: [],
    unblockableConnectorIds: [],
    virtualConnectors: [],
    billingPolicies: [],
    allocations: {},
    subscribedSkus: [],
    licenseGroups: [],
  };
}
