import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";
import { parsePointer } from "./pointer.js";

/** Where a pointer should land: the value (default) or, for unknown-property errors, the key itself. */
export type LocateTarget = "value" | "key";

export interface LinePosition {
  line: number;
  column: number;
}

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
): LinePosition {
  const segments = parsePointer(pointer);
  let reached: Reached = { node: document.contents, key: undefined };
  let complete = true;
  for (const segment of segments) {
    const next = step(document, reached.node, segment);
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

function step(document: Document, from: Node | null | undefined, segment: string): Reached | undefined {
  let node: unknown = from;
  // Follow aliases, with a bound: a chain of aliases cannot loop forever.
  for (let hops = 0; isAlias(node) && hops < 16; hops += 1) node = node.resolve(document);
  if (isMap(node)) {
    const pair = node.items.find((item) => keyText(item.key) === segment);
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
