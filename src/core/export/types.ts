import type { KindName, PolicyDocument, TenantSpec } from "../policy/types.js";

/** A YAML comment attached to the node at a JSON pointer of the document. */
export interface ExportComment {
  pointer: string;
  text: string;
  /** `trailing`: after the value on its line; `before`: on the lines above the key. */
  position: "trailing" | "before";
}

/** One exported document and the file it goes to. */
export interface ExportedDocument {
  /** Path relative to the export directory, forward slashes: "environments/contoso-production.yaml". */
  path: string;
  document: PolicyDocument;
  comments: ExportComment[];
  /** Live id of the object the document declares ("" for the Tenant document). */
  liveId: string;
}

export type SkipCause =
  /** The tenant's default environment: referenced as `default`, never declared. */
  | "default-environment"
  /** Matched by Tenant.ignore. */
  | "ignored"
  /** The live object cannot be written as a document that plans clean (the reason says why). */
  | "not-expressible";

/** A live object the export did not write as a document. */
export interface ExportSkip {
  kind: KindName;
  id: string;
  displayName: string;
  cause: SkipCause;
  reason: string;
}

/** Live objects the caller wants left out, with why: "Kind/liveId" → reason. */
export type ExportExclusions = ReadonlyMap<string, string>;

export interface ExportOptions {
  /** Kinds to export; default every kind. References to kinds not exported use `id:<guid>`. */
  kinds?: readonly KindName[];
  /** Tenant.ignore entries (from an existing repository): matching objects are skipped and stay ignored. */
  ignore?: readonly string[];
  cloud?: TenantSpec["cloud"];
  /**
   * Where `policy.schema.json` is, for the `yaml-language-server` header: a path relative to the
   * export directory (forward slashes) or a URL; no header when absent.
   */
  schemaPath?: string;
  /** Objects to leave out ("Kind/liveId" → reason), e.g. documents a validation pass refused. */
  exclude?: ExportExclusions;
}

export interface TenantExport {
  /** In file order: Tenant, groups, environments, DLP policies, licensing. */
  documents: ExportedDocument[];
  skipped: ExportSkip[];
  /** Things the user should know that do not stop the export (e.g. an over-allocated pool). */
  warnings: string[];
}

/** The exclusion key of a live object. */
export function exclusionKey(kind: KindName, liveId: string): string {
  return `${kind}/${liveId}`;
}
