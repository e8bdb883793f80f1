import { buildConnectorCatalogue } from "../kinds/connector-catalogue.js";
import { KIND_REGISTRY } from "../kinds/registry.js";
import { buildSkuIndex } from "../kinds/sku-index.js";
import { buildDesiredState } from "../plan/desired-state.js";
import { buildIgnoreList, type IgnoreList } from "../plan/ignore.js";
import type { LiveAllocation, LiveBillingPolicy, LiveTenant } from "../plan/live-tenant.js";
import { buildPlan } from "../plan/plan.js";
import { UNRESOLVED_PREFIX } from "../plan/resolve.js";
import {
  API_VERSION,
  KINDS,
  PRUNABLE_KINDS,
  type KindName,
  type LoadedDocument,
  type PolicyDocument,
  type PrunableKind,
  type TenantSpec,
} from "../policy/types.js";
import type { WireDlpPolicy, WireEnvironment, WireEnvironmentGroup, WireGraphGroup } from "../wire/types.js";
import { envRefTable, type Built, type ExportContext } from "./context.js";
import { dlpPolicySpec } from "./dlp-docs.js";
import { environmentGroupSpec, environmentSpec } from "./environment-docs.js";
import { isGuid } from "./format.js";
import { billingPolicySpec, licenseAllocationSpec, licenseAssignmentSpec } from "./licensing-docs.js";
import { NameAllocator } from "./names.js";
import {
  exclusionKey,
  type ExportComment,
  type ExportedDocument,
  type ExportOptions,
  type ExportSkip,
  type TenantExport,
} from "./types.js";

/** How one kind is exported. */
interface KindExporter<L> {
  kind: PrunableKind;
  folder: string;
  /** Used when a display name slugifies to nothing. */
  fallbackName: string;
  records(live: LiveTenant): readonly L[];
  id(record: L): string;
  displayName(record: L, context: ExportContext): string;
  /** Creation time, when the service reports one: of two objects with one display name, the older is written. */
  createdAt?(record: L): string | undefined;
  /** The display name Tenant.ignore globs are matched against (as the planner does). */
  ignoreName(record: L, context: ExportContext): string | undefined;
  /** A preferred base for metadata.name (allocations take their environment's name). */
  baseName?(record: L, context: ExportContext): string;
  /** The validator refuses two documents of a kind with one display name (PPG302). */
  uniqueDisplayName: boolean;
  build(record: L, context: ExportContext): Built<object>;
}

const environmentGroups: KindExporter<WireEnvironmentGroup> = {
  kind: "EnvironmentGroup",
  folder: "environment-groups",
  fallbackName: "group",
  records: (live) => KIND_REGISTRY.EnvironmentGroup.listLive(live),
  id: (group) => KIND_REGISTRY.EnvironmentGroup.liveId(group),
  displayName: (group) => group.displayName,
  createdAt: (group) => group.createdTime,
  ignoreName: (group) => group.displayName,
  uniqueDisplayName: true,
  build: (group) => environmentGroupSpec(group),
};

const environments: KindExporter<WireEnvironment> = {
  kind: "Environment",
  folder: "environments",
  fallbackName: "environment",
  records: (live) => KIND_REGISTRY.Environment.listLive(live),
  id: (environment) => KIND_REGISTRY.Environment.liveId(environment),
  displayName: (environment) => environment.properties.displayName,
  createdAt: (environment) => environment.properties.createdTime,
  ignoreName: (environment) => environment.properties.displayName,
  uniqueDisplayName: true,
  build: environmentSpec,
};

const dlpPolicies: KindExporter<WireDlpPolicy> = {
  kind: "DlpPolicy",
  folder: "dlp",
  fallbackName: "policy",
  records: (live) => KIND_REGISTRY.DlpPolicy.listLive(live),
  id: (policy) => KIND_REGISTRY.DlpPolicy.liveId(policy),
  displayName: (policy) => policy.policyDefinition.displayName,
  createdAt: (policy) => policy.policyDefinition.createdTime,
  ignoreName: (policy) => policy.policyDefinition.displayName,
  uniqueDisplayName: true,
  build: dlpPolicySpec,
};

