/**
 * Currency (add-on) allocations to environments (Learn, "Currency Allocation - Get/Patch Currency
 * Allocation By Environment", api-version 2022-03-01-preview) and what is free to allocate (Learn,
 * "Allocation - Get Allocations Availability V2").
 */
import { isRecord, json, ppError, type Reply } from "../http.js";
import { route, type EmulatorContext, type Route, type RouteRequest } from "../routing.js";
import type { WireCurrencyAllocation } from "../types.js";
import { ALLOCATIONS_V2_ONLY_CURRENCY_TYPES, CURRENCY_TYPES } from "../../core/policy/types.js";

function allocationsOf(
  context: EmulatorContext,
  environmentId: string,
): WireCurrencyAllocation[] | undefined {
  const allocations = context.store.state.allocations;
  // Seeds and PATCH store lower-case ids: a direct hit first, the case-insensitive scan as fallback.
  const direct = allocations[environmentId.toLowerCase()];
  if (direct !== undefined) return direct;
  const key = Object.keys(allocations).find(
    (candidate) => candidate.toLowerCase() === environmentId.toLowerCase(),
  );
  return key === undefined ? undefined : allocations[key];
}

function environmentExists(context: EmulatorContext, id: string): boolean {
  return context.store.state.environments.some((env) => env.name.toLowerCase() === id.toLowerCase());
}

/**
 * GET allocations: 404 EnvironmentAllocationNotFound when nothing was ever allocated (docs/emulator.md, Power
 * Platform API).
 */
function getAllocations(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  if (!environmentExists(context, id)) {
    return ppError(404, "EnvironmentNotFound", `The environment '${id}' could not be found.`, true);
  }
  const allocations = allocationsOf(context, id);
  if (allocations === undefined) {
    return ppError(
      404,
      "EnvironmentAllocationNotFound",
      `No currency is allocated to environment '${id}'.`,
      true,
    );
  }
  // Copilot credits are allocationsV2's: this API neither shows nor takes them (they still use the pool).
  return json(200, {
    environmentId: id.toLowerCase(),
    currencyAllocations: allocations.filter((entry) => !isV2Only(entry.currencyType)),
  });
}

const isV2Only = (currencyType: string): boolean =>
  (ALLOCATIONS_V2_ONLY_CURRENCY_TYPES as readonly string[]).includes(currencyType);

/** Allocated units per currency type over the whole tenant. */
function allocatedTotals(context: EmulatorContext, exceptEnvironment?: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [environmentId, list] of Object.entries(context.store.state.allocations)) {
    if (exceptEnvironment !== undefined && environmentId.toLowerCase() === exceptEnvironment.toLowerCase())
      continue;
    for (const entry of list)
      totals.set(entry.currencyType, (totals.get(entry.currencyType) ?? 0) + entry.allocated);
  }
  return totals;
}

/** PATCH allocations: sets the listed types, refuses to exceed the tenant's pool. */
function patchAllocations(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  if (!environmentExists(context, id)) {
    return ppError(404, "EnvironmentNotFound", `The environment '${id}' could not be found.`, true);
  }
  const body = isRecord(request.body) ? request.body : {};
  const requested = Array.isArray(body.currencyAllocations) ? body.currencyAllocations : undefined;
  if (!requested) return ppError(400, "InvalidRequest", "currencyAllocations must be an array.");
  const current = new Map(
    (allocationsOf(context, id) ?? []).map((entry) => [entry.currencyType, entry.allocated]),
  );
  for (const entry of requested) {
    if (
      !isRecord(entry) ||
      typeof entry.currencyType !== "string" ||
      !(CURRENCY_TYPES as readonly string[]).includes(entry.currencyType) ||
      isV2Only(entry.currencyType)
    ) {
      return ppError(400, "InvalidCurrencyType", `Unknown currency type in ${JSON.stringify(entry)}.`);
    }
    if (typeof entry.allocated !== "number" || !Number.isInteger(entry.allocated) || entry.allocated < 0) {
      return ppError(
        400,
        "InvalidAllocation",
        `allocated for ${entry.currencyType} must be a non-negative integer.`,
      );
    }
    current.set(entry.currencyType, entry.allocated);
  }
  const others = allocatedTotals(context, id);
  for (const [type, allocated] of current) {
    const owned = context.store.state.currencyPool[type] ?? 0;
    const available = owned - (others.get(type) ?? 0);
    if (allocated > available) {
      return ppError(
        400,
        "InsufficientCurrencyCapacity",
        `Cannot allocate ${allocated} ${type} to environment '${id}': only ${Math.max(available, 0)} of ${owned} are available in the tenant.`,
      );
    }
  }
  const list = [...current].map(([currencyType, allocated]) => ({ currencyType, allocated }));
  const allocations = context.store.state.allocations;
  for (const key of Object.keys(allocations))
    if (key.toLowerCase() === id.toLowerCase()) delete allocations[key];
  allocations[id.toLowerCase()] = list;
  return json(200, {
    environmentId: id.toLowerCase(),
    currencyAllocations: list.filter((entry) => !isV2Only(entry.currencyType)),
  });
}

