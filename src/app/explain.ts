/**
 * `ppgov explain`: the effective DLP policy of one environment, as declared (the tenant after the
 * plan would be applied) or as live. Also the shared "declared and live tenant" read that the
 * coverage report uses.
 */
import {
  shapesDlpEffect,
  effectivePolicy,
  environmentViewsOf,
  policyViewsOf,
  type EffectivePolicy,
} from "../core/effective/index.js";
import type { EnvironmentView } from "../core/effective/index.js";
import { PpgovError } from "../core/errors.js";
import {
  buildPlan,
  requiredLiveCollections,
  simulateApply,
  type DesiredState,
  type LiveRequirements,
  type LiveTenant,
} from "../core/plan/index.js";
import type { LiveCollection } from "../core/plan/live-tenant.js";
import type { LoadedPolicies } from "../core/policy/load-policies.js";
import { loadDesired, resolveTenantId, type PlanDeps } from "./plan.js";

/** What explain and report read besides what the policies need: every DLP policy and the catalogue. */
const DLP_COLLECTIONS: LiveCollection[] = [
  "dlpPolicies",
  "connectors",
  "unblockableConnectorIds",
  "virtualConnectors",
];

export interface TenantPair {
  /** The tenant as the policies would leave it (live with the plan simulated). */
  declared: LiveTenant;
  live: LiveTenant;
  tenantId: string;
}

/** The plan's requirements plus `extra`; an extra "allocations" means every environment's. */
export function withCollections(desired: DesiredState, extra: readonly LiveCollection[]): LiveRequirements {
  const { allocationEnvironments, ...base } = requiredLiveCollections(desired);
  return {
    ...base,
    ...(allocationEnvironments === undefined || extra.includes("allocations")
      ? {}
      : { allocationEnvironments }),
    collections: [...new Set([...base.collections, ...extra])],
  };
}

/** Loads the policies, reads the tenant, and simulates the plan: the declared and the live tenant. */
export async function readTenantPair(
  desired: DesiredState,
  extra: readonly LiveCollection[],
  deps: Omit<PlanDeps, "gitHead" | "loadPolicies">,
  simulated: (step: { address: string }) => boolean = shapesDlpEffect,
): Promise<TenantPair> {
  const tenantId = await resolveTenantId(desired, deps.tenant);
  const requirements = withCollections(desired, [...DLP_COLLECTIONS, ...extra]);
  deps.progress.phase(`reading the live tenant (${requirements.collections.join(", ")})…`);
  const live = await deps.tenant.readLive(requirements, tenantId);
  const { plan } = buildPlan(desired, live, {
    createdAt: deps.now().toISOString(),
    tenantId,
    git: {},
    mode: "plan",
    allowProtectedDeletes: true,
  });
  return { declared: simulateApply({ steps: plan.steps.filter(simulated) }, live), live, tenantId };
}

/** Finds an environment by metadata name (declared documents), display name or id. */
export function findEnvironment(
  reference: string,
  tenant: LiveTenant,
  namesToIds: ReadonlyMap<string, string>,
): EnvironmentView {
  const views = environmentViewsOf(tenant);
  const wanted = reference.trim().toLowerCase();
  const byName = namesToIds.get(reference);
  const byId = views.find((view) => view.id === (byName ?? wanted.replace(/^id:/, "")));
  if (byId !== undefined) return byId;
  if (wanted === "default") {
    const found = views.find((view) => view.isDefault);
    if (found !== undefined) return found;
  }
  const byDisplayName = views.filter((view) => view.displayName.toLowerCase() === wanted);
  if (byDisplayName.length === 1 && byDisplayName[0] !== undefined) return byDisplayName[0];
  if (byDisplayName.length > 1)
    throw new PpgovError(
      "ENVIRONMENT_AMBIGUOUS",
      `${byDisplayName.length} environments are named "${reference}"; give its id instead (${byDisplayName.map((view) => view.id).join(", ")})`,
    );
  throw new PpgovError(
    "ENVIRONMENT_NOT_FOUND",
    `no environment "${reference}" (looked for a metadata.name, a display name and an id); known: ${views
      .map((view) => view.displayName)
      .slice(0, 10)
      .join(", ")}`,
  );
}

/** metadata.name → environment id, for every Environment document the tenant knows by display name or id. */
export function environmentNames(desired: DesiredState, tenant: LiveTenant): Map<string, string> {
  const views = environmentViewsOf(tenant);
  const names = new Map<string, string>();
  for (const resource of desired.byKind.Environment) {
    const id = resource.pinnedId ?? views.find((view) => view.displayName === resource.spec.displayName)?.id;
    if (id !== undefined) names.set(resource.name, id);
  }
  return names;
}

export interface ExplainRequest {
  dir: string;
  environment: string;
  live: boolean;
}

export type ExplainOutcome =
  | { status: "invalid"; loaded: LoadedPolicies }
  | { status: "explained"; source: "declared" | "live"; effective: EffectivePolicy };

export async function runExplain(
  request: ExplainRequest,
  deps: Omit<PlanDeps, "gitHead">,
): Promise<ExplainOutcome> {
  const load = await loadDesired(request.dir, deps);
  if (!load.ok) return { status: "invalid", loaded: load.loaded };
  const pair = await readTenantPair(load.desired, [], deps);
  const tenant = request.live ? pair.live : pair.declared;
  const environment = findEnvironment(request.environment, tenant, environmentNames(load.desired, tenant));
  return {
    status: "explained",
    source: request.live ? "live" : "declared",
    effective: effectivePolicy(policyViewsOf(tenant), environment),
  };
}
