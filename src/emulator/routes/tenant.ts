import { randomUUID } from "node:crypto";
import { bapError, isRecord, json, type Reply } from "../http.js";
import { route, type EmulatorContext, type Route, type RouteRequest } from "../routing.js";
import type { JsonObject } from "../types.js";

const BAP = "/providers/Microsoft.BusinessAppPlatform";
const ISOLATION = "/providers/PowerPlatform.Governance/v1/tenants/{tenantId}/tenantIsolationPolicy";

/** An isolation PUT answered 202: the policy it sets takes effect at `dueAt` (TF provider internal/services/tenant_isolation_policy/api_tenant_isolation_policy.go). */
interface PendingIsolation {
  dueAt: number;
  policy: JsonObject;
  applied: boolean;
}
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Deep merge of a partial settings object, as updateTenantSettings does (TF provider internal/services/tenant_settings/api_tenant_settings.go). */
function merge(target: JsonObject, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    // Bodies arrive without these keys (readJsonBody drops them); a merge never follows one anyway.
    if (key === "__proto__" || key === "constructor" || key === "prototype") continue;
    const current = Object.hasOwn(target, key) ? target[key] : undefined;
    if (isRecord(value) && isRecord(current)) merge(current, value);
    else target[key] = value as JsonObject[string];
  }
}

/** Both recorded tenant shapes at once: the ARM-style one and the geo one (TF provider recordings tenant_settings/resources/Validate_Create/get_tenant.json and tenant/datasource). */
function tenant(context: EmulatorContext): JsonObject {
  const defaultEnv = context.store.state.environments.find((env) => env.properties.isDefault === true);
  const geo = defaultEnv?.location ?? "unitedstates";
  return {
    id: `${BAP}/tenant`,
    name: "default",
    type: `${BAP}/tenant`,
    tenantId: context.store.state.tenantId,
    state: "Enabled",
    location: geo,
    aadCountryGeo: geo,
    dataStorageGeo: geo,
    defaultEnvironmentGeo: geo,
    aadDataBoundary: "none",
    fedRAMPHighCertificationRequired: false,
  };
}

function isolationPath(request: RouteRequest, context: EmulatorContext): Reply | undefined {
  const tenantId = request.params[0] ?? "";
  if (!GUID.test(tenantId)) {
    return json(400, {
      error: {
        code: "BadRequest",
        message: "Invalid tenant ID format",
        details: [{ code: "ValidationError", message: "The tenant ID must be a valid GUID" }],
      },
    });
  }
  if (tenantId.toLowerCase() !== context.store.state.tenantId.toLowerCase()) {
    return bapError(403, "Forbidden", `The caller cannot manage tenant '${tenantId}'.`);
  }
  return undefined;
}

function getIsolation(request: RouteRequest, context: EmulatorContext): Reply {
  const refused = isolationPath(request, context);
  if (refused) return refused;
  const policy = context.store.state.tenantIsolationPolicy;
  return policy
    ? json(200, policy)
    : bapError(404, "TenantIsolationPolicyNotFound", "No tenant isolation policy exists.");
}

function putIsolation(
  request: RouteRequest,
  context: EmulatorContext,
  pending: Map<string, PendingIsolation>,
): Reply {
  const refused = isolationPath(request, context);
  if (refused) return refused;
  const body =
    isRecord(request.body) && isRecord(request.body.properties) ? request.body.properties : undefined;
  if (!body) return bapError(400, "BadRequest", "The request body must contain 'properties'.");
  const allowed = Array.isArray(body.allowedTenants) ? body.allowedTenants : [];
  for (const entry of allowed) {
    const id = isRecord(entry) ? entry.tenantId : undefined;
    if (typeof id !== "string" || (!GUID.test(id) && id !== "*")) {
      return json(400, {
        error: {
          code: "BadRequest",
          message: "Invalid tenant ID format",
          details: [{ code: "ValidationError", message: "The tenant ID must be a valid GUID" }],
        },
      });
    }
  }
  const policy: JsonObject = {
    properties: {
      tenantId: context.store.state.tenantId,
      isDisabled: body.isDisabled === true,
      allowedTenants: allowed as JsonObject[],
    },
  };
  const asyncMs = context.faults().isolationAsyncMs ?? 0;
  if (asyncMs > 0) {
    const id = randomUUID();
    pending.set(id, { dueAt: Date.now() + asyncMs, policy, applied: false });
    const tenantId = context.store.state.tenantId;
    return json(202, undefined, {
      Location: `${request.baseUrl}${isolationOperationPath(tenantId, id)}`,
      "Retry-After": "1",
    });
  }
  context.store.state.tenantIsolationPolicy = policy;
  return json(200, policy);
}

function isolationOperationPath(tenantId: string, operationId: string): string {
  return `${ISOLATION.replace("{tenantId}", tenantId)}/operations/${operationId}`;
}

/**
 * The Location of a 202: 202 (with Retry-After) while the change is under way, then 200 with the
 * policy, which is in force from then on. An unknown operation is 404.
 */
function pollIsolation(
  request: RouteRequest,
  context: EmulatorContext,
  pending: Map<string, PendingIsolation>,
): Reply {
  const refused = isolationPath(request, context);
  if (refused) return refused;
  const operation = pending.get((request.params[1] ?? "").toLowerCase());
  if (!operation) return bapError(404, "OperationNotFound", "The operation was not found.");
  if (Date.now() < operation.dueAt) return json(202, undefined, { "Retry-After": "1" });
  if (!operation.applied) {
    context.store.state.tenantIsolationPolicy = operation.policy;
    operation.applied = true;
  }
  return json(200, operation.policy);
}

export function tenantRoutes(): Route[] {
  // Per emulator instance: isolation PUTs still under way, by operation id.
  const pending = new Map<string, PendingIsolation>();
  return [
    // Source: TF provider internal/services/tenant/api_tenant.go
    route("GET", `${BAP}/tenant`, "bap", (_r, context) => json(200, tenant(context))),
    // Source: TF provider internal/services/tenant_settings/api_tenant_settings.go
    route(
      "POST",
      `${BAP}/listTenantSettings`,
      "bap",
      (_r, context) => json(200, context.store.state.tenantSettings),
      {
        mutates: false,
      },
    ),
    // Source: TF provider internal/services/tenant_settings/api_tenant_settings.go
    route("POST", `${BAP}/scopes/admin/updateTenantSettings`, "bap", (request, context) => {
      if (!isRecord(request.body))
        return bapError(400, "InvalidRequestContent", "The body must be a settings object.");
      merge(context.store.state.tenantSettings, request.body);
      return json(200, context.store.state.tenantSettings);
    }),
    // Source: TF provider internal/services/tenant_isolation_policy/api_tenant_isolation_policy.go
    route(
      "GET",
      "/providers/PowerPlatform.Governance/v1/tenants/{tenantId}/tenantIsolationPolicy",
      "bap",
      getIsolation,
    ),
    // Source: TF provider internal/services/tenant_isolation_policy/api_tenant_isolation_policy.go
    route("PUT", ISOLATION, "bap", (request, context) => putIsolation(request, context, pending)),
    // Applies the policy when the operation is due, so it persists like a write.
    // Source: unverified: the service's Location for an isolation PUT is not published; the emulator makes one up
    route(
      "GET",
      `${ISOLATION}/operations/{operationId}`,
      "bap",
      (request, context) => pollIsolation(request, context, pending),
      { mutates: true },
    ),
  ];
}
