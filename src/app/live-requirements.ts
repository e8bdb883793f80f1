import type { LiveCollection, LiveRequirements, Plan } from "../core/plan/index.js";
import { KIND_REGISTRY } from "../core/kinds/registry.js";

/**
 * What to re-read to check a saved plan against the tenant: every collection of every kind the plan
 * touches, and the Entra groups of its license assignments (their live ids).
 */
export function requirementsForPlan(plan: Pick<Plan, "resources">): LiveRequirements {
  const collections = new Set<LiveCollection>(["environments"]);
  const licenseGroupIds = new Set<string>();
  for (const resource of plan.resources) {
    if (resource.action === "no-op") continue;
    for (const collection of KIND_REGISTRY[resource.kind].liveCollections) collections.add(collection);
    if (resource.kind === "LicenseAssignment" && resource.id !== null)
      licenseGroupIds.add(resource.id.toLowerCase());
  }
  return { collections: [...collections], licenseGroupIds: [...licenseGroupIds], allLicensedGroups: false };
}

/** The union of two requirement sets. */
export function mergeRequirements(a: LiveRequirements, b: LiveRequirements): LiveRequirements {
  // Domains are resolved again so the plan re-derived at apply canonicalises them as the plan did.
  const domains = [...new Set([...(a.tenantDomains ?? []), ...(b.tenantDomains ?? [])])].sort();
  return {
    collections: [...new Set([...a.collections, ...b.collections])],
    licenseGroupIds: [...new Set([...a.licenseGroupIds, ...b.licenseGroupIds])],
    allLicensedGroups: a.allLicensedGroups || b.allLicensedGroups,
    ...(domains.length === 0 ? {} : { tenantDomains: domains }),
  };
}
