import type { EnvRef } from "../policy/types.js";
import type { WireEnvironment } from "../wire/types.js";
import type { ConnectorCatalogue } from "../kinds/connector-catalogue.js";
import { normalizeId, parseIdRef } from "../kinds/ids.js";
import type { IdOrPlaceholder } from "../kinds/placeholder.js";
import type { CanonContext } from "../kinds/resource-kind.js";
import type { SkuIndex } from "../kinds/sku-index.js";

export const UNRESOLVED_PREFIX = "unresolved:";

export function isUnresolved(id: IdOrPlaceholder): boolean {
  return typeof id === "string" && id.startsWith(UNRESOLVED_PREFIX);
}

/**
 * Reference resolution while planning. Kinds are planned in dependency order; after each kind the
 * planner records what every metadata.name now stands for: the live id, or the placeholder of an
 * object this apply creates (or re-creates, for a replace).
 */
export interface Resolver extends CanonContext {
  environmentNames: Map<string, IdOrPlaceholder>;
  groupNames: Map<string, IdOrPlaceholder>;
  liveEnvironment(id: string): WireEnvironment | undefined;
  defaultEnvironment: WireEnvironment | undefined;
}

export function buildResolver(
  environments: readonly WireEnvironment[],
  catalogue: ConnectorCatalogue,
  skus: SkuIndex,
  tenantDomains: Readonly<Record<string, string | null>> = {},
): Resolver {
  const byId = new Map<string, WireEnvironment>();
  for (const environment of environments)
    byId.set(normalizeId(environment.name) ?? environment.name, environment);
  const defaultEnvironment = environments.find((environment) => environment.properties.isDefault === true);
  const environmentNames = new Map<string, IdOrPlaceholder>();
  const groupNames = new Map<string, IdOrPlaceholder>();
  return {
    catalogue,
    skus,
    environmentNames,
    groupNames,
    defaultEnvironment,
    liveEnvironment: (id) => byId.get(id),
    resolveEnvRef(ref: EnvRef): IdOrPlaceholder {
      if (ref === "default") {
        const id = defaultEnvironment === undefined ? undefined : normalizeId(defaultEnvironment.name);
        return id ?? `${UNRESOLVED_PREFIX}${ref}`;
      }
      const pinned = parseIdRef(ref);
      if (pinned !== undefined) return byId.has(pinned) ? pinned : `${UNRESOLVED_PREFIX}${ref}`;
      return environmentNames.get(ref) ?? `${UNRESOLVED_PREFIX}${ref}`;
    },
    resolveGroupRef(name: string): IdOrPlaceholder {
      return groupNames.get(name) ?? `${UNRESOLVED_PREFIX}${name}`;
    },
    resolveTenantDomain(domain: string): string {
      const key = domain.toLowerCase();
      return tenantDomains[key]?.toLowerCase() ?? `${UNRESOLVED_PREFIX}${key}`;
    },
  };
}
