import type { LiveCollection } from "../plan/live-tenant.js";
import type { ResourceKind } from "./resource-kind.js";
import { kindRank, MANAGED_KIND_ORDER, type ManagedKind } from "./kind-names.js";
import { billingPolicyKind } from "./billing-policy.js";
import { dlpPolicyKind } from "./dlp-policy.js";
import { environmentGroupKind } from "./environment-group.js";
import { environmentKind } from "./environment.js";
import { licenseAllocationKind } from "./license-allocation.js";
import { licenseAssignmentKind } from "./license-assignment.js";
import { tenantIsolationKind } from "./tenant-isolation.js";
import { tenantSettingsKind } from "./tenant-settings.js";

/**
 * Every resource kind's module, keyed by its name (kind-names.ts holds the names and their order; a
 * registry missing a kind, or naming one under another's key, does not compile).
 */
export const KIND_REGISTRY = {
  EnvironmentGroup: environmentGroupKind,
  Environment: environmentKind,
  DlpPolicy: dlpPolicyKind,
  BillingPolicy: billingPolicyKind,
  LicenseAllocation: licenseAllocationKind,
  LicenseAssignment: licenseAssignmentKind,
  TenantSettings: tenantSettingsKind,
  TenantIsolation: tenantIsolationKind,
} as const satisfies { [K in ManagedKind]: { kind: K } };

export type RegisteredKind = keyof typeof KIND_REGISTRY;

/** Every kind in dependency order: a kind only references kinds listed before it. */
export const KIND_ORDER: readonly RegisteredKind[] = MANAGED_KIND_ORDER;

export { kindRank };

/** A kind with its types erased, as the code that loops over the registry sees it. */
export type AnyKind = ResourceKind<unknown, unknown, object> & { kind: RegisteredKind };

/** The live collections a plan of `specs` (the kind's documents) reads for `kind`. */
export function planCollections(kind: AnyKind, specs: readonly unknown[], prune: boolean): LiveCollection[] {
  if (kind.planCollections !== undefined) return kind.planCollections(specs, prune);
  return specs.length > 0 || prune ? [...kind.liveCollections] : [];
}

/** The live collections export reads for `kind`. */
export function exportCollections(kind: AnyKind): readonly LiveCollection[] {
  return kind.exportCollections ?? kind.liveCollections;
}
