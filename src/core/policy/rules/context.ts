import type { Diagnostic } from "../../diagnostics.js";
import { DIAGNOSTIC_CODES, type DiagnosticCode } from "../codes.js";
import type { KindName, LoadedDocument, PolicyDocument } from "../types.js";

/** What every semantic rule sees: the schema-valid documents, and a way to report. */
export interface RuleContext {
  documents: readonly LoadedDocument[];
  /**
   * "Kind/name" of documents that failed an earlier check. References to them are not reported as
   * unknown: the user already has a diagnostic for that document.
   */
  unvalidated: ReadonlySet<string>;
  report(document: LoadedDocument, code: DiagnosticCode, pointer: string, message: string): void;
}

/** A semantic rule: one check, one code, reporting through the context (changesets style). */
export type Rule = (context: RuleContext) => void;

export function createRuleContext(
  documents: readonly LoadedDocument[],
  unvalidated: ReadonlySet<string>,
): { context: RuleContext; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const context: RuleContext = {
    documents,
    unvalidated,
    report(document, code, pointer, message) {
      const location = document.locate(pointer);
      diagnostics.push({
        severity: DIAGNOSTIC_CODES[code].severity,
        code,
        message,
        file: location.file,
        line: location.line,
        column: location.column,
        pointer,
        resource: resourceOf(document),
      });
    },
  };
  return { context, diagnostics };
}

export function resourceOf(document: LoadedDocument): string {
  return `${document.document.kind}/${document.document.metadata.name}`;
}

/** "file:line" of a document, for messages that point at a second place. */
export function placeOf(document: LoadedDocument, pointer = ""): string {
  const location = document.locate(pointer);
  return `${location.file}:${location.line}`;
}

export function ofKind<K extends KindName>(
  documents: readonly LoadedDocument[],
  kind: K,
): (LoadedDocument & { document: Extract<PolicyDocument, { kind: K }> })[] {
  return documents.filter(
    (loaded): loaded is LoadedDocument & { document: Extract<PolicyDocument, { kind: K }> } =>
      loaded.document.kind === kind,
  );
}

export function isAbsent(document: PolicyDocument): boolean {
  return "ensure" in document.spec && document.spec.ensure === "absent";
}
