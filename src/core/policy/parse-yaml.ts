import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
  type YAMLError,
} from "yaml";
import type { Diagnostic } from "../diagnostics.js";
import type { SourceLocation } from "./types.js";
import { DIAGNOSTIC_CODES, type DiagnosticCode } from "./codes.js";
import { readValuesFast } from "./fast-yaml.js";
import { locatePointer, type KeyIndex, type LocateTarget } from "./locate.js";

/** A policy file as read from disk: the path shown to the user and its text. */
export interface PolicyFile {
  path: string;
  text: string;
}

export interface ParseOptions {
  /** Aliases a document may expand before it is refused as an alias bomb. */
  maxAliasCount?: number;
  /** Read unremarkable files with the fast reader (default true); false forces the full parser. */
  fastPath?: boolean;
}

export const DEFAULT_MAX_ALIAS_COUNT = 100;

/** One YAML document of a file, as plain data, with a way back to line and column. */
export interface ParsedDocument {
  file: string;
  /** Index of the document within its file (0-based, counting empty documents). */
  index: number;
  value: unknown;
  /** False when YAML errors (duplicate key, unknown tag…) make the value untrustworthy. */
  clean: boolean;
  source: SourceLocation;
  locate(pointer: string, target?: LocateTarget): SourceLocation;
}

export interface ParsedFile {
  file: string;
  /** Documents whose top level is a mapping. */
  documents: ParsedDocument[];
  diagnostics: Diagnostic[];
  /** Non-empty documents in the file. */
  documentCount: number;
  /** Drops the syntax tree; `locate` parses the text again if it is needed later. */
  release(): void;
}

type YamlDocument = Document.Parsed;

/**
 * Positions inside one file. The first pass hands in its syntax trees; `release` drops them so that a
 * repository of thousands of documents does not keep every tree alive, and a later `locate` (rare:
 * only when a rule reports a problem) parses the text again.
 */
class FileLocator {
  private index: KeyIndex = new WeakMap();

  constructor(
    private readonly file: string,
    private readonly text: string,
    private parsed: { documents: YamlDocument[]; lineCounter: LineCounter } | undefined,
  ) {}

  locate(index: number, pointer: string, target: LocateTarget = "value"): SourceLocation {
    this.parsed ??= parseText(this.text);
    const document = this.parsed.documents[index];
    if (document === undefined) return { file: this.file, line: 1, column: 1 };
    const position = locatePointer(document, this.parsed.lineCounter, pointer, target, this.index);
    return { file: this.file, ...position };
  }

  release(): void {
    this.parsed = undefined;
    this.index = new WeakMap();
  }
}

function parseText(text: string): { documents: YamlDocument[]; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  // YAML reads a lone CR (old Mac line endings) as a line break but LineCounter counts only LF, so every
  // position in such a file would be line 1. Same length, so offsets are unchanged.
  const documents = parseAllDocuments(text.replace(/\r(?!\n)/g, "\n"), {
    lineCounter,
    // yaml's own duplicate-key check compares every key with every other (minutes for a 1 MiB map);
    // duplicateKeys() below does the same job with a set.
    uniqueKeys: false,
    prettyErrors: false,
    schema: "core",
    merge: false,
    strict: true,
    // yaml would otherwise print process warnings (e.g. about collection keys) to stderr.
    logLevel: "error",
  });
  // parseAllDocuments returns an EmptyStream (an empty array with extras) for text without documents.
  return { documents: Array.isArray(documents) ? [...documents] : [], lineCounter };
}

/** Parses one policy file. Never throws: anything unexpected becomes a PPG112 diagnostic. */
export function parsePolicyFile(file: PolicyFile, options: ParseOptions = {}): ParsedFile {
  try {
    return parseUnsafe(file, options);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      file: file.path,
      documents: [],
      diagnostics: [fileDiagnostic(file.path, "PPG112", `could not be loaded: ${reason}`)],
      documentCount: 0,
      release: () => undefined,
    };
  }
}

