/** Currency (add-on) allocations to environments and the tenant's pool (PP API, wire-formats §8.3). */
import { isRecord, json, ppError, type Reply } from "../http.js";
import { route, type EmulatorContext, type Route, type RouteRequest } from "../routing.js";
import type { WireCurrencyAllocation } from "../types.js";
import { CURRENCY_TYPES } from "../../core/wire/types.js";

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

/** GET allocations: 404 EnvironmentAllocationNotFound when nothing was ever allocated (§8.3). */
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
  return json(200, { environmentId: id.toLowerCase(), currencyAllocations: allocations });
}

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
      !(CURRENCY_TYPES as readonly string[]).includes(entry.currencyType)
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
  return json(200, { environmentId: id.toLowerCase(), currencyAllocations: list });
}

/**
 * Tenant-wide availability per currency type. Learn names `licensing/allocationsV2/availability`
 * (api-version 2024-10-01) as the operation reporting what is available to allocate but does not
 * publish its JSON; the emulator's body is documented in docs/emulator.md.
 */
function availability(request: RouteRequest, context: EmulatorContext): Reply {
  const totals = allocatedTotals(context);
  const wanted =
    request.url.searchParams.get("currencyType") ?? request.url.searchParams.get("entitlementId");
  const value = Object.entries(context.store.state.currencyPool)
    .filter(([type]) => wanted === null || type.toLowerCase() === wanted.toLowerCase())
    .map(([currencyType, total]) => {
      const allocated = totals.get(currencyType) ?? 0;
      return { currencyType, total, allocated, available: total - allocated };
    });
  return json(200, { value });
}

export function allocationRoutes(): Route[] {
  return [
    route("GET", "/licensing/environments/{id}/allocations", "ppapi", getAllocations),
    route("PATCH", "/licensing/environments/{id}/allocations", "ppapi", patchAllocations),
    route("GET", "/licensing/allocationsV2/availability", "ppapi", availability),
  ];
}
