/**
 * `ppgov report`: the coverage report of the tenant as declared and as live. Reads what the report
 * shows (DLP policies, the catalogue, every environment's allocations and what is free to allocate,
 * subscribed SKUs) and builds the model;
 * rendering is in src/render/report-*.ts.
 */
import { ownedUnits, shapesDlpEffect, tenantCoverage, type CoverageReport } from "../core/effective/index.js";
import { defaultEnvironmentId } from "../core/plan/allocation-availability.js";
import { CURRENCY_TYPES } from "../core/policy/types.js";
import type { LiveCollection } from "../core/plan/live-tenant.js";
import { readTenantPair } from "./explain.js";
import type { LoadedPolicies } from "../core/policy/load-policies.js";
import { loadDesired, type PlanDeps } from "./plan.js";

const REPORT_COLLECTIONS: LiveCollection[] = ["allocations", "subscribedSkus"];

/** Allocations change with the plan too; seats are the tenant's purchases and read live in both columns. */
function shapesReport(step: { address: string }): boolean {
  return shapesDlpEffect(step) || step.address.startsWith("LicenseAllocation/");
}

export type ReportOutcome =
  { status: "invalid"; loaded: LoadedPolicies } | { status: "reported"; report: CoverageReport };

export async function runReport(dir: string, deps: Omit<PlanDeps, "gitHead">): Promise<ReportOutcome> {
  const load = await loadDesired(dir, deps);
  if (!load.ok) return { status: "invalid", loaded: load.loaded };
  const pair = await readTenantPair(load.desired, REPORT_COLLECTIONS, deps, shapesReport);
  // What the tenant owns is what every environment holds plus what is free; the report answers only
  // per environment, and the default environment's scope stands for the tenant.
  const scope = defaultEnvironmentId(pair.live);
  const free =
    scope === undefined ? {} : await deps.tenant.readAllocationAvailability([scope], CURRENCY_TYPES);
  const owned = ownedUnits(pair.live, free[scope ?? ""] ?? {});
  return {
    status: "reported",
    report: {
      generatedAt: deps.now().toISOString(),
      tenantId: pair.tenantId,
      declared: tenantCoverage(pair.declared, owned),
      live: tenantCoverage(pair.live, owned),
    },
  };
}
