import type { EnvRef } from "../policy/types.js";
import type { ConnectorCatalogue } from "./connector-catalogue.js";
import type { IdOrPlaceholder } from "./placeholder.js";
import type { SkuIndex } from "./sku-index.js";

/** How references are resolved while canonicalizing desired documents. */
export interface CanonContext {
  /**
   * An env ref → the live environment id, the placeholder of an environment this apply creates, or
   * `unresolved:<ref>` (a plan-time check reports it).
   */
  resolveEnvRef(ref: EnvRef): IdOrPlaceholder;
  /** An EnvironmentGroup metadata.name → live group id or placeholder (or `unresolved:<name>`). */
  resolveGroupRef(name: string): IdOrPlaceholder;
  /** A tenant's domain → its tenant id (lower case), or `unresolved:<domain>` (a plan-time check reports it). */
  resolveTenantDomain(domain: string): string;
  catalogue: ConnectorCatalogue;
  skus: SkuIndex;
}