function parseUnsafe(file: PolicyFile, options: ParseOptions): ParsedFile {
  if (options.fastPath !== false) {
    const values = readValuesFast(file.text);
    if (values !== undefined) return fastParsedFile(file, values);
  }
  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  const { documents: yamlDocuments, lineCounter } = parseText(file.text);
  const locator = new FileLocator(file.path, file.text, { documents: yamlDocuments, lineCounter });
  const diagnostics: Diagnostic[] = [];
  const documents: ParsedDocument[] = [];
  let documentCount = 0;

  const at = (offset: number): { line: number; column: number } => {
    const position = lineCounter.linePos(offset);
    return { line: position.line, column: position.col };
  };
  const report: Report = (code, message, offset) =>
    diagnostics.push({
      severity: DIAGNOSTIC_CODES[code].severity,
      code,
      message,
      file: file.path,
      ...at(offset),
    });

  yamlDocuments.forEach((yamlDocument, index) => {
    const isLast = index === yamlDocuments.length - 1;
    const clean = reportYamlProblems(yamlDocument, file.text, (offset) => at(offset).line, report);

    const contents = yamlDocument.contents;
    const start = contents?.range?.[0] ?? yamlDocument.range[0];
    if (contents === null || (isScalar(contents) && contents.value === null && !contents.source)) {
      // A trailing "---" with nothing after it is a common style; only other empty documents are noise.
      const trailing = isLast && index > 0;
      if (!trailing && yamlDocuments.length > 1) {
        report("PPG108", `document ${index + 1} is empty`, yamlDocument.range[0]);
      }
      return;
    }
    documentCount += 1;
    if (!isMap(contents) && !isAlias(contents)) {
      const what = isSeq(contents) ? "a list" : `a scalar (${describeScalar(contents)})`;
      report(
        "PPG109",
        `document ${index + 1} is ${what}; a policy document must be a mapping with apiVersion, kind, metadata and spec`,
        start,
      );
      return;
    }

    let value: unknown;
    try {
      value = yamlDocument.toJS({ maxAliasCount });
    } catch (error: unknown) {
      const reason = error instanceof Error ? error.message : String(error);
      if (/alias count/i.test(reason)) {
        report(
          "PPG104",
          `document ${index + 1} expands too many aliases (more than ${maxAliasCount}); refusing it as a possible alias bomb`,
          firstAliasOffset(yamlDocument) ?? start,
        );
      } else if (/alias/i.test(reason)) {
        report("PPG101", `YAML: ${firstLine(reason)}`, firstAliasOffset(yamlDocument, true) ?? start);
      } else {
        report("PPG112", `document ${index + 1} could not be converted: ${firstLine(reason)}`, start);
      }
      return;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      report("PPG109", `document ${index + 1} is not a mapping`, start);
      return;
    }
    documents.push({
      file: file.path,
      index,
      value,
      clean,
      source: { file: file.path, ...at(start) },
      locate: (pointer, target) => locator.locate(index, pointer, target),
    });
  });

  if (documentCount === 0 && !diagnostics.some((d) => d.severity === "error")) {
    // Nothing but blank lines, separators or comments: one finding for the file, not one per "---".
    const commented = /(?:^|\s)#/.test(file.text);
    return {
      file: file.path,
      documents: [],
      diagnostics: [
        commented
          ? fileDiagnostic(file.path, "PPG114", "contains only comments, no policy documents")
          : fileDiagnostic(file.path, "PPG107", "is empty: it contains no policy documents"),
      ],
      documentCount,
      release: () => locator.release(),
    };
  }
  return { file: file.path, documents, diagnostics, documentCount, release: () => locator.release() };
}

/**
 * A file the fast reader accepted: values now, positions later. Nothing has been parsed by yaml yet;
 * the first `locate` (or `source`) parses the file, which happens only when something is reported.
 */
function fastParsedFile(file: PolicyFile, values: Record<string, unknown>[]): ParsedFile {
  const locator = new FileLocator(file.path, file.text, undefined);
  const documents = values.map((value, index): ParsedDocument => ({
    file: file.path,
    index,
    value,
    clean: true,
    get source() {
      return locator.locate(index, "");
    },
    locate: (pointer, target) => locator.locate(index, pointer, target),
  }));
  return {
    file: file.path,
    documents,
    diagnostics: [],
    documentCount: values.length,
    release: () => locator.release(),
  };
}

type Report = (code: DiagnosticCode, message: string, offset: number) => void;

/** After a few syntax errors the rest are usually echoes of the first; and each one costs a tree walk. */
const MAX_SYNTAX_ERRORS = 10;

