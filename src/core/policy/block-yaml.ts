import { resolvePlainScalar } from "./plain-scalars.js";

/**
 * A line-by-line reader for the plain block YAML that policy files nearly always are: block mappings with
 * simple keys, block sequences, single-line plain or quoted scalars, `[]` and `{}`, comments and `---`
 * between documents. It is several times faster than js-yaml on large files (the lists of a thousand
 * connector names in each DLP policy), and answers undefined for anything else, which then takes the
 * general readers. Property tests hold its answers equal to the full parser's.
 *
 * Lines are kept as offsets into the text, and only keys and scalars are cut out of it.
 */
export function readBlockYaml(text: string): Record<string, unknown>[] | undefined {
  // Control characters, BOM, tabs, CR and the Unicode line separators are left to the general readers.
  if (UNUSUAL_CHARACTER.test(text)) return undefined;
  const lines = splitLines(text);
  if (lines === undefined) return undefined;
  const documents: Record<string, unknown>[] = [];
  try {
    for (const [from, to] of lines.documents)
      documents.push(new BlockReader(text, lines, from, to).readDocument());
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
  /** Offset of that line's content in the text, after the indentation. */
  starts: number[];
  /** Offset just past its content, before trailing spaces. */
  ends: number[];
  /** [first line, end] of each document. */
  documents: [number, number][];
}

/** Drops blank and comment lines, splits documents at `---`; undefined for other markers and directives. */
function splitLines(text: string): Lines | undefined {
  const indents: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
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
      const indent = first - start;
      const marker = text.charCodeAt(first);
      if (
        indent === 0 &&
        (marker === 0x2d || marker === 0x2e || marker === 0x25) &&
        isMarkerLike(text, first)
      ) {
        if (last - first !== 3 || !text.startsWith("---", first)) return undefined;
        // Text before the first marker is a document of its own only when it holds content.
        if (starts.length > documentStart || sawMarker) documents.push([documentStart, starts.length]);
        documentStart = starts.length;
        sawMarker = true;
      } else {
        indents.push(indent);
        starts.push(first);
        ends.push(last);
      }
    }
    start = end + 1;
  }
  if (starts.length > documentStart || sawMarker) documents.push([documentStart, starts.length]);
  return { indents, starts, ends, documents };
}

/** "---…", "...…" or a "%" directive at the start of a line. */
function isMarkerLike(text: string, at: number): boolean {
  return text.startsWith("---", at) || text.startsWith("...", at) || text.charCodeAt(at) === 0x25;
}

