import { buildDesiredState } from "../plan/desired-state.js";
import type { LiveTenant } from "../plan/live-tenant.js";
import { buildPlan } from "../plan/plan.js";
import type { LoadedDocument } from "../policy/types.js";
import { exclusionKey, type ExportedDocument } from "./types.js";

function loadedDocument(exported: ExportedDocument): LoadedDocument {
  const source = { file: exported.path, line: 1, column: 1 };
  return { document: exported.document, source, index: 0, locate: () => source };
}

/** Problems the planner finds when it plans the documents against the very tenant they came from. */
export interface Verification {
  /** "Kind/liveId" → why the document does not plan clean. */
  offenders: Map<string, string>;
  /** Problems no document can be blamed for (an already over-allocated pool). */
  warnings: string[];
}

/**
 * Plans the exported documents against the live tenant they were made from. Any change or error
 * means a document does not say exactly what is live; the caller leaves it out and exports again.
 */
export function verify(documents: readonly ExportedDocument[], live: LiveTenant): Verification {
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