/**
 * Reports one document's YAML errors, warnings and foreign tags. Returns true when there were none
 * that make its value untrustworthy.
 */
function reportYamlProblems(
  document: YamlDocument,
  text: string,
  lineOf: (offset: number) => number,
  report: Report,
): boolean {
  let clean = true;
  // One syntax error usually sets off others at the same place: report the first per line.
  const syntaxLines = new Set<number>();
  const reportSyntaxOnce: Report = (code, message, offset) => {
    const line = lineOf(offset);
    if (code === "PPG101" && syntaxLines.has(line)) return;
    if (code === "PPG101") syntaxLines.add(line);
    report(code, message, offset);
  };
  const errors = overIndentedFirst(document.errors, text);
  for (const error of errors.slice(0, MAX_SYNTAX_ERRORS)) {
    clean = false;
    reportYamlError(error, document, text, reportSyntaxOnce);
  }
  if (errors.length > MAX_SYNTAX_ERRORS) {
    const last = errors[MAX_SYNTAX_ERRORS]!;
    report(
      "PPG101",
      `YAML: ${errors.length - MAX_SYNTAX_ERRORS} more syntax errors not shown (fix the first ones)`,
      last.pos[0],
    );
  }
  if (errors.length === 0) {
    for (const duplicate of duplicateKeys(document)) {
      clean = false;
      report(
        "PPG102",
        `duplicate key '${duplicate.key}': keys must be unique within a mapping`,
        duplicate.offset,
      );
    }
  }

  const taggedLines = new Set<number>();
  const reportTag = (tag: string, offset: number): void => {
    clean = false;
    taggedLines.add(lineOf(offset));
    report(
      "PPG103",
      `unknown YAML tag '${tag}': policy files use plain YAML only (no custom or language-specific tags)`,
      offset,
    );
  };
  for (const warning of document.warnings) {
    if (warning.code === "TAG_RESOLVE_FAILED") {
      reportTag(text.slice(warning.pos[0], warning.pos[1]).trim() || "(unknown)", warning.pos[0]);
    } else {
      report("PPG111", `YAML: ${firstLine(warning.message)}`, warning.pos[0]);
    }
  }
  // A "%YAML 1.1" directive makes tags such as !!binary or !!set resolve; plain YAML has no use for them.
  if (text.includes("!!")) {
    for (const tagged of foreignTags(document)) {
      if (!taggedLines.has(lineOf(tagged.offset))) reportTag(tagged.tag, tagged.offset);
    }
  }
  return clean;
}

function reportYamlError(error: YAMLError, document: YamlDocument, text: string, report: Report): void {
  const offset = error.pos[0];
  const overIndented = overIndentedLine(error, text);
  if (overIndented !== undefined) {
    report(
      "PPG101",
      "YAML syntax error: this line is indented deeper than the line before it (or the line before lacks a ':')",
      overIndented,
    );
    return;
  }
  if (/must be sufficiently indented and end with a|end with a [\]}]/.test(error.message)) {
    // yaml notices an unclosed [ or { where the next line starts; the reader needs the opening one.
    const opening = unclosedFlowOffset(document, offset);
    if (opening !== undefined) {
      const bracket = text[opening] === "[" ? "'[' is never closed with ']'" : "'{' is never closed with '}'";
      report("PPG101", `YAML syntax error: this ${bracket}`, opening);
      return;
    }
  }
  if (error.code === "MISSING_CHAR" && /quote/i.test(error.message)) {
    // yaml reports an unclosed quote where the file ends; the reader needs the line where it opens.
    const opening = unclosedQuoteOffset(document, offset);
    if (opening !== undefined) {
      report("PPG101", "YAML syntax error: this quoted string is never closed", opening);
      return;
    }
  }
  const reason = /call stack/i.test(error.message)
    ? "the document nests too deeply"
    : firstLine(error.message);
  report("PPG101", `YAML syntax error: ${reason}`, offset);
}

