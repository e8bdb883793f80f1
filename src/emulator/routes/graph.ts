import { graphError, isRecord, json, page, type Reply } from "../http.js";
import { route, type EmulatorContext, type Route, type RouteRequest } from "../routing.js";
import type { JsonObject, JsonValue, WireGroup } from "../types.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function findGroup(context: EmulatorContext, id: string): WireGroup | undefined {
  return context.store.state.groups.find((group) => group.id.toLowerCase() === id.toLowerCase());
}

function notFound(id: string): Reply {
  return graphError(
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

/** Graph `$select`: only the listed properties (plus the context annotation when given). */
function select(object: JsonObject, url: URL, context?: string): JsonObject {
  const fields = (url.searchParams.get("$select") ?? "")
    .split(",")
    .map((field) => field.trim())
    .filter(Boolean);
  const result: JsonObject = context === undefined ? {} : { "@odata.context": context };
  if (fields.length === 0) return { ...result, ...object };
  for (const field of fields) {
    const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === field.toLowerCase());
    if (key !== undefined) result[key] = object[key];
  }
  return result;
}

/** Graph's advanced queries ($count, `/$count` filters) need this header (and `$count=true`). */
function isEventual(request: RouteRequest): boolean {
  const header = request.headers.consistencylevel;
  return (Array.isArray(header) ? header[0] : header)?.toLowerCase() === "eventual";
}

/** `assignedLicenses/any(x:x/skuId eq {guid})`: Graph's lambda form of `eq` on a collection (group resource: `$filter (eq)`). */
const LICENSED_WITH_SKU =
  /^assignedLicenses\/any\(\s*(\w+)\s*:\s*(\w+)\/skuId\s+eq\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s*\)$/i;
/** `assignedLicenses/any()`: "List groups", Example 7 ("List any groups with any licenses"). */
const LICENSED_ANY = /^assignedLicenses\/any\(\s*\)$/i;
/** Documented for users only (advanced queries), not for groups: the emulator refuses it. */
const LICENSE_COUNT = /^assignedLicenses\/\$count\s/i;
const EQUALS = /^(id|displayName)\s+eq\s+'([^']*)'$/i;

/**
 * Graph's page of directory objects: `$top` from 1 to 999 when given, else the emulator's page size
 * (Graph's default is 100). A string is the 400 message for a `$top` out of range.
 */
function directoryPageSize(url: URL, fallback: number): number | string {
  const top = url.searchParams.get("$top");
  if (top === null) return fallback;
  const size = Number(top);
  return Number.isInteger(size) && size >= 1 && size <= 999
    ? size
    : `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`;
}

/**
 * `GET /v1.0/groups` (Graph "List groups"; filters from the "group resource type" page): the filters
 * ppgov uses (`assignedLicenses/any()`, also `assignedLicenses/any(x:x/skuId eq {guid})`, `id eq '…'`,
 * `displayName eq '…'`),
 * `$select`, `$top`, `$count=true` and `@odata.nextLink` paging. `assignedLicenses/$count …`, which
 * Graph documents for users only, answers 400.
 */
function listGroups(request: RouteRequest, context: EmulatorContext): Reply {
  const pageSize = directoryPageSize(request.url, context.pageSize);
  if (typeof pageSize === "string") return graphError(400, "Request_UnsupportedQuery", pageSize);
  const filter = request.url.searchParams.get("$filter")?.trim();
  let groups = context.store.state.groups;
  if (filter) {
    const equals = EQUALS.exec(filter);
    const licensed = LICENSED_WITH_SKU.exec(filter);
    if (LICENSED_ANY.test(filter)) {
      groups = groups.filter((group) => (group.assignedLicenses ?? []).length > 0);
    } else if (licensed !== null && licensed[1] === licensed[2] && licensed[3] !== undefined) {
      const skuId = licensed[3].toLowerCase();
      groups = groups.filter((group) =>
        (group.assignedLicenses ?? []).some((license) => license.skuId.toLowerCase() === skuId),
      );
    } else if (LICENSE_COUNT.test(filter)) {
      return graphError(
        400,
        "Request_UnsupportedQuery",
        "Unsupported or invalid query filter clause specified for property 'assignedLicenses' of resource 'Group'.",
      );
    } else if (equals?.[1] && equals[2] !== undefined) {
      const field = equals[1].toLowerCase() === "id" ? "id" : "displayName";
      const wanted = equals[2].toLowerCase();
      groups = groups.filter((group) => {
        const value = group[field];
        return typeof value === "string" && value.toLowerCase() === wanted;
      });
    } else {
      return graphError(
        400,
        "Request_UnsupportedQuery",
        `The emulator does not support the filter '${filter}'.`,
      );
    }
  }
  const extra: Record<string, JsonValue> = {
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups",
  };
  if (request.url.searchParams.get("$count") === "true") extra["@odata.count"] = groups.length;
  return page(
    groups.map((group) => select(group, request.url)),
    { url: request.url, pageSize, linkKey: "@odata.nextLink", extra },
  );
}