const billingPolicies: KindExporter<LiveBillingPolicy> = {
  kind: "BillingPolicy",
  folder: "licensing/billing",
  fallbackName: "billing-policy",
  records: (live) => KIND_REGISTRY.BillingPolicy.listLive(live),
  id: (record) => KIND_REGISTRY.BillingPolicy.liveId(record),
  displayName: (record) => record.policy.name,
  createdAt: (record) => record.policy.createdOn,
  ignoreName: (record) => record.policy.name,
  uniqueDisplayName: true,
  build: billingPolicySpec,
};

const licenseAllocations: KindExporter<LiveAllocation> = {
  kind: "LicenseAllocation",
  folder: "licensing/allocations",
  fallbackName: "allocation",
  records: (live) => KIND_REGISTRY.LicenseAllocation.listLive(live),
  id: (record) => KIND_REGISTRY.LicenseAllocation.liveId(record),
  displayName: (record, context) => {
    const id = KIND_REGISTRY.LicenseAllocation.liveId(record);
    return context.environmentName(id) ?? id;
  },
  ignoreName: (record, context) => context.environmentName(KIND_REGISTRY.LicenseAllocation.liveId(record)),
  baseName: (record, context) => {
    const id = KIND_REGISTRY.LicenseAllocation.liveId(record);
    const ref = context.envRef(id);
    return ref === undefined || ref.startsWith("id:") ? (context.environmentName(id) ?? "") : ref;
  },
  uniqueDisplayName: false,
  build: licenseAllocationSpec,
};

const licenseAssignments: KindExporter<WireGraphGroup> = {
  kind: "LicenseAssignment",
  folder: "licensing/assignments",
  fallbackName: "group",
  records: (live) => KIND_REGISTRY.LicenseAssignment.listLive(live),
  id: (group) => KIND_REGISTRY.LicenseAssignment.liveId(group),
  displayName: (group) => group.displayName ?? group.id,
  ignoreName: (group) => KIND_REGISTRY.LicenseAssignment.liveDisplayName(group),
  uniqueDisplayName: false,
  build: licenseAssignmentSpec,
};

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface Round {
  documents: ExportedDocument[];
  skipped: ExportSkip[];
}

