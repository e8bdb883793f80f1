/** Export of the tenant's singletons: the settings object and the isolation policy. */
import { canonicalIsolation } from "../kinds/tenant-isolation.js";
import { isJsonObject, pointerSegments, valueAt, type Json, type JsonObject } from "../kinds/json.js";
import { TENANT_SETTING_PATHS } from "../kinds/tenant-settings.js";
import type { LiveTenantIsolation, LiveTenantSettings } from "../plan/live-tenant.js";
import type { AllowedTenant, TenantIsolationSpec, TenantSettingsSpec } from "../policy/types.js";
import type { Built } from "./context.js";

/** A setting's value as the schema allows it: booleans, whole numbers ≥ 0 and non-empty text. */
function expressible(value: Json | undefined): value is boolean | number | string {
  if (typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isInteger(value) && value >= 0;
  return typeof value === "string" && value !== "";
}

/**
 * Every setting the policy language knows, at its live value: the repository then manages them all
 * (a change in the admin center shows as drift). Settings the service adds later stay unmanaged until
 * the schema names them; the document's comment says so.
 */
export function tenantSettingsSpec(record: LiveTenantSettings): Built<TenantSettingsSpec> {
  const spec: JsonObject = {};
  let unknown = 0;
  const settings = record.settings as Json;
  for (const path of TENANT_SETTING_PATHS) {
    const value = valueAt(settings, path);
    if (!expressible(value)) continue;
    let node = spec;
    const segments = pointerSegments(path);
    for (const segment of segments.slice(0, -1)) {
      const child = node[segment];
      node = isJsonObject(child) ? child : (node[segment] = {});
    }
    node[segments.at(-1)!] = value;
  }
  const known = new Set(TENANT_SETTING_PATHS);
  const countUnknown = (value: Json, path: string): void => {
    if (isJsonObject(value)) {
      for (const [key, child] of Object.entries(value)) countUnknown(child, `${path}/${key}`);
    } else if (!known.has(path)) unknown += 1;
  };
  countUnknown(settings, "");
  const note =
    unknown === 0
      ? "Only the settings named here are managed; delete a line to stop managing that setting."
      : `Only the settings named here are managed; delete a line to stop managing that setting. ${unknown} live setting${unknown === 1 ? " is" : "s are"} not in the policy language yet and stay unmanaged.`;
  return {
    spec: spec,
    comments: [{ pointer: "/spec", text: note, position: "before" }],
  };
}

/** The isolation policy as written; no policy (404) is written as `enabled: false` with nobody allowed. */
export function tenantIsolationSpec(record: LiveTenantIsolation): Built<TenantIsolationSpec> {
  const canonical = canonicalIsolation(record);
  const allowedTenants: AllowedTenant[] = [];
  for (const [tenantId, direction] of Object.entries(canonical.allowedTenants)) {
    if (direction === "none")
      return { reason: `allowed tenant ${tenantId} has neither direction set, which a document cannot say` };
    allowedTenants.push({ tenantId, direction });
  }
  return {
    spec: { enabled: canonical.enabled, allowedTenants },
    comments: [
      {
        pointer: "/spec/allowedTenants",
        text: "inbound: their users may connect to this tenant; outbound: this tenant's users may connect to theirs.",
        position: "before",
      },
    ],
  };
}