function unclosedFlowOffset(document: YamlDocument, errorOffset: number): number | undefined {
  let found: number | undefined;
  visit(document, (_, node) => {
    if (
      (isMap(node) || isSeq(node)) &&
      node.flow === true &&
      node.range !== undefined &&
      node.range !== null
    ) {
      const [start, , end] = node.range;
      // The innermost flow collection that starts before the error and is still open there.
      if (start <= errorOffset && end >= errorOffset - 1 && (found === undefined || start > found))
        found = start;
    }
    return undefined;
  });
  return found;
}

function unclosedQuoteOffset(document: YamlDocument, errorOffset: number): number | undefined {
  let found: number | undefined;
  visit(document, {
    Scalar(_, scalar) {
      const [start, end] = scalar.range ?? [];
      const quoted = scalar.type === "QUOTE_DOUBLE" || scalar.type === "QUOTE_SINGLE";
      if (quoted && start !== undefined && end !== undefined && start <= errorOffset && end >= errorOffset) {
        found = start;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * "type: Production" followed by a deeper line ("   dataverse:"): yaml reads the two lines as one
 * multi-line key and reports it on the first. The line to fix is the deeper one, where the range ends.
 * Returns the offset of that line's first character, or undefined when the error is something else.
 */
function overIndentedLine(error: YAMLError, text: string): number | undefined {
  if (error.code !== "MULTILINE_IMPLICIT_KEY") return undefined;
  const startLine = lineAround(text, error.pos[0]);
  const endLine = lineAround(text, Math.max(error.pos[0], error.pos[1] - 1));
  if (endLine.start === startLine.start) return undefined;
  const keyValue = /^\s*[^\s#-][^#]*:\s+\S/.test(startLine.text);
  const key = /^\s*[^\s#-][^:#]*:(?:\s|$)/.test(endLine.text);
  if (!keyValue || !key || endLine.indent <= startLine.indent) return undefined;
  return endLine.start + endLine.indent;
}

function lineAround(text: string, offset: number): { start: number; text: string; indent: number } {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  const end = text.indexOf("\n", start);
  const line = text.slice(start, end === -1 ? text.length : end);
  return { start, text: line, indent: /^[ ]*/.exec(line)?.[0].length ?? 0 };
}

/** The over-indentation error explains the others at its start; put it first so it is the one kept. */
function overIndentedFirst(errors: readonly YAMLError[], text: string): YAMLError[] {
  const overIndented = new Set(errors.filter((error) => overIndentedLine(error, text) !== undefined));
  const starts = new Set([...overIndented].map((error) => error.pos[0]));
  return [
    ...overIndented,
    ...errors.filter((error) => !overIndented.has(error) && !starts.has(error.pos[0])),
  ];
}

/** Keys that repeat within one mapping (as their JSON keys would), in document order. */
function duplicateKeys(document: YamlDocument): { key: string; offset: number }[] {
  const found: { key: string; offset: number }[] = [];
  visit(document, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (seen.has(key)) found.push({ key, offset: pair.key.range?.[0] ?? 0 });
        seen.add(key);
      }
      return undefined;
    },
  });
  return found;
}

function firstAliasOffset(document: YamlDocument, unresolvedOnly = false): number | undefined {
  let found: number | undefined;
  visit(document, {
    Alias(_, alias) {
      if (unresolvedOnly && alias.resolve(document) !== undefined) return undefined;
      found = alias.range?.[0];
      return visit.BREAK;
    },
  });
  return found;
}

const PLAIN_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((name) => `tag:yaml.org,2002:${name}`),
);

function foreignTags(document: YamlDocument): { tag: string; offset: number }[] {
  const found: { tag: string; offset: number }[] = [];
  visit(document, (_, node) => {
    if ((isScalar(node) || isMap(node) || isSeq(node)) && node.tag !== undefined && node.tag !== "!") {
      if (!PLAIN_TAGS.has(node.tag)) {
        found.push({ tag: node.tag.replace("tag:yaml.org,2002:", "!!"), offset: node.range?.[0] ?? 0 });
      }
    }
    return undefined;
  });
  return found;
}

function describeScalar(node: unknown): string {
  if (!isScalar(node)) return "not a mapping";
  const text = typeof node.value === "string" ? `'${node.value}'` : String(node.value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "").trim();
}

export function fileDiagnostic(file: string, code: DiagnosticCode, message: string): Diagnostic {
  return { severity: DIAGNOSTIC_CODES[code].severity, code, message, file, line: 0, column: 0 };
}