/**
 * The filter Learn's Copilot credits tutorial sends: `environmentId eq '<id>'`, optionally `and
 * EntitlementId in ('A','B')`. Anything else is refused as the service is reported to (400).
 */
const AVAILABILITY_FILTER =
  /^\s*environmentId\s+eq\s+'((?:[^']|'')*)'\s*(?:and\s+EntitlementId\s+in\s*\(([^)]*)\)\s*)?$/i;

function parseAvailabilityFilter(
  filter: string | null,
): { environmentId: string; entitlementIds?: string[] } | undefined {
  const match = filter === null ? null : AVAILABILITY_FILTER.exec(filter);
  if (match === null) return undefined;
  const environmentId = match[1]!.replace(/''/g, "'");
  if (match[2] === undefined) return { environmentId };
  const entitlementIds = match[2]
    .split(",")
    .map((item) => item.trim())
    .map((item) => /^'((?:[^']|'')*)'$/.exec(item)?.[1]?.replace(/''/g, "'"));
  if (entitlementIds.some((id) => id === undefined)) return undefined;
  return { environmentId, entitlementIds: entitlementIds as string[] };
}

/**
 * What is still free to allocate to an environment's scope. Learn, "Allocation - Get Allocations
 * Availability V2" (GET /licensing/allocationsV2/availability, api-version 2024-10-01): the body is
 * `{entitlementAllocationsAvailable:[{entitlementId, availableQuantity, unit}], scope}`. The emulator's
 * tenant owns a pool per currency type; free is the pool less every environment's allocation, the same
 * for every scope. Learn publishes no values of `unit` and no fields of `scope`: the emulator sends no
 * `unit` and names the environment in `scope` (docs/emulator.md, unverified).
 */
function availability(request: RouteRequest, context: EmulatorContext): Reply {
  const filter = parseAvailabilityFilter(request.url.searchParams.get("$filter"));
  if (filter === undefined) return ppError(400, "InvalidFilter", "Invalid filter options.");
  if (!environmentExists(context, filter.environmentId)) {
    return ppError(
      404,
      "EnvironmentNotFound",
      `The environment '${filter.environmentId}' could not be found.`,
      true,
    );
  }
  const totals = allocatedTotals(context);
  const wanted = filter.entitlementIds?.map((id) => id.toLowerCase());
  const entitlementAllocationsAvailable = Object.entries(context.store.state.currencyPool)
    .filter(([type]) => wanted === undefined || wanted.includes(type.toLowerCase()))
    .map(([entitlementId, owned]) => ({
      entitlementId,
      availableQuantity: Math.max(0, owned - (totals.get(entitlementId) ?? 0)),
    }));
  return json(200, {
    entitlementAllocationsAvailable,
    scope: { environmentId: filter.environmentId.toLowerCase() },
  });
}

export function allocationRoutes(): Route[] {
  return [
    // Source: Learn "Currency Allocation - Get Currency Allocation By Environment"
    route("GET", "/licensing/environments/{id}/allocations", "ppapi", getAllocations),
    // Source: Learn "Currency Allocation - Patch Currency Allocation By Environment"
    route("PATCH", "/licensing/environments/{id}/allocations", "ppapi", patchAllocations),
    // Source: Learn "Allocation - Get Allocations Availability V2"
    route("GET", "/licensing/allocationsV2/availability", "ppapi", availability),
  ];
}