const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

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
  private readonly indents: number[];
  private readonly starts: number[];
  private readonly ends: number[];

  constructor(
    private readonly text: string,
    lines: Lines,
    from: number,
    private readonly end: number,
  ) {
    this.position = from;
    this.indents = lines.indents;
    this.starts = lines.starts;
    this.ends = lines.ends;
  }

  readDocument(): Record<string, unknown> {
    // An empty document, a top level that is not a mapping or one indented: general readers.
    if (this.position >= this.end || this.indents[this.position] !== 0) throw NOT_BLOCK_YAML;
    if (this.isSequenceEntry(this.position)) throw NOT_BLOCK_YAML;
    const value = this.readMapping(0);
    if (this.position !== this.end) throw NOT_BLOCK_YAML;
    return value;
  }

  private readBlock(indent: number): unknown {
    return this.isSequenceEntry(this.position) ? this.readSequence(indent) : this.readMapping(indent);
  }

  private readMapping(indent: number): Record<string, unknown> {
    const { text } = this;
    const mapping: Record<string, unknown> = {};
    while (this.position < this.end) {
      const lineIndent = this.indents[this.position]!;
      if (lineIndent < indent) break;
      if (lineIndent > indent) throw NOT_BLOCK_YAML;
      if (this.isSequenceEntry(this.position)) break;
      const start = this.starts[this.position]!;
      const end = this.ends[this.position]!;
      const colon = keyEnd(text, start, end);
      if (colon === -1 || colon - start > MAX_KEY_LENGTH) throw NOT_BLOCK_YAML;
      const key = text.slice(start, colon);
      if (!SIMPLE_KEY.test(key) || RESERVED_KEYS.has(key)) throw NOT_BLOCK_YAML;
      // A duplicate key is an error the full parser reports with its position.
      if (Object.hasOwn(mapping, key)) throw NOT_BLOCK_YAML;
      const valueStart = skipSpaces(text, colon + 1, end);
      this.position += 1;
      if (valueStart >= end || text.charCodeAt(valueStart) === HASH) {
        mapping[key] = this.readNested(indent, true);
      } else {
        mapping[key] = readScalar(text, valueStart, end);
        this.refuseDeeperLine(indent);
      }
    }
    return mapping;
  }

  private readSequence(indent: number): unknown[] {
    const { text } = this;
    const items: unknown[] = [];
    while (this.position < this.end && this.indents[this.position] === indent) {
      if (!this.isSequenceEntry(this.position)) break;
      const start = this.starts[this.position]!;
      const end = this.ends[this.position]!;
      const valueStart = skipSpaces(text, start + 1, end);
      if (valueStart >= end || text.charCodeAt(valueStart) === HASH) {
        this.position += 1;
        items.push(this.readNested(indent, false));
        continue;
      }
      const first = text.charCodeAt(valueStart);
      if (first !== DOUBLE_QUOTE && first !== SINGLE_QUOTE && keyEnd(text, valueStart, end) !== -1) {
        // "- key: value": a mapping whose keys line up with this first one. The line is read again as
        // the mapping's first line, from the key on.
        const keyIndent = indent + (valueStart - start);
        this.indents[this.position] = keyIndent;
        this.starts[this.position] = valueStart;
        items.push(this.readMapping(keyIndent));
      } else {
        items.push(readScalar(text, valueStart, end));
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
    if (underKey && next === indent && this.isSequenceEntry(this.position)) return this.readSequence(indent);
    return null;
  }

  /** A line more indented than the block it follows would continue a scalar: general readers. */
  private refuseDeeperLine(indent: number): void {
    if (this.position < this.end && this.indents[this.position]! > indent) throw NOT_BLOCK_YAML;
  }

  /** "-" alone or "- …". */
  private isSequenceEntry(line: number): boolean {
    const start = this.starts[line]!;
    return (
      this.text.charCodeAt(start) === DASH &&
      (start + 1 === this.ends[line] || this.text.charCodeAt(start + 1) === SPACE)
    );
  }
}

function skipSpaces(text: string, from: number, end: number): number {
  let index = from;
  while (index < end && text.charCodeAt(index) === SPACE) index += 1;
  return index;
}

/** Where a key ends: the first colon followed by a space or the line's end; -1 when there is none. */
function keyEnd(text: string, start: number, end: number): number {
  for (let index = start; index < end; index += 1)
    if (text.charCodeAt(index) === COLON && (index + 1 === end || text.charCodeAt(index + 1) === SPACE))
      return index;
  return -1;
}

/** A scalar that runs from `start` to the line's end, with an optional comment after it. */
function readScalar(text: string, start: number, end: number): unknown {
  const first = text.charCodeAt(start);
  if (first === DOUBLE_QUOTE || first === SINGLE_QUOTE) return readQuoted(text, start, end, first);
  if (first === OPEN_BRACKET && !text.startsWith("[]", start)) return readFlowSequence(text, start, end);
  const scalar = text.slice(start, plainEnd(text, start, end));
  if (scalar === "[]") return [];
  if (scalar === "{}") return {};
  if (!PLAIN_START.test(scalar)) throw NOT_BLOCK_YAML;
  return resolvePlainScalar(scalar);
}

/**
 * Where a plain scalar ends: before a comment (" #") and the spaces ahead of it. Throws on flow brackets
 * (legal in block context, but left to the general readers, except a whole "[]" or "{}") and on ": " or
 * a final ":", which would make the line a key.
 */
function plainEnd(text: string, start: number, lineEnd: number): number {
  let end = lineEnd;
  for (let index = start; index < lineEnd; index += 1) {
    const code = text.charCodeAt(index);
    if (code === HASH && index > start && text.charCodeAt(index - 1) === SPACE) {
      end = index;
      break;
    }
    if (code === COLON && (index + 1 === lineEnd || text.charCodeAt(index + 1) === SPACE))
      throw NOT_BLOCK_YAML;
    if (code === 0x5b || code === 0x5d || code === 0x7b || code === 0x7d) {
      const whole = index === start && (text.startsWith("[]", start) || text.startsWith("{}", start));
      if (!whole) throw NOT_BLOCK_YAML;
      index += 1;
    }
  }
  while (end > start && text.charCodeAt(end - 1) === SPACE) end -= 1;
  return end;
}

/**
 * A flow sequence of scalars on one line, "[a, 'b c', 3]", then at most a comment. Nested collections,
 * empty entries (a trailing comma included), pairs ("a: b"), comments inside and items that span
 * lines are left to the general readers.
 */
function readFlowSequence(text: string, start: number, end: number): unknown[] {
  const items: unknown[] = [];
  let index = skipSpaces(text, start + 1, end);
  if (text.charCodeAt(index) === CLOSE_BRACKET) return afterFlow(text, index + 1, end, items);
  for (;;) {
    const first = text.charCodeAt(index);
    let itemEnd: number;
    if (first === DOUBLE_QUOTE || first === SINGLE_QUOTE) {
      const close = closingQuote(text, index, end, first);
      items.push(text.slice(index + 1, close));
      itemEnd = close + 1;
    } else {
      itemEnd = index;
      while (itemEnd < end) {
        const code = text.charCodeAt(itemEnd);
        if (code === COMMA || code === CLOSE_BRACKET) break;
        if (code === OPEN_BRACKET || code === 0x7b || code === 0x7d || code === HASH) throw NOT_BLOCK_YAML;
        if (code === COLON) {
          const next = text.charCodeAt(itemEnd + 1);
          if (next === SPACE || next === COMMA || next === CLOSE_BRACKET || itemEnd + 1 === end)
            throw NOT_BLOCK_YAML;
        }
        itemEnd += 1;
      }
      let last = itemEnd;
      while (last > index && text.charCodeAt(last - 1) === SPACE) last -= 1;
      const item = text.slice(index, last);
      if (!PLAIN_START.test(item)) throw NOT_BLOCK_YAML;
      items.push(resolvePlainScalar(item));
    }
    index = skipSpaces(text, itemEnd, end);
    const separator = text.charCodeAt(index);
    if (separator === CLOSE_BRACKET) return afterFlow(text, index + 1, end, items);
    if (separator !== COMMA) throw NOT_BLOCK_YAML;
    index = skipSpaces(text, index + 1, end);
    // "[a, ]": a trailing comma, which this reader leaves alone.
    if (index >= end || text.charCodeAt(index) === CLOSE_BRACKET) throw NOT_BLOCK_YAML;
  }
}

/** After a flow collection's closing bracket: at most a comment. */
function afterFlow(text: string, after: number, end: number, value: unknown[]): unknown[] {
  onlyCommentAfter(text, after, end);
  return value;
}

/** A quoted scalar without escapes (no backslash, no doubled single quote), then at most a comment. */
function readQuoted(text: string, start: number, end: number, quote: number): string {
  const close = closingQuote(text, start, end, quote);
  onlyCommentAfter(text, close + 1, end);
  return text.slice(start + 1, close);
}

/** Where the quoted scalar opened at `start` closes on this line; throws for escapes or no close. */
function closingQuote(text: string, start: number, end: number, quote: number): number {
  let close = start + 1;
  while (close < end && text.charCodeAt(close) !== quote) close += 1;
  if (close >= end) throw NOT_BLOCK_YAML;
  if (quote === DOUBLE_QUOTE && text.slice(start + 1, close).includes("\\")) throw NOT_BLOCK_YAML;
  return close;
}

/**
 * Only spaces and then a comment may follow a closing quote or bracket; "'it''s'" (an escaped quote)
 * and "x"# do not qualify.
 */
function onlyCommentAfter(text: string, after: number, end: number): void {
  if (after >= end) return;
  const next = skipSpaces(text, after, end);
  if (next === after || text.charCodeAt(next) !== HASH) throw NOT_BLOCK_YAML;
}
