/**
 * The export use case: read the live tenant, turn it into policy documents, check the rendered files
 * with the same pipeline `validate` runs, and hand back the files. Writing them is the caller's job.
 */
import type { Diagnostic } from "../core/diagnostics.js";
import {
  exclusionKey,
  exportRequirements,
  exportTenant,
  renderExportFiles,
  type ExportFile,
  type ExportOptions,
  type TenantExport,
} from "../core/export/index.js";
import type { LiveRequirements, LiveTenant } from "../core/plan/index.js";
import type { PolicyValidator } from "../core/policy/schema-validator.js";
import { KINDS, type KindName } from "../core/policy/types.js";
import { validatePolicyFiles } from "../core/policy/validate-policies.js";

export interface ExportDeps {
  tenant: {
    tenantId(): Promise<string>;
    readLive(requirements: LiveRequirements, tenantId: string): Promise<LiveTenant>;
  };
  validator: PolicyValidator;
  /** Milliseconds, for the timings of the summary. */
  clock(): number;
}

export type ExportRequest = Omit<ExportOptions, "exclude">;

export interface ExportOutcome {
  exported: TenantExport;
  files: ExportFile[];
  /** Validation findings left after every retry (errors here mean a bug; warnings are kept for the user). */
  diagnostics: Diagnostic[];
  timings: { readMs: number; exportMs: number };
}

/** Rounds of "leave out what the validator refuses, export again" before giving up. */
const MAX_VALIDATION_ROUNDS = 3;

export async function exportLiveTenant(request: ExportRequest, deps: ExportDeps): Promise<ExportOutcome> {
  const kinds: readonly KindName[] = request.kinds ?? KINDS;
  const started = deps.clock();
  const tenantId = await deps.tenant.tenantId();
  const live = await deps.tenant.readLive(exportRequirements(kinds), tenantId);
  live.tenantId ??= tenantId;
  const read = deps.clock();
  const exclude = new Map<string, string>();
  let exported = exportTenant(live, { ...request, kinds, exclude });
  let files = renderExportFiles(exported.documents, request.schemaPath);
  let diagnostics: Diagnostic[] = [];
  for (let round = 1; round <= MAX_VALIDATION_ROUNDS; round += 1) {
    diagnostics = validatePolicyFiles(files, deps.validator).diagnostics;
    const refused = refusedDocuments(exported, diagnostics);
    if (refused.size === 0 || round === MAX_VALIDATION_ROUNDS) break;
    for (const [key, reason] of refused) exclude.set(key, reason);
    exported = exportTenant(live, { ...request, kinds, exclude });
    files = renderExportFiles(exported.documents, request.schemaPath);
  }
  return { exported, files, diagnostics, timings: { readMs: read - started, exportMs: deps.clock() - read } };
}

/** The live objects whose documents the validator refused ("Kind/liveId" → the finding). */
function refusedDocuments(exported: TenantExport, diagnostics: readonly Diagnostic[]): Map<string, string> {
  const byPath = new Map(exported.documents.map((document) => [document.path, document]));
  const refused = new Map<string, string>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.severity !== "error") continue;
    const document = byPath.get(diagnostic.file);
    // The Tenant document has no live object to leave out; its findings stay and fail the export.
    if (document === undefined || document.liveId === "") continue;
    const key = exclusionKey(document.document.kind, document.liveId);
    if (!refused.has(key))
      refused.set(key, `the validator refuses it: ${diagnostic.code} ${diagnostic.message}`);
  }
  return refused;
}
