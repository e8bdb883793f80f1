import type { LoadedDocument, ManagedKind, PrunableKind, TenantSpec } from "../policy/types.js";
import { isPrunableKind, PRUNABLE_KINDS, SINGLETON_KINDS } from "../policy/types.js";
import {
  KIND_ORDER,
  KIND_REGISTRY,
  planCollections,
  type AnyKind,
  type RegisteredKind,
} from "../kinds/registry.js";
import { parseIdRef } from "../kinds/ids.js";
import type { LiveCollection } from "./live-tenant.js";

/** The written spec of each kind, as its module's `canonicalizeDesired` takes it. */
export type SpecByKind = {
  [K in RegisteredKind]: Parameters<(typeof KIND_REGISTRY)[K]["canonicalizeDesired"]>[0];
};

/** One declared resource: a document of any kind but Tenant, with where it came from. */
export interface DesiredResource<K extends ManagedKind = ManagedKind> {
  kind: K;
  name: string;
  /** "Kind/name". */
  address: string;
  /** Pinned live id, lower-cased. */
  pinnedId?: string;
  spec: SpecByKind[K];
  loaded: LoadedDocument;
}

/** The repository's desired state: documents grouped per kind, plus the Tenant settings. */
export interface DesiredState {
  tenant: TenantSpec;
  tenantDocument?: LoadedDocument;
  /** In kind order, then by name. */
  resources: DesiredResource[];
  byKind: { [K in ManagedKind]: DesiredResource<K>[] };
}

