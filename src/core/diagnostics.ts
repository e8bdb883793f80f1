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

/** How many diagnostics output shows: the first `perFile` of each file, at most `total` in all. */
export interface DiagnosticCap {
  perFile: number;
  total: number;
}

export const DEFAULT_DIAGNOSTIC_CAP: DiagnosticCap = { perFile: 50, total: 200 };

export interface CappedDiagnostics {
  /** The diagnostics shown, in the order given. */
  shown: Diagnostic[];
  /** Per file, how many of its diagnostics are not shown (only files with some left out). */
  omittedByFile: Map<string, number>;
  /** How many are not shown in all. */
  omitted: number;
}

/**
 * Caps what is shown, so that one file with 60,000 unknown keys prints a screenful, not 60,000 lines.
 * One pass over `diagnostics` (already sorted by file): the count of what was left out is exact.
 */
export function capDiagnostics(
  diagnostics: readonly Diagnostic[],
  cap: DiagnosticCap = DEFAULT_DIAGNOSTIC_CAP,
): CappedDiagnostics {
  const shown: Diagnostic[] = [];
  const perFile = new Map<string, number>();
  const omittedByFile = new Map<string, number>();
  for (const diagnostic of diagnostics) {
    const seen = perFile.get(diagnostic.file) ?? 0;
    perFile.set(diagnostic.file, seen + 1);
    if (seen < cap.perFile && shown.length < cap.total) shown.push(diagnostic);
    else omittedByFile.set(diagnostic.file, (omittedByFile.get(diagnostic.file) ?? 0) + 1);
  }
  return { shown, omittedByFile, omitted: diagnostics.length - shown.length };
}
