import type { LiveCollection, LiveRequirements, Plan } from "../core/plan/index.js";
import type { RegisteredKind } from "../core/kinds/registry.js";

/** The live collections the planner reads to canonicalise (and so fingerprint) objects of each kind. */
const COLLECTIONS_BY_KIND: Record<RegisteredKind, LiveCollection[]> = {
  EnvironmentGroup: ["environmentGroups", "environmentGroupRuleSets"],
  Environment: ["environments", "environmentGroups"],
  DlpPolicy: ["dlpPolicies", "connectors", "unblockableConnectorIds", "virtualConnectors"],
  BillingPolicy: ["billingPolicies"],
  LicenseAllocation: ["allocations"],
  LicenseAssignment: ["subscribedSkus", "licenseGroups"],
  TenantSettings: ["tenantSettings"],
  TenantIsolation: ["tenantIsolation"],
};

/**
 * What to re-read to check a saved plan against the tenant: every collection of every kind the plan
 * touches, and the Entra groups of its license assignments (their live ids).
 */
export function requirementsForPlan(plan: Pick<Plan, "resources">): LiveRequirements {
  const collections = new Set<LiveCollection>(["environments"]);
  const licenseGroupIds = new Set<string>();
  for (const resource of plan.resources) {
    if (resource.action === "no-op") continue;
    for (const collection of COLLECTIONS_BY_KIND[resource.kind]) collections.add(collection);
    if (resource.kind === "LicenseAssignment" && resource.id !== null)
      licenseGroupIds.add(resource.id.toLowerCase());
  }
  return { collections: [...collections], licenseGroupIds: [...licenseGroupIds], allLicensedGroups: false };
}

/** The union of two requirement sets. */
export function mergeRequirements(a: LiveRequirements, b: LiveRequirements): LiveRequirements {
  return {
    collections: [...new Set([...a.collections, ...b.collections])],
    licenseGroupIds: [...new Set([...a.licenseGroupIds, ...b.licenseGroupIds])],
    allLicensedGroups: a.allLicensedGroups || b.allLicensedGroups,
  };
}
