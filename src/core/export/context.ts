import type { ConnectorCatalogue } from "../kinds/connector-catalogue.js";
import { normalizeId } from "../kinds/ids.js";
import type { CanonContext } from "../kinds/canon-context.js";
import type { SkuIndex } from "../kinds/sku-index.js";
import type { LiveTenant } from "../plan/live-tenant.js";
import type { ExportComment, SkipCause } from "./types.js";
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

/**
 * How one kind is exported (the `exporter` of its module). The records, ids, display names and
 * creation times are the kind's own (`listLive`, `liveId`, `liveDisplayName`, `liveCreatedAt`).
 */
export interface KindExporter<L, S> {
  folder: string;
  /** Used when a display name slugifies to nothing. */
  fallbackName: string;
  /** The document pins the live id in metadata.id (others are known by a natural key or are one per tenant). */
  pinsId: boolean;
  /** The validator refuses two documents of a kind with one display name (PPG302). */
  uniqueDisplayName: boolean;
  /** metadata.name values the kind's documents may not take ("default" is an env ref). */
  reservedNames?: readonly string[];
  /** Instead of `liveDisplayName`. */
  displayName?(record: L, context: ExportContext): string;
  /** The display name Tenant.ignore globs are matched against (as the planner does); default the display name. */
  ignoreName?(record: L, context: ExportContext): string | undefined;
  /** A preferred base for metadata.name (allocations take their environment's name). */
  baseName?(record: L, context: ExportContext): string;
  /** A record never written, and why (the default environment). */
  skip?(record: L): { cause: SkipCause; reason: string } | undefined;
  build(record: L, context: ExportContext): Built<S>;
  /**
   * A fresh check per export pass: why a built spec cannot be written next to those accepted before it
   * (two billing policies linking one environment, PPG314); it records the spec when it accepts it.
   */
  conflicts?(): ConflictCheck<S>;
}

export interface ConflictCheck<S> {
  /** Why `spec` cannot be written next to the specs accepted before; undefined accepts (and records) it. */
  check(spec: S): string | undefined;
}

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
