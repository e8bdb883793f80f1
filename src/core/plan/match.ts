import type { Diagnostic } from "../diagnostics.js";
import type { CanonContext, ResourceKind } from "../kinds/resource-kind.js";
import type { DesiredResource } from "./desired-state.js";
import { documentDiagnostic } from "./diagnostic.js";
import type { IgnoreList } from "./ignore.js";

export interface MatchedResource<L> {
  resource: DesiredResource;
  /** The live object the document manages, when it exists. */
  live?: L;
  liveId?: string;
  /** The document matches an ignored live object: leave both alone. */
  ignored?: boolean;
}

export interface MatchResult<L> {
  matched: MatchedResource<L>[];
  /** Live objects no document claims and that are not ignored: candidates for prune. */
  unmatched: { id: string; live: L }[];
  diagnostics: Diagnostic[];
}

/**
 * Pairs documents of one kind with live objects. Identity rules (docs/policy-format.md, Identity):
 * 1. `metadata.id`, compared lower-case; a pinned id missing from the tenant is an error, unless the
 *    document says `ensure: absent` (then there is nothing to do).
 * 2. A natural key for kinds that have one (the environment of an allocation, the group of a
 *    license assignment).
 * 3. Otherwise the display name, compared case-insensitively (the admin center treats names that
 *    differ only in case as the same); two live objects with that name is an error asking to pin
 *    metadata.id.
 * Live objects matched by `Tenant.ignore` are never changed: a document that matches one gets a warning.
 */
export function matchKind<S, L, C extends object>(
  kind: ResourceKind<S, L, C>,
  resources: readonly DesiredResource[],
  liveRecords: readonly L[],
  ctx: CanonContext,
  ignore: IgnoreList,
  displayNameForIgnore: (record: L) => string | undefined = (record) => kind.liveDisplayName(record),
): MatchResult<L> {
  const byId = new Map<string, L>();
  const byName = new Map<string, L[]>();
  for (const record of liveRecords) {
    byId.set(kind.liveId(record), record);
    const key = kind.liveDisplayName(record).toLowerCase();
    const list = byName.get(key);
    if (list) list.push(record);
    else byName.set(key, [record]);
  }
  const diagnostics: Diagnostic[] = [];
  const claimedBy = new Map<string, DesiredResource>();
  const matched: MatchedResource<L>[] = [];
  for (const resource of resources) {
    const spec = resource.spec as S;
    let live: L | undefined;
    if (resource.pinnedId !== undefined) {
      live = byId.get(resource.pinnedId);
      if (live === undefined && kind.ensure(spec) === "present")
        diagnostics.push(
          documentDiagnostic(
            "PPG408",
            `metadata.id ${resource.pinnedId} not found in the tenant: no ${kind.noun} has this id. Remove metadata.id to create a new one, or correct it.`,
            resource,
            "/metadata/id",
          ),
        );
    } else if (kind.naturalKey) {
      const key = kind.naturalKey(spec, ctx);
      live = key === undefined ? undefined : byId.get(key);
    } else {
      const displayName = kind.desiredDisplayName(spec);
      const candidates = byName.get(displayName.toLowerCase()) ?? [];
      if (candidates.length > 1) {
        const ids = candidates.map((candidate) => kind.liveId(candidate)).sort();
        diagnostics.push(
          documentDiagnostic(
            "PPG407",
            `${candidates.length} live ${kind.noun} objects are named "${displayName}" (${ids.join(", ")}): pin the one this document manages with metadata.id.`,
            resource,
            "/spec/displayName",
          ),
        );
        matched.push({ resource });
        continue;
      }
      live = candidates[0];
    }
    if (live === undefined) {
      matched.push({ resource });
      continue;
    }
    const liveId = kind.liveId(live);
    const previous = claimedBy.get(liveId);
    if (previous !== undefined) {
      diagnostics.push(
        documentDiagnostic(
          "PPG414",
          `${resource.address} and ${previous.address} both match the live ${kind.noun} ${liveId}: pin each document to its own object with metadata.id.`,
          resource,
        ),
      );
      matched.push({ resource });
      continue;
    }
    claimedBy.set(liveId, resource);
    if (ignore.matches(liveId, displayNameForIgnore(live))) {
      diagnostics.push(
        documentDiagnostic(
          "PPG412",
          `${resource.address} matches the live ${kind.noun} ${liveId}, which Tenant.ignore excludes: the document is skipped.`,
          resource,
        ),
      );
      matched.push({ resource, live, liveId, ignored: true });
      continue;
    }
    matched.push({ resource, live, liveId });
  }
  const unmatched: { id: string; live: L }[] = [];
  for (const record of liveRecords) {
    const id = kind.liveId(record);
    if (!claimedBy.has(id) && !ignore.matches(id, displayNameForIgnore(record)))
      unmatched.push({ id, live: record });
  }
  return { matched, unmatched, diagnostics };
}