export function resourceAddress(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/** Groups schema-valid, rule-checked documents per kind. Pure; no checks beyond what the loader did. */
export function buildDesiredState(documents: readonly LoadedDocument[]): DesiredState {
  const byKind = Object.fromEntries(
    [...PRUNABLE_KINDS, ...SINGLETON_KINDS].map((kind) => [kind, []]),
  ) as unknown as DesiredState["byKind"];
  let tenant: TenantSpec = {};
  let tenantDocument: LoadedDocument | undefined;
  for (const loaded of documents) {
    const document = loaded.document;
    if (document.kind === "Tenant") {
      tenant = document.spec;
      tenantDocument = loaded;
      continue;
    }
    const list = byKind[document.kind] as DesiredResource[];
    list.push({
      kind: document.kind,
      name: document.metadata.name,
      address: resourceAddress(document.kind, document.metadata.name),
      ...(document.metadata.id === undefined ? {} : { pinnedId: document.metadata.id.toLowerCase() }),
      spec: document.spec,
      loaded,
    });
  }
  for (const list of Object.values(byKind))
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const resources = KIND_ORDER.flatMap((kind) => byKind[kind] as DesiredResource[]);
  return { tenant, ...(tenantDocument ? { tenantDocument } : {}), resources, byKind };
}

/** What the tenant reader must fetch for a desired state. */
export interface LiveRequirements {
  collections: LiveCollection[];
  /** Graph groups whose assignedLicenses are needed (the groups LicenseAssignment documents name). */
  licenseGroupIds: string[];
  /** Every group with licenses is needed (LicenseAssignment prune is on). */
  allLicensedGroups: boolean;
  /**
   * The SKUs (id or part number, as written) each present LicenseAssignment wants on its group. The
   * seat check needs member counts only of groups that gain a SKU, so the reader counts only those.
   * Absent: count the members of every group read (apply's re-read, export).
   */
  licenseGroupSkus?: LicenseGroupSkus[];
  /**
   * Whose currency allocations to read when `allocations` is wanted: the environments LicenseAllocation
   * documents name, or (absent) every environment. Export, prune and the apply re-read leave it out.
   */
  allocationEnvironments?: EnvironmentSelection;
  /** Domains of other tenants the documents name (lower case), to resolve to tenant ids; absent: none. */
  tenantDomains?: string[];
}

/** One LicenseAssignment's group (lower-case id) and the SKUs it wants there. */
export interface LicenseGroupSkus {
  group: string;
  skus: string[];
}

/**
 * Environments picked out by env refs, in the terms the reader can match while it lists environments
 * (before the planner resolves names): how the planner would match each ref, as a superset.
 */
export interface EnvironmentSelection {
  /** Lower-case live ids: `id:` refs and pinned Environment documents. */
  ids: string[];
  /** Lower-case display names of the unpinned Environment documents the refs name (matched as the planner does). */
  displayNames: string[];
  /** A ref is `default`: the tenant's default environment. */
  includesDefault: boolean;
}

/** A test for "does `selection` pick out this environment", built once for a list of thousands. */
export function environmentMatcher(
  selection: EnvironmentSelection,
): (environment: { id: string; displayName: string; isDefault: boolean }) => boolean {
  const ids = new Set(selection.ids);
  const displayNames = new Set(selection.displayNames);
  return (environment) =>
    (selection.includesDefault && environment.isDefault) ||
    ids.has(environment.id.toLowerCase()) ||
    displayNames.has(environment.displayName.toLowerCase());
}

/** The environments the LicenseAllocation documents name, by the ref rules of `Resolver.resolveEnvRef`. */
export function allocationEnvironments(desired: DesiredState): EnvironmentSelection {
  const ids = new Set<string>();
  const displayNames = new Set<string>();
  let includesDefault = false;
  const environmentDocuments = new Map(
    desired.byKind.Environment.map((resource) => [resource.name, resource]),
  );
  for (const resource of desired.byKind.LicenseAllocation) {
    const ref = resource.spec.environment;
    if (ref === "default") {
      includesDefault = true;
      continue;
    }
    const pinned = parseIdRef(ref);
    if (pinned !== undefined) {
      ids.add(pinned);
      continue;
    }
    // A name refers to an Environment document, which matches its pinned id or else its display name.
    const document = environmentDocuments.get(ref);
    if (document === undefined) continue;
    if (document.pinnedId !== undefined) ids.add(document.pinnedId);
    else displayNames.add(document.spec.displayName.toLowerCase());
  }
  return { ids: [...ids], displayNames: [...displayNames], includesDefault };
}

/**
 * The live collections a plan of `desired` reads: a kind's collection when documents of it exist or
 * its prune is on, plus what resolving references needs. Environments are always read (env refs,
 * default environment, display names in the plan).
 */
export function requiredLiveCollections(desired: DesiredState): LiveRequirements {
  const prune = desired.tenant.prune ?? {};
  const wants = (kind: PrunableKind): boolean => desired.byKind[kind].length > 0 || prune[kind] === true;
  const collections = new Set<LiveCollection>(["environments"]);
  const domains = new Set<string>();
  for (const kindName of KIND_ORDER) {
    const specs = desired.byKind[kindName].map((resource) => resource.spec);
    const pruned = isPrunableKind(kindName) && prune[kindName] === true;
    const kind: AnyKind = KIND_REGISTRY[kindName];
    for (const collection of planCollections(kind, specs, pruned)) collections.add(collection);
    for (const domain of kind.tenantDomains?.(specs) ?? []) domains.add(domain.toLowerCase());
  }
  return {
    collections: [...collections],
    licenseGroupIds: [
      ...new Set(desired.byKind.LicenseAssignment.map((resource) => resource.spec.group.toLowerCase())),
    ],
    allLicensedGroups: prune.LicenseAssignment === true,
    licenseGroupSkus: desired.byKind.LicenseAssignment.filter(
      (resource) => resource.spec.ensure !== "absent",
    ).map((resource) => ({
      group: resource.spec.group.toLowerCase(),
      skus: resource.spec.licenses.map((license) => license.sku),
    })),
    // Prune needs every environment's allocations (it releases the undeclared ones); otherwise only
    // the named environments' (what is free elsewhere comes from the availability report, after the diff).
    ...(wants("LicenseAllocation") && prune.LicenseAllocation !== true
      ? { allocationEnvironments: allocationEnvironments(desired) }
      : {}),
    ...(domains.size === 0 ? {} : { tenantDomains: [...domains].sort() }),
  };
}
