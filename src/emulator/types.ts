/**
 * The emulator's own view of the wire objects. It deliberately does not import the production
 * client's types (src/core/wire, src/adapters/tenant): the emulator is an independent peer, so a
 * mistake in one side's reading of the wire format does not silently cancel out in the other.
 *
 * Objects are kept as plain JSON and only the fields the emulator reasons about are typed; every
 * other field a seed carries is preserved and returned as is.
 */
import type { JsonObject } from "./json.js";
import type { PersistedOperation } from "./lifecycle.js";

export type { JsonObject, JsonValue } from "./json.js";

/** An admin-API ("BAP") environment object (TF internal/services/environment). */
export interface WireEnvironment extends JsonObject {
  id: string;
  name: string;
  type: string;
  location: string;
  properties: JsonObject;
}

/** A BAP environment group (TF internal/services/environment_groups). */
export interface WireEnvironmentGroup extends JsonObject {
  id: string;
  displayName: string;
}

/** A full DLP v2 policy document (TF internal/services/dlp_policy). */
export interface WireDlpPolicy extends JsonObject {
  policyDefinition: JsonObject & { name: string };
}

/** A PowerApps connector catalogue entry (TF internal/services/connectors). */
export interface WireConnector extends JsonObject {
  name: string;
  id: string;
}

/** One element of the bare `unblockable` / `virtual` arrays (TF internal/services/connectors). */
export interface WireConnectorMetadata extends JsonObject {
  id: string;
}

/** A PP API billing policy (TF internal/services/licensing). */
export interface WireBillingPolicy extends JsonObject {
  id: string;
  name: string;
  status: string;
}

/** One currency allocation of an environment (Learn "Currency Allocation"). */
export interface WireCurrencyAllocation extends JsonObject {
  currencyType: string;
  allocated: number;
}

/** A Graph subscribedSku (Graph "subscribedSku resource type"). */
export interface WireSubscribedSku extends JsonObject {
  skuId: string;
  skuPartNumber: string;
}

/** A Graph group with its licenses (Graph "group resource type"). */
export interface WireGroup extends JsonObject {
  id: string;
  assignedLicenses?: { skuId: string; disabledPlans: string[] }[];
}

/** An environment-group rule set (TF internal/services/environment_group_rule_set). */
export interface WireRuleSet extends JsonObject {
  id: string;
  parameters: JsonObject[];
}

/**
 * The seed and state format (docs/emulator.md, Seed and state format). Every key is optional; missing means
 * empty. The keys after `groups` are emulator extensions (docs/emulator.md lists them).
 */
export interface EmulatorSeed {
  environments?: WireEnvironment[];
  environmentGroups?: WireEnvironmentGroup[];
  dlpPolicies?: WireDlpPolicy[];
  connectors?: WireConnector[];
  unblockableConnectors?: WireConnectorMetadata[];
  billingPolicies?: WireBillingPolicy[];
  /** environmentId → allocations (Learn "Currency Allocation"). */
  allocations?: Record<string, WireCurrencyAllocation[]>;
  /** currencyType → units the tenant owns. */
  currencyPool?: Record<string, number>;
  subscribedSkus?: WireSubscribedSku[];
  groups?: WireGroup[];
  /** Extension: billing policy id → linked environment ids (lower case). */
  billingPolicyEnvironments?: Record<string, string[]>;
  /** Extension: built-in connectors that DLP can classify; defaults to the recorded list. */
  virtualConnectors?: WireConnectorMetadata[];
  /** Extension: the tenant id stamped on new objects. */
  tenantId?: string;
  /** Extension: the listTenantSettings object; defaults to the recorded one. */
  tenantSettings?: JsonObject;
  /** Extension: the tenantCapacity report; defaults to the recorded one. */
  tenantCapacity?: JsonObject;
  /** Extension: environment-group rule sets (each names its group in `environmentFilter.values`). */
  ruleSets?: WireRuleSet[];
  /** Extension: Graph group id → number of direct members (`groups/{id}/members/$count`); default 0. */
  groupMemberCounts?: Record<string, number>;
  /** Extension: other tenants' domains → tenant ids, for Graph findTenantInformationByDomainName. */
  tenantDomains?: Record<string, string>;
  /** Extension: the tenant isolation policy; absent means GET answers 404. */
  tenantIsolationPolicy?: JsonObject;
  /** Extension: environment id (lower case) → admin app inventory (PowerApps app objects). */
  apps?: Record<string, JsonObject[]>;
  /**
   * State files only: the lifecycle operations the service still knows (running ones included), which
   * live server-side and so survive a restart. Not part of EmulatorState nor of GET /_emulator/state.
   */
  lifecycleOperations?: PersistedOperation[];
  /** Extension: environment id (lower case) → admin flow inventory (Flow objects with connectionReferences). */
  flows?: Record<string, JsonObject[]>;
}

/** Complete state: every seed key present. */
export type EmulatorState = Required<Omit<EmulatorSeed, "tenantIsolationPolicy" | "lifecycleOperations">> &
  Pick<EmulatorSeed, "tenantIsolationPolicy">;
