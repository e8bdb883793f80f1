import { styleText } from "node:util";
import {
  capDiagnostics,
  DEFAULT_DIAGNOSTIC_CAP,
  sortDiagnostics,
  type CappedDiagnostics,
  type Diagnostic,
  type DiagnosticCap,
} from "../core/diagnostics.js";
import type { DiagnosticCodeInfo } from "../core/policy/codes.js";
import { visibleText } from "../core/visible-text.js";
import type { DiagnosticSummary } from "./diagnostic-summary.js";
import { renderSarif } from "./diagnostics-sarif.js";

export const DIAGNOSTIC_FORMATS = ["text", "json", "github", "sarif"] as const;
export type DiagnosticFormat = (typeof DIAGNOSTIC_FORMATS)[number];

export type { DiagnosticSummary } from "./diagnostic-summary.js";

export interface RenderOptions {
  /** Colour severities in text output (the CLI decides from the terminal and NO_COLOR). */
  color?: boolean;
  /**
   * Codes beyond the loader's own (e.g. the planner's PPG4xx), so SARIF describes them as rules too.
   */
  codes?: Readonly<Record<string, DiagnosticCodeInfo>>;
  /** How many diagnostics to show (default: 50 per file, 200 in all); the counts are always complete. */
  cap?: DiagnosticCap;
}

/** Version of the JSON output's shape (docs/diagnostics.md); bumped only on incompatible changes. */
export const DIAGNOSTICS_JSON_VERSION = 1;

/** Renders diagnostics in one of the output formats. Pure: returns the text, ending in a newline. */
export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  format: DiagnosticFormat,
  summary: DiagnosticSummary,
  options: RenderOptions = {},
): string {
  const sorted = sortDiagnostics(diagnostics);
  const capped = capDiagnostics(sorted, options.cap ?? DEFAULT_DIAGNOSTIC_CAP);
  switch (format) {
    case "text":
      return renderText(sorted, capped, summary, options.color === true);
    case "json":
      return `${JSON.stringify(renderJson(sorted, capped, summary), null, 2)}\n`;
    case "github":
      return renderGithub(sorted, capped, summary);
    case "sarif":
      return `${JSON.stringify(renderSarif(capped.shown, summary, options.codes), null, 2)}\n`;
  }
}

/** "… and 59,950 more in policies/dlp/x.yaml" after a file's shown diagnostics. */
function moreInFile(file: string, count: number): string {
  return `${visibleText(file)}: … and ${count.toLocaleString("en-US")} more in this file`;
}

/** The last line when the total cap hid files' diagnostics entirely. */
function moreElsewhere(capped: CappedDiagnostics): string | undefined {
  const shownFiles = new Set(capped.shown.map((d) => d.file));
  let count = 0;
  let files = 0;
  for (const [file, omitted] of capped.omittedByFile)
    if (!shownFiles.has(file)) {
      count += omitted;
      files += 1;
    }
  if (count === 0) return undefined;
  return `… and ${count.toLocaleString("en-US")} more in ${plural(files, "other file")} (output shows at most ${capped.shown.length.toLocaleString("en-US")})`;
}

/** The shown diagnostics as lines, with a "… and N more" note after each file that has more. */
function cappedLines(capped: CappedDiagnostics, line: (diagnostic: Diagnostic) => string): string[] {
  const lines: string[] = [];
  capped.shown.forEach((diagnostic, index) => {
    lines.push(line(diagnostic));
    const next = capped.shown[index + 1];
    const omitted = capped.omittedByFile.get(diagnostic.file);
    if (next?.file !== diagnostic.file && omitted !== undefined)
      lines.push(moreInFile(diagnostic.file, omitted));
  });
  const elsewhere = moreElsewhere(capped);
  if (elsewhere !== undefined) lines.push(elsewhere);
  return lines;
}

