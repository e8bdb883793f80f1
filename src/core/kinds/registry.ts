import { billingPolicyKind } from "./billing-policy.js";
import { dlpPolicyKind } from "./dlp-policy.js";
import { environmentGroupKind } from "./environment-group.js";
import { environmentKind } from "./environment.js";
import { licenseAllocationKind } from "./license-allocation.js";
import { licenseAssignmentKind } from "./license-assignment.js";
import { tenantIsolationKind } from "./tenant-isolation.js";
import { tenantSettingsKind } from "./tenant-settings.js";

/** Every resource kind, in dependency order: a kind only references kinds listed before it. */
export const KIND_REGISTRY = {
  EnvironmentGroup: environmentGroupKind,
  Environment: environmentKind,
  DlpPolicy: dlpPolicyKind,
  BillingPolicy: billingPolicyKind,
  LicenseAllocation: licenseAllocationKind,
  LicenseAssignment: licenseAssignmentKind,
  TenantSettings: tenantSettingsKind,
  TenantIsolation: tenantIsolationKind,
} as const;

export type RegisteredKind = keyof typeof KIND_REGISTRY;

export const KIND_ORDER: readonly RegisteredKind[] = [
  "EnvironmentGroup",
  "Environment",
  "DlpPolicy",
  "BillingPolicy",
  "LicenseAllocation",
  "LicenseAssignment",
  "TenantSettings",
  "TenantIsolation",
];
