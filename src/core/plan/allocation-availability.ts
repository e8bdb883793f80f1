/**
 * The allocation pool check, against what the service says is still free to allocate (Learn,
 * "Allocation - Get Allocations Availability V2"). The report answers per environment scope and only
 * with an environment filter, so it is read after the diff, for the environments whose allocation the
 * plan raises: this module says what to read and checks the plan against the answer.
 */
import type { Diagnostic } from "../diagnostics.js";
import { escapeSegment } from "../kinds/json.js";
import type { LicenseAllocationCanonical } from "../kinds/license-allocation.js";
import { documentDiagnostic, planDiagnostic } from "./diagnostic.js";
import type { LiveTenant } from "./live-tenant.js";
import type { ResourceChange } from "./types.js";

/** One currency type whose units a change moves. `environmentId` is undefined for an environment the plan creates. */
export interface AllocationMove {
  change: ResourceChange;
  environmentId: string | undefined;
  currencyType: string;
  current: number;
  desired: number;
}

/** Environment id (lower case) → currency type → units free to allocate to that environment. */
export type AllocationAvailability = Record<string, Record<string, number>>;

/** What to ask the availability report: one GET per environment, filtered on these entitlements. */
export interface AvailabilityQuery {
  environmentIds: string[];
  entitlementIds: string[];
}

function canonicalOf(value: object | undefined): LicenseAllocationCanonical | undefined {
  return value as LicenseAllocationCanonical | undefined;
}

/** Every currency type each LicenseAllocation change moves, with its units before and after. */
export function allocationMoves(changes: readonly ResourceChange[]): AllocationMove[] {
  const moves: AllocationMove[] = [];
  for (const change of changes) {
    if (change.kind !== "LicenseAllocation" || change.action === "no-op") continue;
    const before = canonicalOf(change.before)?.allocations ?? {};
    const after = change.action === "delete" ? {} : (canonicalOf(change.after)?.allocations ?? {});
    const environment = (canonicalOf(change.after) ?? canonicalOf(change.before))?.environment;
    const environmentId = typeof environment === "string" ? environment.toLowerCase() : undefined;
    for (const currencyType of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      const current = before[currencyType] ?? 0;
      const desired = after[currencyType] ?? 0;
      if (current !== desired) moves.push({ change, environmentId, currencyType, current, desired });
    }
  }
  return moves;
}

/**
 * The reads the check needs, or undefined when the plan raises no allocation. Raises for an environment
 * the plan creates are checked against the default environment's scope (a new environment has no id to
 * filter on yet); `scopeForNew` names it.
 */
export function availabilityQuery(
  moves: readonly AllocationMove[],
  scopeForNew: string | undefined,
): AvailabilityQuery | undefined {
  const raises = moves.filter((move) => move.desired > move.current);
  if (raises.length === 0) return undefined;
  const environmentIds = new Set<string>();
  for (const raise of raises) {
    const id = raise.environmentId ?? scopeForNew;
    if (id !== undefined) environmentIds.add(id.toLowerCase());
  }
  if (environmentIds.size === 0) return undefined;
  return {
    environmentIds: [...environmentIds].sort(),
    entitlementIds: [...new Set(raises.map((raise) => raise.currencyType))].sort(),
  };
}

/** The default environment's id, the scope for raises of environments the plan creates. */
export function defaultEnvironmentId(live: Pick<LiveTenant, "environments">): string | undefined {
  return live.environments
    .find((environment) => environment.properties.isDefault === true)
    ?.name.toLowerCase();
}

function at(move: AllocationMove): (message: string) => Diagnostic {
  const pointer = `/spec/allocations/${escapeSegment(move.currencyType)}`;
  return (message) =>
    move.change.resource === undefined
      ? planDiagnostic("PPG403", message, move.change.address)
      : documentDiagnostic("PPG403", message, move.change.resource, pointer);
}

/**
 * Each raise must fit in what is free to its environment plus what it holds (the service's own rule
 * for one write), and per currency type the plan's raises less its releases must fit in what is free
 * (the least the report gave for any scope read). Releases count because they return units to the
 * pool; the apply runs a release and a raise of one plan in either order, so a plan that only fits
 * thanks to a release may need a second apply (the service refuses the raise meanwhile).
 */
export function checkAllocationAvailability(
  moves: readonly AllocationMove[],
  availability: AllocationAvailability,
  scopeForNew: string | undefined,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const freeTo = (move: AllocationMove): number | undefined => {
    const scope = move.environmentId ?? scopeForNew;
    return scope === undefined ? undefined : availability[scope.toLowerCase()]?.[move.currencyType];
  };
  const reported = new Set<string>();
  for (const move of moves) {
    if (move.desired <= move.current) continue;
    const free = freeTo(move);
    if (free === undefined || move.desired <= move.current + free) continue;
    reported.add(move.currencyType);
    const holds = move.environmentId === undefined ? "a new environment" : `it holds ${move.current}`;
    diagnostics.push(
      at(move)(
        `${move.currencyType}: ${move.change.displayName} would hold ${move.desired}, but only ${free} more are free to allocate (${holds}); lower the allocation or release units elsewhere first`,
      ),
    );
  }
  const byType = new Map<string, AllocationMove[]>();
  for (const move of moves) {
    const typed = byType.get(move.currencyType);
    if (typed === undefined) byType.set(move.currencyType, [move]);
    else typed.push(move);
  }
  for (const [currencyType, typed] of [...byType].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (reported.has(currencyType)) continue;
    const raises = typed.filter((move) => move.desired > move.current);
    if (raises.length === 0) continue;
    const frees = Object.values(availability).flatMap((scope) =>
      scope[currencyType] === undefined ? [] : [scope[currencyType]],
    );
    if (frees.length === 0) continue;
    const free = Math.min(...frees);
    const raised = raises.reduce((sum, move) => sum + move.desired - move.current, 0);
    const released = typed
      .filter((move) => move.desired < move.current)
      .reduce((sum, move) => sum + move.current - move.desired, 0);
    if (raised - released <= free) continue;
    diagnostics.push(
      at(raises[0]!)(
        `${currencyType} allocations exceed what the tenant has free by ${raised - released - free}: this plan raises ${raised} over ${raises.length} environment${raises.length === 1 ? "" : "s"} and releases ${released}, and ${free} are free to allocate`,
      ),
    );
  }
  return diagnostics;
}
