/**
 * The plan use case: load and check the policies, read only the live collections they need, build the
 * plan. Every edge (files, tenant, clock, git, progress) is passed in, so tests run it without I/O.
 */
import type { Progress } from "../adapters/progress/index.js";
import { hasErrors, type Diagnostic } from "../core/diagnostics.js";
import {
  buildDesiredState,
  buildPlan,
  requiredLiveCollections,
  type DesiredState,
  type LiveRequirements,
  type LiveTenant,
  type Plan,
  type ResourceChange,
} from "../core/plan/index.js";
import {
  allocationMoves,
  availabilityQuery,
  checkAllocationAvailability,
  defaultEnvironmentId,
  type AllocationAvailability,
} from "../core/plan/allocation-availability.js";
import { withDlpEffect } from "./impact.js";
import type { LoadedPolicies } from "../core/policy/load-policies.js";

/** What the app layer needs from the tenant: the adapter implements it with the tenant client. */
export interface TenantGateway {
  /** The tenant id as the tenant reports it (admin API). */
  tenantId(): Promise<string>;
  readLive(requirements: LiveRequirements, tenantId: string): Promise<LiveTenant>;
  /** Units free to allocate per environment (lower-case id) and currency type (the availability report). */
  readAllocationAvailability(
    environmentIds: readonly string[],
    entitlementIds: readonly string[],
  ): Promise<AllocationAvailability>;
  /** Requests sent and 429s met so far in this run (for the plan's footer). */
  usage(): TenantUsage;
}

export interface TenantUsage {
  apiCalls: number;
  throttled: number;
}

export interface PlanDeps {
  loadPolicies(dir: string): Promise<LoadedPolicies>;
  tenant: TenantGateway;
  now(): Date;
  gitHead(dir: string): Promise<{ commit?: string; dirty?: boolean }>;
  progress: Progress;
}

export interface PlanRequest {
  dir: string;
  mode?: "plan" | "drift";
  allowProtectedDeletes?: boolean;
}

export type DesiredLoad =
  { ok: false; loaded: LoadedPolicies } | { ok: true; loaded: LoadedPolicies; desired: DesiredState };

export type PlanOutcome =
  /** The policy files have errors: nothing was read from the tenant. */
  | { status: "invalid"; loaded: LoadedPolicies }
  /** Plan-time checks failed (PPG4xx errors): the plan must not be shown as applicable. */
  | { status: "rejected"; loaded: LoadedPolicies; diagnostics: Diagnostic[]; usage: TenantUsage }
  | { status: "planned"; loaded: LoadedPolicies; planned: Planned; usage: TenantUsage };

export interface Planned {
  plan: Plan;
  /** Warnings only (errors make the outcome "rejected"). */
  diagnostics: Diagnostic[];
  changes: ResourceChange[];
  live: LiveTenant;
  desired: DesiredState;
  tenantId: string;
}

/** Loads, checks and groups the policy documents. */
export async function loadDesired(dir: string, deps: Pick<PlanDeps, "loadPolicies">): Promise<DesiredLoad> {
  const loaded = await deps.loadPolicies(dir);
  if (hasErrors(loaded.diagnostics)) return { ok: false, loaded };
  return { ok: true, loaded, desired: buildDesiredState(loaded.documents) };
}

/** The tenant id from the Tenant document, or else from the live tenant. */
export async function resolveTenantId(desired: DesiredState, tenant: TenantGateway): Promise<string> {
  const declared = desired.tenant.tenantId;
  return declared !== undefined && declared !== "" ? declared.toLowerCase() : tenant.tenantId();
}

export interface PlanAgainstLiveOptions {
  dir: string;
  tenantId: string;
  mode?: "plan" | "drift";
  allowProtectedDeletes?: boolean;
}

/** Reads what the desired state needs from the tenant and builds the plan. */
export async function planAgainstLive(
  desired: DesiredState,
  options: PlanAgainstLiveOptions,
  deps: Omit<PlanDeps, "loadPolicies">,
): Promise<{ planned: Planned; errors: Diagnostic[] }> {
  const requirements = requiredLiveCollections(desired);
  deps.progress.phase(`reading the live tenant (${requirements.collections.join(", ")})…`);
  const [live, git] = await Promise.all([
    deps.tenant.readLive(requirements, options.tenantId),
    deps.gitHead(options.dir),
  ]);
  const usage = deps.tenant.usage();
  deps.progress.phase(`read the tenant in ${usage.apiCalls} API calls; planning…`);
  const result = buildPlan(desired, live, {
    createdAt: deps.now().toISOString(),
    tenantId: options.tenantId,
    // The directory as given (relative to where ppgov ran): `apply PLANFILE` finds the policies there.
    git: { ...git, dir: options.dir.replace(/\\/g, "/") },
    mode: options.mode ?? "plan",
    allowProtectedDeletes: options.allowProtectedDeletes === true,
  });
  const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === "error");
  errors.push(...(await checkAvailability(result.changes, live, deps)));
  return {
    planned: {
      plan: withDlpEffect(result.plan, live, result.changes),
      diagnostics: result.diagnostics.filter((diagnostic) => diagnostic.severity !== "error"),
      changes: result.changes,
      live,
      desired,
      tenantId: options.tenantId,
    },
    errors,
  };
}

/**
 * The pool check needs what is free to allocate, which the service reports only per environment:
 * read after the diff, for the environments whose allocation the plan raises, and only then.
 */
async function checkAvailability(
  changes: readonly ResourceChange[],
  live: LiveTenant,
  deps: Pick<PlanDeps, "tenant" | "progress">,
): Promise<Diagnostic[]> {
  const moves = allocationMoves(changes);
  const scopeForNew = defaultEnvironmentId(live);
  const query = availabilityQuery(moves, scopeForNew);
  if (query === undefined) return [];
  deps.progress.phase(`checking what is free to allocate to ${query.environmentIds.length} environment(s)…`);
  const availability = await deps.tenant.readAllocationAvailability(
    query.environmentIds,
    query.entitlementIds,
  );
  return checkAllocationAvailability(moves, availability, scopeForNew);
}

/** `ppgov plan` and `ppgov drift` without the output: load, read, plan. */
export async function runPlan(request: PlanRequest, deps: PlanDeps): Promise<PlanOutcome> {
  const load = await loadDesired(request.dir, deps);
  if (!load.ok) return { status: "invalid", loaded: load.loaded };
  const tenantId = await resolveTenantId(load.desired, deps.tenant);
  const { planned, errors } = await planAgainstLive(
    load.desired,
    {
      dir: request.dir,
      tenantId,
      ...(request.mode === undefined ? {} : { mode: request.mode }),
      ...(request.allowProtectedDeletes === undefined
        ? {}
        : { allowProtectedDeletes: request.allowProtectedDeletes }),
    },
    deps,
  );
  const usage = deps.tenant.usage();
  if (errors.length > 0)
    return {
      status: "rejected",
      loaded: load.loaded,
      diagnostics: [...errors, ...planned.diagnostics],
      usage,
    };
  return { status: "planned", loaded: load.loaded, planned, usage };
}
