import { resolvePlainScalar } from "./plain-scalars.js";

/**
 * A line-by-line reader for the plain block YAML that policy files nearly always are: block mappings with
 * simple keys, block sequences, single-line plain or quoted scalars, `[]` and `{}`, comments and `---`
 * between documents. It is several times faster than js-yaml on large files (the lists of a thousand
 * connector names in each DLP policy), and answers undefined for anything else, which then takes the
 * general readers. Property tests hold its answers equal to js-yaml's and to the full parser's.
 */
export function readBlockYaml(text: string): Record<string, unknown>[] | undefined {
  // Control characters, BOM, tabs, CR and the Unicode line separators are left to the general readers.
  if (UNUSUAL_CHARACTER.test(text)) return undefined;
  const lines = splitLines(text);
  if (lines === undefined) return undefined;
  const documents: Record<string, unknown>[] = [];
  try {
    for (const [from, to] of lines.documents) {
      const reader = new BlockReader(lines.indents, lines.contents, from, to);
      documents.push(reader.readDocument());
    }
  } catch {
    // NOT_BLOCK_YAML, or a stack overflow on absurd nesting: either way the general readers judge.
    return undefined;
  }
  return documents.length === 0 ? undefined : documents;
}

// eslint-disable-next-line no-control-regex -- these are exactly the characters to refuse
const UNUSUAL_CHARACTER = /[\x00-\x09\x0B-\x1F\x7F-\x9F\u2028\u2029\uFEFF]/;

/** Thrown inside the reader when the text leaves the subset; never escapes readBlockYaml. */
const NOT_BLOCK_YAML = new Error("not plain block YAML");

interface Lines {
  /** Indentation (spaces) of each line that holds content. */
  indents: number[];
  /** That line's content, without indentation and trailing spaces. */
  contents: string[];
  /** [first line, end] of each document. */
  documents: [number, number][];
}

/** Drops blank and comment lines, splits documents at `---`; undefined for other markers and directives. */
function splitLines(text: string): Lines | undefined {
  const indents: number[] = [];
  const contents: string[] = [];
  const documents: [number, number][] = [];
  let documentStart = 0;
  let sawMarker = false;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    let first = start;
    while (first < end && text.charCodeAt(first) === SPACE) first += 1;
    let last = end;
    while (last > first && text.charCodeAt(last - 1) === SPACE) last -= 1;
    if (first < last && text.charCodeAt(first) !== HASH) {
      const content = text.slice(first, last);
      const indent = first - start;
      if (indent === 0 && (content.startsWith("---") || content.startsWith("...") || content[0] === "%")) {
        if (content !== "---") return undefined;
        // Text before the first marker is a document of its own only when it holds content.
        if (contents.length > documentStart || sawMarker) documents.push([documentStart, contents.length]);
        documentStart = contents.length;
        sawMarker = true;
      } else {
        indents.push(indent);
        contents.push(content);
      }
    }
    start = end + 1;
  }
  if (contents.length > documentStart || sawMarker) documents.push([documentStart, contents.length]);
  return { indents, contents, documents };
}

const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;

