import { buildConnectorCatalogue } from "../kinds/connector-catalogue.js";
import { buildSkuIndex } from "../kinds/sku-index.js";
import { buildIgnoreList, type IgnoreList } from "../plan/ignore.js";
import type { LiveBillingPolicy, LiveTenant } from "../plan/live-tenant.js";
import { UNRESOLVED_PREFIX } from "../plan/resolve.js";
import { API_VERSION, KINDS, type KindName, type PolicyDocument } from "../policy/types.js";
import type { WireEnvironment } from "../wire/types.js";
import { envRefTable, type ExportContext } from "./context.js";
import {
  billingPolicies,
  dlpPolicies,
  environmentGroups,
  environments,
  licenseAllocations,
  licenseAssignments,
  tenantIsolation,
  tenantSettings,
  type KindExporter,
} from "./exporters.js";
import { isGuid } from "./format.js";
import { billingPolicySpec } from "./licensing-docs.js";
import { NameAllocator } from "./names.js";
import { tenantDocument } from "./tenant-doc.js";
import {
  exclusionKey,
  type ExportedDocument,
  type ExportOptions,
  type ExportSkip,
  type TenantExport,
} from "./types.js";
import { verify } from "./verify.js";

/** Kinds whose documents pin the live id; the others are known by a natural key or are one per tenant. */
const PINNED_BY_ID = new Set<KindName>(["EnvironmentGroup", "Environment", "DlpPolicy", "BillingPolicy"]);

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
        metadata: isGuid(id) && PINNED_BY_ID.has(exporter.kind) ? { name, id } : { name },
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
  exportKind(tenantSettings, () => undefined);
  exportKind(tenantIsolation, () => undefined);
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
