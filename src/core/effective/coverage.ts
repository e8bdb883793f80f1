/**
 * The coverage report of one tenant picture (declared or live): which policies cover which
 * environments, what is covered only by tenant-wide policies, which connectors no policy blocks,
 * currency allocations against the pool, and licence seats. Pure: the app layer reads the tenant.
 */
import type { LiveTenant } from "../plan/live-tenant.js";
import { applyReason, type ApplyReason } from "./combine.js";
import {
  catalogueOf,
  compare,
  environmentViewsOf,
  policyViewsOf,
  type EnvironmentView,
} from "./policy-view.js";

export interface CoveragePolicy {
  id: string;
  displayName: string;
  scope: "all" | "only" | "except";
}

export interface CoverageRow {
  environment: EnvironmentView;
  /** Policy id → why it applies; policies that do not apply are absent. */
  cells: Record<string, ApplyReason>;
  /** "none": no policy applies; "tenantWide": only policies scoped to every environment; "targeted": at least one only/except policy. */
  coverage: "none" | "tenantWide" | "targeted";
}

export interface AllocationLine {
  currencyType: string;
  allocated: number;
  /** Units the tenant owns; null when the pool does not list the currency. */
  owned: number | null;
  /** Environment display name → units, largest first. */
  byEnvironment: { environment: string; allocated: number }[];
}

export interface SeatLine {
  sku: string;
  enabled: number;
  consumed: number;
}

export interface TenantCoverage {
  policies: CoveragePolicy[];
  rows: CoverageRow[];
  /** Environments covered by tenant-wide policies only (or by none). */
  tenantWideOnly: EnvironmentView[];
  uncovered: EnvironmentView[];
  /** Catalogue connectors that no policy puts in the blocked group. */
  blockedNowhere: string[];
  connectorCount: number;
  allocations: AllocationLine[];
  seats: SeatLine[];
}

/**
 * What the tenant owns per currency type: what every environment holds plus what the availability
 * report says is still free. Only meaningful when `live.allocations` holds every environment's.
 */
export function ownedUnits(
  live: Pick<LiveTenant, "allocations">,
  free: Readonly<Record<string, number>>,
): Record<string, number> {
  const owned: Record<string, number> = { ...free };
  for (const allocations of Object.values(live.allocations))
    for (const allocation of allocations)
      owned[allocation.currencyType] = (owned[allocation.currencyType] ?? 0) + allocation.allocated;
  return owned;
}

function allocationLines(
  tenant: LiveTenant,
  names: ReadonlyMap<string, string>,
  owned: Readonly<Record<string, number>>,
): AllocationLine[] {
  const lines = new Map<string, AllocationLine>();
  const line = (currencyType: string): AllocationLine => {
    let found = lines.get(currencyType);
    if (found === undefined) {
      found = { currencyType, allocated: 0, owned: owned[currencyType] ?? null, byEnvironment: [] };
      lines.set(currencyType, found);
    }
    return found;
  };
  for (const [currencyType, units] of Object.entries(owned)) if (units > 0) line(currencyType);
  for (const [environmentId, allocations] of Object.entries(tenant.allocations))
    for (const allocation of allocations) {
      if (allocation.allocated === 0) continue;
      const entry = line(allocation.currencyType);
      entry.allocated += allocation.allocated;
      entry.byEnvironment.push({
        environment: names.get(environmentId.toLowerCase()) ?? environmentId,
        allocated: allocation.allocated,
      });
    }
  return [...lines.values()]
    .map((entry) => ({
      ...entry,
      byEnvironment: entry.byEnvironment.sort(
        (a, b) => b.allocated - a.allocated || compare(a.environment, b.environment),
      ),
    }))
    .sort((a, b) => compare(a.currencyType, b.currencyType));
}

/** `owned`: units per currency type the tenant owns, when known (see ownedUnits). */
export function tenantCoverage(
  tenant: LiveTenant,
  owned: Readonly<Record<string, number>> = {},
): TenantCoverage {
  const views = policyViewsOf(tenant);
  const environments = environmentViewsOf(tenant);
  const rows: CoverageRow[] = environments.map((environment) => {
    const cells: Record<string, ApplyReason> = {};
    for (const policy of views) {
      const reason = applyReason(policy, environment.id);
      if (reason !== undefined) cells[policy.id] = reason;
    }
    const reasons = Object.values(cells);
    const coverage =
      reasons.length === 0 ? "none" : reasons.every((reason) => reason === "all") ? "tenantWide" : "targeted";
    return { environment, cells, coverage };
  });
  const catalogue = catalogueOf(tenant);
  const blockedSomewhere = new Set<string>();
  for (const policy of views)
    for (const [name, group] of Object.entries(policy.connectors))
      if (group === "blocked") blockedSomewhere.add(name.toLowerCase());
  const names = new Map(environments.map((environment) => [environment.id, environment.displayName]));
  return {
    policies: views.map((view) => ({ id: view.id, displayName: view.displayName, scope: view.scope.type })),
    rows,
    tenantWideOnly: rows.filter((row) => row.coverage === "tenantWide").map((row) => row.environment),
    uncovered: rows.filter((row) => row.coverage === "none").map((row) => row.environment),
    blockedNowhere: catalogue.connectors
      .map((connector) => connector.name)
      .filter((name) => !blockedSomewhere.has(name.toLowerCase()))
      .sort(compare),
    connectorCount: catalogue.connectors.length,
    allocations: allocationLines(tenant, names, owned),
    seats: tenant.subscribedSkus
      .map((sku) => ({
        sku: sku.skuPartNumber,
        enabled: sku.prepaidUnits.enabled,
        consumed: sku.consumedUnits,
      }))
      .sort((a, b) => compare(a.sku, b.sku)),
  };
}

export interface CoverageReport {
  generatedAt: string;
  tenantId: string;
  declared: TenantCoverage;
  live: TenantCoverage;
}
