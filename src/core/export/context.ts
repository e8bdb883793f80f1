import type { ConnectorCatalogue } from "../kinds/connector-catalogue.js";
import { normalizeId } from "../kinds/ids.js";
import type { CanonContext } from "../kinds/resource-kind.js";
import type { SkuIndex } from "../kinds/sku-index.js";
import type { LiveTenant } from "../plan/live-tenant.js";
import type { ExportComment } from "./types.js";
import { isGuid, oneLine } from "./format.js";

/** What one kind's document builder sees. */
export interface ExportContext {
  live: LiveTenant;
  catalogue: ConnectorCatalogue;
  skus: SkuIndex;
  /** For the kinds' `canonicalizeLive` (live forms never resolve references). */
  canon: CanonContext;
  /** The env ref for a live environment id, or undefined when none can name it. */
  envRef(id: string): string | undefined;
  /** Display name of a live environment. */
  environmentName(id: string): string | undefined;
  /** metadata.name of an exported EnvironmentGroup, by live group id. */
  groupName(id: string): string | undefined;
}

/** A document's spec, or why the live object cannot be written as one. */
export type Built<S> = { spec: S; comments: ExportComment[] } | { reason: string };

/** The env-ref table: `default`, the name of an exported Environment document, else `id:<guid>`. */
export function envRefTable(
  live: LiveTenant,
  exportedNames: ReadonlyMap<string, string>,
): Pick<ExportContext, "envRef" | "environmentName"> {
  const names = new Map<string, string>();
  for (const environment of live.environments)
    names.set(normalizeId(environment.name) ?? environment.name, environment.properties.displayName);
  // The planner resolves `default` to the first environment marked default.
  const fallback = live.environments.find((environment) => environment.properties.isDefault === true);
  const defaultId = fallback === undefined ? undefined : (normalizeId(fallback.name) ?? fallback.name);
  return {
    environmentName: (id) => names.get(id),
    envRef: (id) => {
      if (id === defaultId) return "default";
      const name = exportedNames.get(id);
      if (name !== undefined) return name;
      return names.has(id) && isGuid(id) ? `id:${id}` : undefined;
    },
  };
}

/** A trailing comment naming what an `id:` env ref stands for. */
export function envRefComment(
  pointer: string,
  ref: string,
  id: string,
  context: Pick<ExportContext, "environmentName">,
): ExportComment[] {
  const name = context.environmentName(id);
  if (!ref.startsWith("id:") || name === undefined || oneLine(name) === "") return [];
  return [{ pointer, text: oneLine(name), position: "trailing" }];
}
