/**
 * `ppgov report`: the coverage report of the tenant as declared and as live. Reads what the report
 * shows (DLP policies, the catalogue, allocations and the pool, subscribed SKUs) and builds the model;
 * rendering is in src/render/report-*.ts.
 */
import { shapesDlpEffect, tenantCoverage, type CoverageReport } from "../core/effective/index.js";
import type { LiveCollection } from "../core/plan/live-tenant.js";
import { readTenantPair } from "./explain.js";
import type { LoadedPolicies } from "./load-desired.js";
import { loadDesired, type PlanDeps } from "./plan.js";

const REPORT_COLLECTIONS: LiveCollection[] = ["allocations", "currencyPool", "subscribedSkus"];

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
  return {
    status: "reported",
    report: {
      generatedAt: deps.now().toISOString(),
      tenantId: pair.tenantId,
      declared: tenantCoverage(pair.declared),
      live: tenantCoverage(pair.live),
    },
  };
}