/** One pass over the live tenant with a fixed set of exclusions. */
function exportRound(
  live: LiveTenant,
  kinds: ReadonlySet<KindName>,
  ignore: IgnoreList,
  exclude: ReadonlyMap<string, string>,
  options: ExportOptions,
): Round {
  const documents: ExportedDocument[] = [];
  const skipped: ExportSkip[] = [];
  const groupNames = new Map<string, string>();
  const environmentNames = new Map<string, string>();
  const catalogue = buildConnectorCatalogue(
    live.connectors,
    live.unblockableConnectorIds,
    live.virtualConnectors,
  );
  const skus = buildSkuIndex(live.subscribedSkus);
  const context: ExportContext = {
    live,
    catalogue,
    skus,
    canon: {
      catalogue,
      skus,
      resolveEnvRef: (ref) => `${UNRESOLVED_PREFIX}${ref}`,
      resolveGroupRef: (name) => `${UNRESOLVED_PREFIX}${name}`,
    },
    ...envRefTable(live, environmentNames),
    groupName: (id) => groupNames.get(id),
  };

  function exportKind<L>(exporter: KindExporter<L>, onExported: (id: string, name: string) => void): void {
    if (!kinds.has(exporter.kind)) return;
    // "default" is the env ref of the default environment, never an Environment document's name.
    const names = new NameAllocator(exporter.kind === "Environment" ? ["default"] : []);
    const displayNamesUsed = new Map<string, string>();
    const records = exporter.records(live).map((record) => ({
      record,
      id: exporter.id(record),
      displayName: exporter.displayName(record, context),
      createdAt: exporter.createdAt?.(record) ?? "",
    }));
    records.sort(
      (a, b) =>
        compare(a.displayName, b.displayName) || compare(a.createdAt, b.createdAt) || compare(a.id, b.id),
    );
    for (const { record, id, displayName } of records) {
      const skip = (cause: ExportSkip["cause"], reason: string): void => {
        skipped.push({ kind: exporter.kind, id, displayName, cause, reason });
      };
      if (exporter.kind === "Environment" && (record as WireEnvironment).properties.isDefault === true) {
        skip("default-environment", "the default environment is referenced as `default`");
        continue;
      }
      if (ignore.matches(id, exporter.ignoreName(record, context))) {
        skip("ignored", "Tenant.ignore matches it");
        continue;
      }
      const excluded = exclude.get(exclusionKey(exporter.kind, id));
      if (excluded !== undefined) {
        skip("not-expressible", excluded);
        continue;
      }
      const built = exporter.build(record, context);
      if ("reason" in built) {
        skip("not-expressible", built.reason);
        continue;
      }
      if (exporter.uniqueDisplayName) {
        const key = displayName.trim();
        const first = displayNamesUsed.get(key);
        if (first !== undefined) {
          skip(
            "not-expressible",
            `${first} has the same display name, and display names must be unique per kind in a repository`,
          );
          continue;
        }
      }
      const name = names.allocate(exporter.baseName?.(record, context) ?? displayName, exporter.fallbackName);
      if (exporter.uniqueDisplayName) displayNamesUsed.set(displayName.trim(), `${exporter.kind}/${name}`);
      const document = {
        apiVersion: API_VERSION,
        kind: exporter.kind,
        metadata:
          isGuid(id) && exporter.kind !== "LicenseAllocation" && exporter.kind !== "LicenseAssignment"
            ? { name, id }
            : { name },
        spec: built.spec,
      } as PolicyDocument;
      documents.push({
        path: `${exporter.folder}/${name}.yaml`,
        document,
        comments: built.comments,
        liveId: id,
      });
      onExported(id, name);
    }
  }

  exportKind(environmentGroups, (id, name) => groupNames.set(id, name));
  exportKind(environments, (id, name) => environmentNames.set(id, name));
  exportKind(dlpPolicies, () => undefined);
  exportBillingPolicies(exportKind);
  exportKind(licenseAllocations, () => undefined);
  exportKind(licenseAssignments, () => undefined);
  if (kinds.has("Tenant")) documents.unshift(tenantDocument(live, options));
  return { documents, skipped };
}

/** Billing policies, refusing an environment linked by two of them (PPG314). */
function exportBillingPolicies(
  exportKind: (
    exporter: KindExporter<LiveBillingPolicy>,
    onExported: (id: string, name: string) => void,
  ) => void,
): void {
  const linkedBy = new Map<string, string>();
  const exporter: KindExporter<LiveBillingPolicy> = {
    ...billingPolicies,
    build: (record, context) => {
      const built = billingPolicySpec(record, context);
      if ("reason" in built) return built;
      for (const ref of built.spec.environments ?? []) {
        const other = linkedBy.get(ref);
        if (other !== undefined)
          return { reason: `environment ${ref} is also linked to billing policy "${other}"` };
      }
      for (const ref of built.spec.environments ?? []) linkedBy.set(ref, built.spec.displayName);
      return built;
    },
  };
  exportKind(exporter, () => undefined);
}

