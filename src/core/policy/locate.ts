import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Document,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";
import { parsePointer } from "./pointer.js";

/** Where a pointer should land: the value (default) or, for unknown-property errors, the key itself. */
export type LocateTarget = "value" | "key";

export interface LinePosition {
  line: number;
  column: number;
}

/**
 * Key → pair of each mapping already searched, so that locating many pointers in one document (a
 * document with 60,000 unknown keys gets 60,000 diagnostics located) costs one pass per mapping, not
 * one per pointer. The caller owns it and drops it with the syntax tree.
 */
export type KeyIndex = WeakMap<YAMLMap, Map<string, Pair>>;

interface Reached {
  node: Node | null | undefined;
  key: Node | null | undefined;
}

/**
 * Maps a JSON pointer to a line and column inside one parsed YAML document. A pointer to a missing
 * property lands on its nearest existing ancestor. A scalar value is reported where the value starts;
 * a mapping or list (and an empty value) is reported at its key, which is where a reader looks.
 */
export function locatePointer(
  document: Document,
  lineCounter: LineCounter,
  pointer: string,
  target: LocateTarget = "value",
  index: KeyIndex = new WeakMap(),
): LinePosition {
  const segments = parsePointer(pointer);
  let reached: Reached = { node: document.contents, key: undefined };
  let complete = true;
  for (const segment of segments) {
    const next = step(document, reached.node, segment, index);
    if (next === undefined) {
      complete = false;
      break;
    }
    reached = next;
  }
  const offset = chooseOffset(reached, complete ? target : "value") ?? document.range?.[0] ?? 0;
  const position = lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}

function step(
  document: Document,
  from: Node | null | undefined,
  segment: string,
  index: KeyIndex,
): Reached | undefined {
  let node: unknown = from;
  // Follow aliases, with a bound: a chain of aliases cannot loop forever.
  for (let hops = 0; isAlias(node) && hops < 16; hops += 1) node = node.resolve(document);
  if (isMap(node)) {
    let keys = index.get(node);
    if (keys === undefined) {
      keys = new Map();
      for (const item of node.items) {
        const text = keyText(item.key);
        // The first pair with a key wins, as a search from the start would find it.
        if (text !== undefined && !keys.has(text)) keys.set(text, item);
      }
      index.set(node, keys);
    }
    const pair = keys.get(segment);
    if (pair === undefined) return undefined;
    return { node: pair.value as Node | null, key: pair.key as Node | null };
  }
  if (isSeq(node) && /^(0|[1-9][0-9]*)$/.test(segment)) {
    const item = node.items[Number(segment)];
    if (item === undefined) return undefined;
    return { node: item as Node | null, key: undefined };
  }
  return undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  // Collection keys ("? [a, b]") cannot be addressed by a JSON pointer segment.
  return undefined;
}

function chooseOffset(reached: Reached, target: LocateTarget): number | undefined {
  const keyStart = reached.key?.range?.[0];
  if (target === "key" && keyStart !== undefined) return keyStart;
  const node = reached.node;
  const valueStart = node?.range?.[0];
  const isCollection = isMap(node) || isSeq(node);
  const isEmptyScalar = isScalar(node) && node.value === null && !node.source;
  if (keyStart !== undefined && (node === null || node === undefined || isEmptyScalar || isCollection)) {
    // A block collection starts on the next line; the key is what the reader wrote.
    if (!(isCollection && node.flow === true)) return keyStart;
  }
  return valueStart ?? keyStart;
}
