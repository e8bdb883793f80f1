import { buildConnectorCatalogue } from "../kinds/connector-catalogue.js";
import { KIND_ORDER, KIND_REGISTRY, type AnyKind } from "../kinds/registry.js";
import { buildSkuIndex } from "../kinds/sku-index.js";
import { buildIgnoreList, type IgnoreList } from "../plan/ignore.js";
import type { LiveTenant } from "../plan/live-tenant.js";
import { UNRESOLVED_PREFIX } from "../plan/resolve.js";
import { API_VERSION, KINDS, type KindName, type PolicyDocument } from "../policy/types.js";
import { envRefTable, type ExportContext } from "./context.js";
import { isGuid } from "./format.js";
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
  // Live id → metadata.name of the exported document, for the references of later kinds.
  const exportedNames = {
    groupNames: new Map<string, string>(),
    environmentNames: new Map<string, string>(),
  };
  const { groupNames, environmentNames } = exportedNames;
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
      resolveTenantDomain: (domain) => `${UNRESOLVED_PREFIX}${domain.toLowerCase()}`,
    },
    ...envRefTable(live, environmentNames),
    groupName: (id) => groupNames.get(id),
  };

  function exportKind(kind: AnyKind): void {
    if (!kinds.has(kind.kind)) return;
    const exporter = kind.exporter;
    const names = new NameAllocator(exporter.reservedNames ?? []);
    const displayNamesUsed = new Map<string, string>();
    const conflicts = exporter.conflicts?.();
    const records = kind.listLive(live).map((record) => ({
      record,
      id: kind.liveId(record),
      displayName: exporter.displayName?.(record, context) ?? kind.liveDisplayName(record),
      createdAt: kind.liveCreatedAt?.(record) ?? "",
    }));
    records.sort(
      (a, b) =>
        compare(a.displayName, b.displayName) || compare(a.createdAt, b.createdAt) || compare(a.id, b.id),
    );
    for (const { record, id, displayName } of records) {
      const skip = (cause: ExportSkip["cause"], reason: string): void => {
        skipped.push({ kind: kind.kind, id, displayName, cause, reason });
      };
      const refused = exporter.skip?.(record);
      if (refused !== undefined) {
        skip(refused.cause, refused.reason);
        continue;
      }
      const ignoreName =
        exporter.ignoreName === undefined ? displayName : exporter.ignoreName(record, context);
      if (ignore.matches(id, ignoreName)) {
        skip("ignored", "Tenant.ignore matches it");
        continue;
      }
      const excluded = exclude.get(exclusionKey(kind.kind, id));
      if (excluded !== undefined) {
        skip("not-expressible", excluded);
        continue;
      }
      const built = exporter.build(record, context);
      if ("reason" in built) {
        skip("not-expressible", built.reason);
        continue;
      }
      const conflict = conflicts?.check(built.spec);
      if (conflict !== undefined) {
        skip("not-expressible", conflict);
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
      if (exporter.uniqueDisplayName) displayNamesUsed.set(displayName.trim(), `${kind.kind}/${name}`);
      const document = {
        apiVersion: API_VERSION,
        kind: kind.kind,
        metadata: isGuid(id) && exporter.pinsId ? { name, id } : { name },
        spec: built.spec,
      } as PolicyDocument;
      documents.push({
        path: `${exporter.folder}/${name}.yaml`,
        document,
        comments: built.comments,
        liveId: id,
      });
      if (kind.referencedAs !== undefined) exportedNames[kind.referencedAs].set(id, name);
    }
  }

  for (const kindName of KIND_ORDER) exportKind(KIND_REGISTRY[kindName]);
  if (kinds.has("Tenant")) documents.unshift(tenantDocument(live, options));
  return { documents, skipped };
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