function tenantDocument(live: LiveTenant, options: ExportOptions): ExportedDocument {
  const spec: TenantSpec = {};
  if (live.tenantId !== undefined && isGuid(live.tenantId)) spec.tenantId = live.tenantId;
  if (options.cloud !== undefined && options.cloud !== "public") spec.cloud = options.cloud;
  spec.prune = Object.fromEntries(PRUNABLE_KINDS.map((kind) => [kind, false]));
  const comments: ExportComment[] = [
    {
      pointer: "/spec/prune",
      text: "Set a kind to true to delete its live objects that no document declares.",
      position: "before",
    },
  ];
  const ignore = [...new Set(options.ignore ?? [])];
  if (ignore.length > 0) {
    spec.ignore = ignore;
    comments.push({
      pointer: "/spec/ignore",
      text: "Live objects ppgov never touches: display-name globs or id:<guid>.",
      position: "before",
    });
  }
  return {
    path: "tenant.yaml",
    document: { apiVersion: API_VERSION, kind: "Tenant", metadata: { name: "tenant" }, spec },
    comments,
    liveId: "",
  };
}

function loadedDocument(exported: ExportedDocument): LoadedDocument {
  const source = { file: exported.path, line: 1, column: 1 };
  return { document: exported.document, source, index: 0, locate: () => source };
}

/** Problems the planner finds when it plans the documents against the very tenant they came from. */
interface Verification {
  /** "Kind/liveId" → why the document does not plan clean. */
  offenders: Map<string, string>;
  /** Problems no document can be blamed for (an already over-allocated pool). */
  warnings: string[];
}

/**
 * Plans the exported documents against the live tenant they were made from. Any change or error
 * means a document does not say exactly what is live; the caller leaves it out and exports again.
 */
function verify(documents: readonly ExportedDocument[], live: LiveTenant): Verification {
  const byAddress = new Map<string, ExportedDocument>();
  for (const exported of documents)
    byAddress.set(`${exported.document.kind}/${exported.document.metadata.name}`, exported);
  const desired = buildDesiredState(documents.map(loadedDocument));
  const { changes, diagnostics } = buildPlan(desired, live, { createdAt: "1970-01-01T00:00:00.000Z" });
  const offenders = new Map<string, string>();
  const blame = (address: string | undefined, reason: string): boolean => {
    const exported = address === undefined ? undefined : byAddress.get(address);
    if (exported === undefined) return false;
    const key = exclusionKey(exported.document.kind, exported.liveId);
    if (!offenders.has(key)) offenders.set(key, reason);
    return true;
  };
  for (const change of changes) {
    if (change.action === "no-op") continue;
    const paths = change.changedPaths.map((entry) => entry.path).join(", ");
    blame(change.address, `the plan of its document would ${change.action} it${paths ? ` (${paths})` : ""}`);
  }
  const warnings: string[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.severity !== "error") continue;
    // The pool is over-allocated already: leaving documents out would not make that go away.
    if (diagnostic.code === "PPG403" || !blame(diagnostic.resource, diagnostic.message))
      warnings.push(`plan will report ${diagnostic.code}: ${diagnostic.message}`);
  }
  return { offenders, warnings };
}

const MAX_ROUNDS = 4;

/**
 * The live tenant as policy documents that plan clean against it: `plan` right after `export` shows
 * no changes. Objects that cannot be written that way are skipped with the reason.
 */
export function exportTenant(live: LiveTenant, options: ExportOptions = {}): TenantExport {
  const kinds = new Set<KindName>(options.kinds ?? KINDS);
  const ignore = buildIgnoreList(options.ignore ?? []);
  const exclude = new Map<string, string>(options.exclude ?? []);
  let round = exportRound(live, kinds, ignore, exclude, options);
  let warnings: string[] = [];
  for (let attempt = 1; attempt <= MAX_ROUNDS; attempt += 1) {
    const verification = verify(round.documents, live);
    warnings = verification.warnings;
    if (verification.offenders.size === 0) break;
    if (attempt === MAX_ROUNDS) {
      for (const reason of verification.offenders.values())
        warnings.push(`plan will not be clean: ${reason}`);
      break;
    }
    for (const [key, reason] of verification.offenders) exclude.set(key, reason);
    round = exportRound(live, kinds, ignore, exclude, options);
  }
  return { documents: round.documents, skipped: round.skipped, warnings };
}