/** Keys both readers take as the same string: no number, boolean, null or quoting involved. */
const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const RESERVED_KEYS = new Set([
  "true",
  "True",
  "TRUE",
  "false",
  "False",
  "FALSE",
  "null",
  "Null",
  "NULL",
  "__proto__",
]);
/** YAML caps implicit keys at 1024 characters; stay well clear of the edge. */
const MAX_KEY_LENGTH = 1000;
/** Characters a plain scalar may start with here; indicators and anything unusual are left alone. */
const PLAIN_START = /^(?:[A-Za-z0-9_./~$(+]|-[0-9.])/;

class BlockReader {
  private position: number;

  constructor(
    private readonly indents: number[],
    private readonly contents: string[],
    from: number,
    private readonly end: number,
  ) {
    this.position = from;
  }

  readDocument(): Record<string, unknown> {
    // An empty document, a top level that is not a mapping or one indented: general readers.
    if (this.position >= this.end || this.indents[this.position] !== 0) throw NOT_BLOCK_YAML;
    if (isSequenceEntry(this.contents[this.position]!)) throw NOT_BLOCK_YAML;
    const value = this.readMapping(0);
    if (this.position !== this.end) throw NOT_BLOCK_YAML;
    return value;
  }

  private readBlock(indent: number): unknown {
    return isSequenceEntry(this.contents[this.position]!)
      ? this.readSequence(indent)
      : this.readMapping(indent);
  }

  private readMapping(indent: number): Record<string, unknown> {
    const mapping: Record<string, unknown> = {};
    while (this.position < this.end) {
      const lineIndent = this.indents[this.position]!;
      if (lineIndent < indent) break;
      if (lineIndent > indent) throw NOT_BLOCK_YAML;
      const content = this.contents[this.position]!;
      if (isSequenceEntry(content)) break;
      const colon = keyEnd(content);
      if (colon === -1) throw NOT_BLOCK_YAML;
      const key = content.slice(0, colon);
      if (key.length > MAX_KEY_LENGTH || !SIMPLE_KEY.test(key) || RESERVED_KEYS.has(key))
        throw NOT_BLOCK_YAML;
      // A duplicate key is an error the full parser reports with its position.
      if (Object.hasOwn(mapping, key)) throw NOT_BLOCK_YAML;
      let valueStart = colon + 1;
      while (content.charCodeAt(valueStart) === SPACE) valueStart += 1;
      this.position += 1;
      if (valueStart >= content.length || content.charCodeAt(valueStart) === HASH) {
        mapping[key] = this.readNested(indent, true);
      } else {
        mapping[key] = readScalar(content, valueStart);
        this.refuseDeeperLine(indent);
      }
    }
    return mapping;
  }

  private readSequence(indent: number): unknown[] {
    const items: unknown[] = [];
    while (this.position < this.end && this.indents[this.position] === indent) {
      const content = this.contents[this.position]!;
      if (!isSequenceEntry(content)) break;
      let valueStart = 1;
      while (content.charCodeAt(valueStart) === SPACE) valueStart += 1;
      if (valueStart >= content.length || content.charCodeAt(valueStart) === HASH) {
        this.position += 1;
        items.push(this.readNested(indent, false));
        continue;
      }
      const first = content[valueStart];
      if (first !== '"' && first !== "'" && keyEnd(content, valueStart) !== -1) {
        // "- key: value": a mapping whose keys line up with this first one.
        // The line is read again as the mapping's first line, from the key on.
        this.indents[this.position] = indent + valueStart;
        this.contents[this.position] = content.slice(valueStart);
        items.push(this.readMapping(indent + valueStart));
      } else {
        items.push(readScalar(content, valueStart));
        this.position += 1;
      }
      this.refuseDeeperLine(indent);
    }
    return items;
  }

  /**
   * The value of a key or entry with nothing after it on its line: the more indented block below, a
   * sequence at the key's own indentation (only under a key), or null.
   */
  private readNested(indent: number, underKey: boolean): unknown {
    if (this.position >= this.end) return null;
    const next = this.indents[this.position]!;
    if (next > indent) return this.readBlock(next);
    if (underKey && next === indent && isSequenceEntry(this.contents[this.position]!))
      return this.readSequence(indent);
    return null;
  }

  /** A line more indented than the block it follows would continue a scalar: general readers. */
  private refuseDeeperLine(indent: number): void {
    if (this.position < this.end && this.indents[this.position]! > indent) throw NOT_BLOCK_YAML;
  }
}

function isSequenceEntry(content: string): boolean {
  return content.charCodeAt(0) === 0x2d && (content.length === 1 || content.charCodeAt(1) === SPACE);
}

/** Where a key ends: the first colon followed by a space or the line's end; -1 when there is none. */
function keyEnd(content: string, from = 0): number {
  let colon = content.indexOf(":", from);
  while (colon !== -1) {
    if (colon + 1 === content.length || content.charCodeAt(colon + 1) === SPACE) return colon - from;
    colon = content.indexOf(":", colon + 1);
  }
  return -1;
}

/** A scalar that runs from `start` to the line's end, with an optional comment after it. */
function readScalar(content: string, start: number): unknown {
  const first = content[start];
  if (first === '"' || first === "'") return readQuoted(content, start, first);
  const end = plainEnd(content, start);
  const text = content.slice(start, end);
  if (text === "[]") return [];
  if (text === "{}") return {};
  if (!PLAIN_START.test(text)) throw NOT_BLOCK_YAML;
  return resolvePlainScalar(text);
}

/**
 * Where a plain scalar ends: before a comment (" #") and the spaces ahead of it. Throws on flow brackets
 * (legal in block context, but left to the general readers, except a whole "[]" or "{}") and on ": " or
 * a final ":", which would make the line a key.
 */
function plainEnd(content: string, start: number): number {
  let end = content.length;
  for (let index = start; index < content.length; index += 1) {
    const code = content.charCodeAt(index);
    if (code === HASH && index > start && content.charCodeAt(index - 1) === SPACE) {
      end = index;
      break;
    }
    if (code === COLON && (index + 1 === content.length || content.charCodeAt(index + 1) === SPACE))
      throw NOT_BLOCK_YAML;
    if (code === 0x5b || code === 0x5d || code === 0x7b || code === 0x7d) {
      const whole = index === start && (content.startsWith("[]", start) || content.startsWith("{}", start));
      if (!whole) throw NOT_BLOCK_YAML;
      index += 1;
    }
  }
  while (end > start && content.charCodeAt(end - 1) === SPACE) end -= 1;
  return end;
}

/** A quoted scalar without escapes (no backslash, no doubled single quote), then at most a comment. */
function readQuoted(content: string, start: number, quote: string): string {
  const close = content.indexOf(quote, start + 1);
  if (close === -1) throw NOT_BLOCK_YAML;
  const text = content.slice(start + 1, close);
  if (quote === '"' && text.includes("\\")) throw NOT_BLOCK_YAML;
  const after = close + 1;
  if (after < content.length) {
    // Only spaces and then a comment may follow; "'it''s'" (an escaped quote) and "x"# do not qualify.
    let next = after;
    while (content.charCodeAt(next) === SPACE) next += 1;
    if (next === after || content.charCodeAt(next) !== HASH) throw NOT_BLOCK_YAML;
  }
  return text;
}
