import { KIND_REGISTRY } from "../kinds/registry.js";
import { TENANT_ISOLATION_DISPLAY_NAME } from "../kinds/tenant-isolation.js";
import { TENANT_SETTINGS_DISPLAY_NAME } from "../kinds/tenant-settings.js";
import type {
  LiveAllocation,
  LiveBillingPolicy,
  LiveTenant,
  LiveTenantIsolation,
  LiveTenantSettings,
} from "../plan/live-tenant.js";
import type { ManagedKind } from "../policy/types.js";
import type { WireDlpPolicy, WireEnvironment, WireEnvironmentGroup, WireGraphGroup } from "../wire/types.js";
import type { Built, ExportContext } from "./context.js";
import { dlpPolicySpec } from "./dlp-docs.js";
import { environmentGroupSpec, environmentSpec } from "./environment-docs.js";
import { billingPolicySpec, licenseAllocationSpec, licenseAssignmentSpec } from "./licensing-docs.js";
import { tenantIsolationSpec, tenantSettingsSpec } from "./tenant-kind-docs.js";

/** How one kind is exported. */
export interface KindExporter<L> {
  kind: ManagedKind;
  folder: string;
  /** Used when a display name slugifies to nothing. */
  fallbackName: string;
  records(live: LiveTenant): readonly L[];
  id(record: L): string;
  displayName(record: L, context: ExportContext): string;
  /** Creation time, when the service reports one: of two objects with one display name, the older is written. */
  createdAt?(record: L): string | undefined;
  /** The display name Tenant.ignore globs are matched against (as the planner does). */
  ignoreName(record: L, context: ExportContext): string | undefined;
  /** A preferred base for metadata.name (allocations take their environment's name). */
  baseName?(record: L, context: ExportContext): string;
  /** The validator refuses two documents of a kind with one display name (PPG302). */
  uniqueDisplayName: boolean;
  build(record: L, context: ExportContext): Built<object>;
}

export const environmentGroups: KindExporter<WireEnvironmentGroup> = {
  kind: "EnvironmentGroup",
  folder: "environment-groups",
  fallbackName: "group",
  records: (live) => KIND_REGISTRY.EnvironmentGroup.listLive(live),
  id: (group) => KIND_REGISTRY.EnvironmentGroup.liveId(group),
  displayName: (group) => group.displayName,
  createdAt: (group) => group.createdTime,
  ignoreName: (group) => group.displayName,
  uniqueDisplayName: true,
  build: (group) => environmentGroupSpec(group),
};

export const environments: KindExporter<WireEnvironment> = {
  kind: "Environment",
  folder: "environments",
  fallbackName: "environment",
  records: (live) => KIND_REGISTRY.Environment.listLive(live),
  id: (environment) => KIND_REGISTRY.Environment.liveId(environment),
  displayName: (environment) => environment.properties.displayName,
  createdAt: (environment) => environment.properties.createdTime,
  ignoreName: (environment) => environment.properties.displayName,
  uniqueDisplayName: true,
  build: environmentSpec,
};

export const dlpPolicies: KindExporter<WireDlpPolicy> = {
  kind: "DlpPolicy",
  folder: "dlp",
  fallbackName: "policy",
  records: (live) => KIND_REGISTRY.DlpPolicy.listLive(live),
  id: (policy) => KIND_REGISTRY.DlpPolicy.liveId(policy),
  displayName: (policy) => policy.policyDefinition.displayName,
  createdAt: (policy) => policy.policyDefinition.createdTime,
  ignoreName: (policy) => policy.policyDefinition.displayName,
  uniqueDisplayName: true,
  build: dlpPolicySpec,
};

export const billingPolicies: KindExporter<LiveBillingPolicy> = {
  kind: "BillingPolicy",
  folder: "licensing/billing",
  fallbackName: "billing-policy",
  records: (live) => KIND_REGISTRY.BillingPolicy.listLive(live),
  id: (record) => KIND_REGISTRY.BillingPolicy.liveId(record),
  displayName: (record) => record.policy.name,
  createdAt: (record) => record.policy.createdOn,
  ignoreName: (record) => record.policy.name,
  uniqueDisplayName: true,
  build: billingPolicySpec,
};

export const licenseAllocations: KindExporter<LiveAllocation> = {
  kind: "LicenseAllocation",
  folder: "licensing/allocations",
  fallbackName: "allocation",
  records: (live) => KIND_REGISTRY.LicenseAllocation.listLive(live),
  id: (record) => KIND_REGISTRY.LicenseAllocation.liveId(record),
  displayName: (record, context) => {
    const id = KIND_REGISTRY.LicenseAllocation.liveId(record);
    return context.environmentName(id) ?? id;
  },
  ignoreName: (record, context) => context.environmentName(KIND_REGISTRY.LicenseAllocation.liveId(record)),
  baseName: (record, context) => {
    const id = KIND_REGISTRY.LicenseAllocation.liveId(record);
    const ref = context.envRef(id);
    return ref === undefined || ref.startsWith("id:") ? (context.environmentName(id) ?? "") : ref;
  },
  uniqueDisplayName: false,
  build: licenseAllocationSpec,
};

export const licenseAssignments: KindExporter<WireGraphGroup> = {
  kind: "LicenseAssignment",
  folder: "licensing/assignments",
  fallbackName: "group",
  records: (live) => KIND_REGISTRY.LicenseAssignment.listLive(live),
  id: (group) => KIND_REGISTRY.LicenseAssignment.liveId(group),
  displayName: (group) => group.displayName ?? group.id,
  ignoreName: (group) => KIND_REGISTRY.LicenseAssignment.liveDisplayName(group),
  uniqueDisplayName: false,
  build: licenseAssignmentSpec,
};

export const tenantSettings: KindExporter<LiveTenantSettings> = {
  kind: "TenantSettings",
  folder: "tenant",
  fallbackName: "tenant-settings",
  records: (live) => KIND_REGISTRY.TenantSettings.listLive(live),
  id: (record) => KIND_REGISTRY.TenantSettings.liveId(record),
  displayName: () => TENANT_SETTINGS_DISPLAY_NAME,
  ignoreName: () => TENANT_SETTINGS_DISPLAY_NAME,
  uniqueDisplayName: false,
  build: tenantSettingsSpec,
};

export const tenantIsolation: KindExporter<LiveTenantIsolation> = {
  kind: "TenantIsolation",
  folder: "tenant",
  fallbackName: "tenant-isolation",
  records: (live) => KIND_REGISTRY.TenantIsolation.listLive(live),
  id: (record) => KIND_REGISTRY.TenantIsolation.liveId(record),
  displayName: () => TENANT_ISOLATION_DISPLAY_NAME,
  ignoreName: () => TENANT_ISOLATION_DISPLAY_NAME,
  uniqueDisplayName: false,
  build: tenantIsolationSpec,
};
