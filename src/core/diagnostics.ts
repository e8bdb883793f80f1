/**
 * A problem found in the user's input, with where it is. Validation returns these as values; only the
 * CLI edge turns them into output and exit codes.
 */
export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  /** Stable code, e.g. "PPG101". Documented in docs/diagnostics.md; never reused for another meaning. */
  code: string;
  /** A sentence a person understands, naming the field: "spec.type must be one of …". */
  message: string;
  /** File path as shown to the user (relative to the working directory), forward slashes. */
  file: string;
  /** 1-based; 0 when the problem concerns the whole file. */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  /** JSON pointer into the document, "" for the whole document. */
  pointer?: string;
  /** Kind/name of the document, when known ("DlpPolicy/corp-baseline"). */
  resource?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Orders diagnostics by file, line, column, code: output is stable across runs. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code),
  );
}
