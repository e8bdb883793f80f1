/**
 * A DLP policy reduced to what the combined effect needs: where it applies and the resolved group of
 * every connector. Built from the live (or simulated post-apply) wire policies, so desired and live
 * are compared in one shape.
 */
import { buildConnectorCatalogue, type ConnectorCatalogue } from "../kinds/connector-catalogue.js";
import { dlpPolicyKind, type DlpPolicyCanonical } from "../kinds/dlp-policy.js";
import type { DlpScopeType } from "../kinds/dlp-vocabulary.js";
import { normalizeId } from "../kinds/ids.js";
import { idSortKey } from "../kinds/placeholder.js";
import { buildSkuIndex } from "../kinds/sku-index.js";
import type { LiveTenant } from "../plan/live-tenant.js";
import { buildResolver, type Resolver } from "../plan/resolve.js";
import type { WireDlpPolicy } from "../wire/types.js";
import type { DlpGroup } from "../policy/types.js";

export interface PolicyView {
  /** The live policy id. */
  id: string;
  displayName: string;
  scope: { type: DlpScopeType; environments: string[] };
  defaultGroup: DlpGroup;
  /** Connector name → resolved group (every catalogue connector, plus any the policy lists). */
  connectors: Record<string, DlpGroup>;
}

/** An environment as the effective-policy views name it. */
export interface EnvironmentView {
  id: string;
  displayName: string;
  isDefault: boolean;
}

export function policyViewFromCanonical(id: string, canonical: DlpPolicyCanonical): PolicyView {
  return {
    id,
    displayName: canonical.displayName,
    scope: { type: canonical.scope.type, environments: canonical.scope.environments.map(idSortKey) },
    defaultGroup: canonical.defaultGroup,
    connectors: canonical.connectors,
  };
}

export function catalogueOf(live: LiveTenant): ConnectorCatalogue {
  return buildConnectorCatalogue(live.connectors, live.unblockableConnectorIds, live.virtualConnectors);
}

/** Canonical forms already built for a tenant's policies under its own catalogue (the planner's). */
export type KnownCanonical = (policy: WireDlpPolicy) => DlpPolicyCanonical | undefined;

/**
 * Every DLP policy of a tenant as a view, sorted by display name then id. `known` holds views already
 * built for the same policy objects under the same connector catalogue (a live policy's view depends
 * on nothing else): they are reused, and new ones are added. `canonical` gives canonical forms built
 * under this tenant's catalogue, so they are not built twice.
 */
export function policyViewsOf(
  live: LiveTenant,
  known?: Map<WireDlpPolicy, PolicyView>,
  canonical?: KnownCanonical,
): PolicyView[] {
  let resolver: Resolver | undefined;
  return live.dlpPolicies
    .map((policy) => {
      const reused = known?.get(policy);
      if (reused !== undefined) return reused;
      const id = normalizeId(policy.policyDefinition.name) ?? policy.policyDefinition.name;
      let form = canonical?.(policy);
      if (form === undefined) {
        resolver ??= buildResolver(live.environments, catalogueOf(live), buildSkuIndex(live.subscribedSkus));
        form = dlpPolicyKind.canonicalizeLive(policy, resolver);
      }
      const view = policyViewFromCanonical(id, form);
      known?.set(policy, view);
      return view;
    })
    .sort((a, b) =>
      a.displayName === b.displayName ? compare(a.id, b.id) : compare(a.displayName, b.displayName),
    );
}

export function environmentViewsOf(live: LiveTenant): EnvironmentView[] {
  return live.environments
    .map((environment) => ({
      id: normalizeId(environment.name) ?? environment.name,
      displayName: environment.properties.displayName,
      isDefault: environment.properties.isDefault === true,
    }))
    .sort((a, b) => compare(a.displayName, b.displayName) || compare(a.id, b.id));
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
