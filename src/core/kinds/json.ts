/** Plain JSON values: the shape of every canonical form, step body and plan. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * JSON text with object keys sorted at every depth: the same value always gives the same text, which
 * digests and golden outputs rely on. `undefined` properties are dropped, as JSON.stringify does.
 */
export function stableStringify(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeysDeep(value), null, indent);
}

/**
 * The value with keys sorted at every depth. Parts already in order (most canonical forms are built in
 * order) are returned as they are, not copied: digests of 10,000 documents would otherwise allocate a
 * second copy of each.
 */
function sortKeysDeep(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index += 1) {
      const child: unknown = value[index];
      // Most array items are names: nothing to sort, no call.
      if (typeof child !== "object" || child === null) continue;
      const sorted = sortKeysDeep(child);
      if (sorted !== child) (copy ??= value.slice())[index] = sorted;
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let inOrder = true;
  for (let index = 1; index < keys.length && inOrder; index += 1) inOrder = keys[index - 1]! < keys[index]!;
  // A copy drops toJSON (a Date becomes {}), as the copy this function always made did.
  let rebuilt = !inOrder || typeof (value as { toJSON?: unknown }).toJSON === "function";
  const children = new Array<unknown>(keys.length);
  for (let index = 0; index < keys.length; index += 1) {
    const child = record[keys[index]!];
    const sorted = typeof child !== "object" || child === null ? child : sortKeysDeep(child);
    if (sorted !== child) rebuilt = true;
    children[index] = sorted;
  }
  if (!rebuilt) return value;
  const order = keys.map((_, index) => index);
  if (!inOrder) sortIndexesByKey(order, keys);
  const sorted: Record<string, unknown> = {};
  for (const index of order) if (children[index] !== undefined) sorted[keys[index]!] = children[index];
  return sorted;
}

/**
 * Sorts indexes by their keys. Objects out of order are nearly all small (a document's metadata and
 * spec): insertion sort allocates nothing there, where Array.prototype.sort takes a work area per call
 * (28 MB of garbage for the digests of 10,000 documents).
 */
function sortIndexesByKey(order: number[], keys: readonly string[]): void {
  if (order.length > 16) {
    order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
    return;
  }
  for (let next = 1; next < order.length; next += 1) {
    const index = order[next]!;
    const key = keys[index]!;
    let slot = next;
    while (slot > 0 && keys[order[slot - 1]!]! > key) {
      order[slot] = order[slot - 1]!;
      slot -= 1;
    }
    order[slot] = index;
  }
}

/** RFC 6901 escaping of one pointer segment. */
export function escapeSegment(segment: string): string {
  // Most segments need no escape: skip the two replacements (a plan escapes every key it walks).
  if (!segment.includes("~") && !segment.includes("/")) return segment;
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

export function pointerSegments(pointer: string): string[] {
  return pointer === "" ? [] : pointer.slice(1).split("/").map(unescapeSegment);
}

/** The value at a JSON pointer, or undefined when a segment is missing. */
export function valueAt(root: Json | undefined, pointer: string): Json | undefined {
  let node: Json | undefined = root;
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isJsonObject(node)) node = Object.hasOwn(node, segment) ? node[segment] : undefined;
    else return undefined;
  }
  return node;
}

/** Drops properties whose value is undefined, so optional fields leave no trace in canonical forms. */
export function compact<T extends Record<string, unknown>>(
  record: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) result[key] = value;
  return result as { [K in keyof T]: Exclude<T[K], undefined> };
}
