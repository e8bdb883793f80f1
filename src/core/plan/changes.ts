import type { Diagnostic } from "../diagnostics.js";
import { stableStringify, type Json } from "../kinds/json.js";
import { placeholder, type IdOrPlaceholder } from "../kinds/placeholder.js";
import type { ResourceKind } from "../kinds/resource-kind.js";
import type { RegisteredKind } from "../kinds/registry.js";
import type { DesiredResource } from "./desired-state.js";
import { changedPaths, createdPaths, createOnlyReason, intendedState, type DiffRules } from "./diff.js";
import type { HashFunction } from "./digest.js";
import type { IgnoreList } from "./ignore.js";
import type { LiveTenant } from "./live-tenant.js";
import { matchKind } from "./match.js";
import type { Resolver } from "./resolve.js";
import type { ResourceChange } from "./types.js";

export interface KindPlanInput<L> {
  resources: readonly DesiredResource[];
  live: LiveTenant;
  resolver: Resolver;
  ignore: IgnoreList;
  prune: boolean;
  hash: HashFunction;
  displayNameForIgnore?: (record: L) => string | undefined;
}

export interface KindPlan {
  changes: ResourceChange[];
  diagnostics: Diagnostic[];
  /** metadata.name → what references to it resolve to after this apply. */
  names: Map<string, IdOrPlaceholder>;
}

/** Matches, canonicalizes and diffs every document and live object of one kind. */
export function planKind<S, L, C extends object>(
  kind: ResourceKind<S, L, C> & { kind: RegisteredKind },
  input: KindPlanInput<L>,
): KindPlan {
  const { resolver, hash } = input;
  const rules: DiffRules = kind;
  const records = kind.listLive(input.live);
  const match = matchKind(kind, input.resources, records, resolver, input.ignore, input.displayNameForIgnore);
  const changes: ResourceChange[] = [];
  const names = new Map<string, IdOrPlaceholder>();
  const fingerprintOf = (record: L, canonical: C): string =>
    kind.fingerprint(record) ?? `sha256:${hash(stableStringify(canonical))}`;

  for (const { resource, live, liveId, ignored } of match.matched) {
    const spec = resource.spec as S;
    const base = {
      kind: kind.kind,
      name: resource.name,
      address: resource.address,
      displayName: live === undefined ? kind.desiredDisplayName(spec) : kind.liveDisplayName(live),
      resource,
      notes: {},
    };
    const before = live === undefined ? undefined : kind.canonicalizeLive(live, resolver);
    const liveFields =
      live === undefined || liveId === undefined
        ? {}
        : { id: liveId, live, before, fingerprint: fingerprintOf(live, before!) };
    if (liveId !== undefined) names.set(resource.name, liveId);
    if (ignored === true || kind.ensure(spec) === "absent") {
      const action = ignored !== true && live !== undefined ? "delete" : "no-op";
      changes.push({ ...base, ...liveFields, action, changedPaths: [] });
      continue;
    }
    const desired = kind.canonicalizeDesired(spec, resolver);
    if (live === undefined || before === undefined) {
      if (kind.isEmpty?.(desired) === true) {
        changes.push({ ...base, action: "no-op", after: desired, changedPaths: [] });
        continue;
      }
      names.set(resource.name, placeholder(resource.address));
      changes.push({
        ...base,
        action: "create",
        after: desired,
        changedPaths: createdPaths(desired as Json, rules),
      });
      continue;
    }
    const after = intendedState(before as Json, desired as Json, kind.partialPaths) as C;
    const changed = changedPaths(before as Json, after as Json, rules);
    const reason =
      changed.length === 0
        ? undefined
        : (createOnlyReason(before as Json, after as Json, kind.createOnlyPaths) ??
          kind.replaceReason?.(before, after));
    if (reason !== undefined) names.set(resource.name, placeholder(resource.address));
    const notes: Record<string, string> = {};
    if (kind.pathNote)
      for (const entry of changed) {
        const note = kind.pathNote(spec, entry.path, resolver);
        if (note !== undefined) notes[entry.path] = note;
      }
    const unmanaged = kind.unmanagedNote?.(spec, live);
    if (unmanaged !== undefined) notes[""] = unmanaged;
    // Nearly every resource of a plan ends here: one object literal, not spreads (15 % of buildPlan at
    // 10,000 resources went to copying `base` and `liveFields` into each change).
    const change: ResourceChange = {
      kind: base.kind,
      name: base.name,
      address: base.address,
      displayName: base.displayName,
      resource,
      action: changed.length === 0 ? "no-op" : reason !== undefined ? "replace" : "update",
      after,
      changedPaths: changed,
      notes,
    };
    if ("id" in liveFields) {
      change.id = liveFields.id;
      change.live = liveFields.live;
      change.before = liveFields.before;
      change.fingerprint = liveFields.fingerprint;
    }
    if (reason !== undefined) change.reason = reason;
    changes.push(change);
  }

  if (input.prune)
    for (const { id, live } of match.unmatched) {
      if (kind.neverPrune?.(live) === true) continue;
      const before = kind.canonicalizeLive(live, resolver);
      changes.push({
        kind: kind.kind,
        name: `id:${id}`,
        address: `${kind.kind}/id:${id}`,
        id,
        displayName: kind.liveDisplayName(live),
        action: "delete",
        before,
        live,
        fingerprint: fingerprintOf(live, before),
        changedPaths: [],
        notes: {},
      });
    }
  return { changes, diagnostics: match.diagnostics, names };
}
