import { buildConnectorCatalogue } from "../kinds/connector-catalogue.js";
import { stableStringify } from "../kinds/json.js";
import { KIND_ORDER, KIND_REGISTRY } from "../kinds/registry.js";
import type { ResourceKind } from "../kinds/resource-kind.js";
import { buildSkuIndex } from "../kinds/sku-index.js";
import { sha256, type HashFunction } from "./digest.js";
import type { LiveTenant } from "./live-tenant.js";
import { buildResolver } from "./resolve.js";
import type { Plan } from "./types.js";

type AnyKind = ResourceKind<unknown, unknown, object>;

/** "Kind:id" → fingerprint of every live object, computed as the planner does. */
export function liveFingerprints(live: LiveTenant, hash: HashFunction = sha256): Map<string, string> {
  const catalogue = buildConnectorCatalogue(
    live.connectors,
    live.unblockableConnectorIds,
    live.virtualConnectors,
  );
  const resolver = buildResolver(live.environments, catalogue, buildSkuIndex(live.subscribedSkus));
  const fingerprints = new Map<string, string>();
  for (const kindName of KIND_ORDER) {
    const kind = KIND_REGISTRY[kindName] as unknown as AnyKind;
    for (const record of kind.listLive(live))
      fingerprints.set(
        `${kindName}:${kind.liveId(record)}`,
        kind.fingerprint(record) ??
          `sha256:${hash(stableStringify(kind.canonicalizeLive(record, resolver)))}`,
      );
  }
  return fingerprints;
}

export interface StaleResource {
  address: string;
  reason: string;
}

/**
 * Resources a saved plan touches whose live object moved since the plan: a changed fingerprint, a
 * vanished object, or (for a create) an object of that name that appeared meanwhile.
 */
export function findStaleResources(
  plan: Plan,
  live: LiveTenant,
  hash: HashFunction = sha256,
): StaleResource[] {
  const current = liveFingerprints(live, hash);
  const namesByKind = new Map<string, Set<string>>();
  for (const kindName of KIND_ORDER) {
    const kind = KIND_REGISTRY[kindName] as unknown as AnyKind;
    namesByKind.set(
      kindName,
      new Set(kind.listLive(live).map((record) => kind.liveDisplayName(record).toLowerCase())),
    );
  }
  const stale: StaleResource[] = [];
  for (const resource of plan.resources) {
    if (resource.action === "no-op") continue;
    if (resource.id === null) {
      if (
        resource.kind !== "LicenseAllocation" &&
        resource.kind !== "LicenseAssignment" &&
        namesByKind.get(resource.kind)?.has(resource.displayName.toLowerCase()) === true
      )
        stale.push({
          address: resource.address,
          reason: `a ${resource.kind} named "${resource.displayName}" now exists`,
        });
      continue;
    }
    const fingerprint = current.get(`${resource.kind}:${resource.id}`);
    if (fingerprint === undefined)
      stale.push({ address: resource.address, reason: "the live object no longer exists" });
    else if (fingerprint !== resource.fingerprint)
      stale.push({ address: resource.address, reason: `${resource.address} changed since the plan` });
  }
  return stale;
}
