/** `ppgov export`, pure: the live tenant → policy documents → the text of their files. */
import { KINDS, type KindName } from "../policy/types.js";
import { exportCollections, KIND_ORDER, KIND_REGISTRY } from "../kinds/registry.js";
import type { LiveRequirements } from "../plan/desired-state.js";
import type { LiveCollection } from "../plan/live-tenant.js";
import { renderExportedDocument } from "./render-yaml.js";
import type { ExportedDocument } from "./types.js";

export { exportTenant } from "./build.js";
export { slugify, NameAllocator } from "./names.js";
export { renderExportedDocument, schemaReference } from "./render-yaml.js";
export type {
  ExportComment,
  ExportedDocument,
  ExportExclusions,
  ExportOptions,
  ExportSkip,
  SkipCause,
  TenantExport,
} from "./types.js";
export { exclusionKey } from "./types.js";

/** A file of the export: its path relative to the export directory and its text. */
export interface ExportFile {
  path: string;
  text: string;
}

export function renderExportFiles(documents: readonly ExportedDocument[], schemaPath?: string): ExportFile[] {
  return documents.map((exported) => ({
    path: exported.path,
    text: renderExportedDocument(exported, schemaPath),
  }));
}

/** What the reader fetches to export `kinds`: environments always (references), the rest per kind. */
export function exportRequirements(kinds: readonly KindName[] = KINDS): LiveRequirements {
  const wanted = new Set(kinds);
  const collections = new Set<LiveCollection>(["environments"]);
  for (const kindName of KIND_ORDER)
    if (wanted.has(kindName))
      for (const collection of exportCollections(KIND_REGISTRY[kindName])) collections.add(collection);
  return {
    collections: [...collections],
    licenseGroupIds: [],
    allLicensedGroups: wanted.has("LicenseAssignment"),
  };
}