function counts(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return { errors, warnings: diagnostics.length - errors };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** "2 errors, 1 warning in 3 files (12 documents)" or "policies: 14 documents in 6 files are valid". */
export function summaryLine(diagnostics: readonly Diagnostic[], summary: DiagnosticSummary): string {
  const { errors, warnings } = counts(diagnostics);
  const scope = `${plural(summary.fileCount, "file")} (${plural(summary.documentCount, "document")})`;
  if (errors > 0) return `${plural(errors, "error")}, ${plural(warnings, "warning")} in ${scope}`;
  const verb = summary.documentCount === 1 ? "is" : "are";
  const valid = `${summary.directory}: ${plural(summary.documentCount, "document")} in ${plural(summary.fileCount, "file")} ${verb} valid`;
  return warnings > 0 ? `${valid} (${plural(warnings, "warning")})` : valid;
}

/** `file:line:col`, dropping what is unknown (line 0: the whole file). */
export function formatPlace(diagnostic: Diagnostic): string {
  if (diagnostic.line <= 0) return diagnostic.file;
  if (diagnostic.column <= 0) return `${diagnostic.file}:${diagnostic.line}`;
  return `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}`;
}

function renderText(
  diagnostics: readonly Diagnostic[],
  capped: CappedDiagnostics,
  summary: DiagnosticSummary,
  color: boolean,
): string {
  const paint = (style: "red" | "yellow" | "bold", text: string): string =>
    // The caller decided (terminal, NO_COLOR, FORCE_COLOR); styleText must not second-guess it from
    // process.stdout, which is not where this text necessarily goes.
    color ? styleText(style, text, { validateStream: false }) : text;
  const lines = cappedLines(capped, (diagnostic) => {
    const severity = paint(diagnostic.severity === "error" ? "red" : "yellow", diagnostic.severity);
    // Values quoted from a hostile file (or its name) must not drive the terminal.
    return `${visibleText(formatPlace(diagnostic))}: ${severity} ${diagnostic.code} ${visibleText(diagnostic.message, { keepLineFeeds: true })}`;
  });
  if (lines.length > 0) lines.push("");
  lines.push(paint("bold", summaryLine(diagnostics, summary)));
  return `${lines.join("\n")}\n`;
}

export interface DiagnosticsJson {
  version: number;
  valid: boolean;
  summary: {
    directory: string;
    files: number;
    documents: number;
    errors: number;
    warnings: number;
    /** Diagnostics counted in errors and warnings but not listed (output cap); absent when none. */
    omitted?: number;
  };
  diagnostics: {
    severity: Diagnostic["severity"];
    code: string;
    message: string;
    file: string;
    line: number;
    column: number;
    pointer?: string;
    resource?: string;
  }[];
}

function renderJson(
  diagnostics: readonly Diagnostic[],
  capped: CappedDiagnostics,
  summary: DiagnosticSummary,
): DiagnosticsJson {
  const { errors, warnings } = counts(diagnostics);
  return {
    version: DIAGNOSTICS_JSON_VERSION,
    valid: errors === 0,
    summary: {
      directory: summary.directory,
      files: summary.fileCount,
      documents: summary.documentCount,
      errors,
      warnings,
      ...(capped.omitted > 0 ? { omitted: capped.omitted } : {}),
    },
    // A fixed key order keeps the output diff-friendly.
    diagnostics: capped.shown.map(diagnosticJson),
  };
}

/** One diagnostic as validate's JSON (and the JSON error envelope) shows it. */
export function diagnosticJson(d: Diagnostic): DiagnosticsJson["diagnostics"][number] {
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    file: d.file,
    line: d.line,
    column: d.column,
    ...(d.pointer === undefined ? {} : { pointer: d.pointer }),
    ...(d.resource === undefined ? {} : { resource: d.resource }),
  };
}

/** Workflow-command escaping: the message part. */
export function escapeGithubData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Workflow-command escaping: a property value, where ':' and ',' are separators too. */
export function escapeGithubProperty(text: string): string {
  return escapeGithubData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function renderGithub(
  diagnostics: readonly Diagnostic[],
  capped: CappedDiagnostics,
  summary: DiagnosticSummary,
): string {
  const lines = cappedLines(capped, (diagnostic) => {
    const properties = [`file=${escapeGithubProperty(diagnostic.file)}`];
    if (diagnostic.line > 0) properties.push(`line=${diagnostic.line}`);
    if (diagnostic.line > 0 && diagnostic.column > 0) properties.push(`col=${diagnostic.column}`);
    properties.push(`title=${escapeGithubProperty(diagnostic.code)}`);
    return `::${diagnostic.severity} ${properties.join(",")}::${escapeGithubData(diagnostic.message)}`;
  });
  lines.push(summaryLine(diagnostics, summary));
  return `${lines.join("\n")}\n`;
}