/** `GET /v1.0/groups/{id}/members/$count`: a plain-text number; needs `ConsistencyLevel: eventual`. */
function countMembers(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const group = findGroup(context, id);
  if (!group) return notFound(id);
  if (!isEventual(request)) {
    return graphError(
      400,
      "Request_BadRequest",
      "Count is not currently supported without the ConsistencyLevel: eventual header.",
    );
  }
  const counts = context.store.state.groupMemberCounts;
  const key = Object.keys(counts).find((candidate) => candidate.toLowerCase() === group.id.toLowerCase());
  return { status: 200, text: String(key === undefined ? 0 : counts[key]) };
}

function subscribedSkus(request: RouteRequest, context: EmulatorContext): Reply {
  return page(context.store.state.subscribedSkus, {
    url: request.url,
    pageSize: context.pageSize,
    linkKey: "@odata.nextLink",
    extra: { "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscribedSkus" },
  });
}

function getGroup(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const group = findGroup(context, id);
  if (!group) return notFound(id);
  return json(200, select(group, request.url, "https://graph.microsoft.com/v1.0/$metadata#groups/$entity"));
}

/**
 * Group-based licensing is asynchronous in Graph: 202 with the group and a `location` header; the
 * emulator applies the change at once. SKUs must exist in the tenant; disabled plans must belong to it.
 */
function assignLicense(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const group = findGroup(context, id);
  if (!group) return notFound(id);
  const body = isRecord(request.body) ? request.body : {};
  const add = Array.isArray(body.addLicenses) ? body.addLicenses : undefined;
  const remove = Array.isArray(body.removeLicenses) ? body.removeLicenses : undefined;
  if (!add || !remove) {
    return graphError(
      400,
      "Request_BadRequest",
      "Both addLicenses and removeLicenses must be provided (use [] when unused).",
    );
  }
  const skus = context.store.state.subscribedSkus;
  const next = new Map(
    (group.assignedLicenses ?? []).map((license) => [license.skuId.toLowerCase(), license]),
  );
  for (const skuId of remove) {
    if (typeof skuId !== "string" || !GUID.test(skuId)) {
      return graphError(400, "Request_BadRequest", `Invalid value specified for property 'removeLicenses'.`);
    }
    next.delete(skuId.toLowerCase());
  }
  for (const license of add) {
    const skuId = isRecord(license) && typeof license.skuId === "string" ? license.skuId : "";
    const sku = skus.find((entry) => entry.skuId.toLowerCase() === skuId.toLowerCase());
    if (!sku) {
      return graphError(
        400,
        "Request_BadRequest",
        `License ${skuId} does not correspond to a valid company License.`,
      );
    }
    const plans = Array.isArray(sku.servicePlans) ? sku.servicePlans : [];
    const planIds = new Set(
      plans.map((plan) =>
        isRecord(plan)
          ? (typeof plan.servicePlanId === "string" ? plan.servicePlanId : "").toLowerCase()
          : "",
      ),
    );
    const disabled = isRecord(license) && Array.isArray(license.disabledPlans) ? license.disabledPlans : [];
    for (const plan of disabled) {
      if (typeof plan !== "string" || !planIds.has(plan.toLowerCase())) {
        return graphError(
          400,
          "Request_BadRequest",
          `Service plan ${String(plan)} is not part of license ${skuId}.`,
        );
      }
    }
    next.set(skuId.toLowerCase(), { skuId: sku.skuId, disabledPlans: disabled as string[] });
  }
  group.assignedLicenses = [...next.values()];
  const location = `${request.baseUrl}/v1.0/groups/${group.id}`;
  return json(
    202,
    { "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups/$entity", ...group },
    { Location: location },
  );
}

export function graphRoutes(): Route[] {
  return [
    // Source: Graph "List subscribedSkus"
    route("GET", "/v1.0/subscribedSkus", "graph", subscribedSkus),
    // Source: Graph "List groups" and "group resource type" ($filter on assignedLicenses)
    route("GET", "/v1.0/groups", "graph", listGroups),
    // Source: Graph "Get group"
    route("GET", "/v1.0/groups/{id}", "graph", getGroup),
    // Source: Graph "List group members" ($count)
    route("GET", "/v1.0/groups/{id}/members/$count", "graph", countMembers),
    // Source: Graph "group: assignLicense"
    route("POST", "/v1.0/groups/{id}/assignLicense", "graph", assignLicense),
  ];
}
