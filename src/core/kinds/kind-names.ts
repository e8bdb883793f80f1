/**
 * The names of the resource kinds, with the two facts about a kind that sit below every other module
 * (the policy language's types import them, so this file imports nothing): whether a kind is a
 * singleton, and where the language lists it. The kind modules themselves are gathered in
 * `registry.ts`, keyed by exactly these names (the compiler refuses a registry that misses one).
 *
 * The rows are in dependency order, a kind only referencing kinds before it: the planner plans kinds in
 * this order and orders independent steps by it (`kindRank`).
 */
const KIND_ROWS = [
  { kind: "EnvironmentGroup", singleton: false, listed: 1 },
  { kind: "Environment", singleton: false, listed: 2 },
  { kind: "DlpPolicy", singleton: false, listed: 3 },
  { kind: "BillingPolicy", singleton: false, listed: 6 },
  { kind: "LicenseAllocation", singleton: false, listed: 4 },
  { kind: "LicenseAssignment", singleton: false, listed: 5 },
  { kind: "TenantSettings", singleton: true, listed: 7 },
  { kind: "TenantIsolation", singleton: true, listed: 8 },
] as const;

type KindRow = (typeof KIND_ROWS)[number];

/** Every kind the planner diffs against the tenant (all but Tenant). */
export type ManagedKind = KindRow["kind"];
/** Kinds whose unmanaged live objects may be pruned. */
export type PrunableKind = Extract<KindRow, { singleton: false }>["kind"];
/** Kinds with exactly one live object per tenant: at most one document each, never pruned. */
export type SingletonKind = Extract<KindRow, { singleton: true }>["kind"];

/** The managed kinds in dependency order. */
export const MANAGED_KIND_ORDER: readonly ManagedKind[] = KIND_ROWS.map((row) => row.kind);

/**
 * The managed kinds in the order the policy language lists them (messages, `spec.prune`, the schema,
 * export): the order they joined the language, which differs from the dependency order.
 */
export const MANAGED_KINDS_LISTED: readonly ManagedKind[] = [...KIND_ROWS]
  .sort((a, b) => a.listed - b.listed)
  .map((row) => row.kind);

export const PRUNABLE_KIND_NAMES = MANAGED_KINDS_LISTED.filter(
  (kind): kind is PrunableKind => !isSingletonRow(kind),
);
export const SINGLETON_KIND_NAMES = MANAGED_KINDS_LISTED.filter((kind): kind is SingletonKind =>
  isSingletonRow(kind),
);

function isSingletonRow(kind: ManagedKind): boolean {
  return KIND_ROWS.some((row) => row.kind === kind && row.singleton);
}

/** Position of a kind in dependency order (1 = first): the stable order of independent steps. */
export function kindRank(kind: ManagedKind): number {
  return MANAGED_KIND_ORDER.indexOf(kind) + 1;
}
