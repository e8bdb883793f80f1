/**
 * Lists of plain strings (a DLP policy's thousand connector names per group) are most of what the
 * schemas check in a large repository, and ajv checks each item with general code. A list whose schema
 * says only "unique strings of this length and pattern" is checked here instead, and ajv then validates
 * the document with that list emptied. Only lists that pass are emptied: a list with a bad item is left
 * for ajv, so its messages are unchanged. The lists are found in the schemas themselves, and only where
 * nothing else in the schema could look at their items.
 */
export interface StringListCheck {
  /** Property names from the document's root to the list. */
  readonly path: readonly string[];
  /** True when every item is one the schema accepts (and, if it asks, no item repeats). */
  accepts(list: unknown): boolean;
}

type Schema = Record<string, unknown>;

/** Resolves a `$ref` found in the schema `base` (by its `$id`) to the schema it names. */
export type ResolveReference = (reference: string, base: string) => Schema | undefined;

/** Keywords of an object schema on the way to a list that cannot depend on the list's items. */
const CONTAINER_KEYWORDS = new Set([
  "$schema",
  "$id",
  "$comment",
  "title",
  "description",
  "examples",
  "default",
  "deprecated",
  "type",
  "properties",
  "additionalProperties",
  "required",
  "minProperties",
  "maxProperties",
  "propertyNames",
]);
const LIST_KEYWORDS = new Set([
  "$comment",
  "title",
  "description",
  "examples",
  "default",
  "deprecated",
  "type",
  "items",
  "uniqueItems",
]);
const ITEM_KEYWORDS = new Set([
  "$comment",
  "title",
  "description",
  "examples",
  "type",
  "minLength",
  "maxLength",
  "pattern",
]);

/** The string lists of one kind's schema that can be checked here. */
export function findStringLists(root: Schema, resolve: ResolveReference): StringListCheck[] {
  const base = typeof root.$id === "string" ? root.$id : "";
  const found: StringListCheck[] = [];
  const visit = (schema: Schema, path: string[]): void => {
    if (!onlyKeywords(schema, CONTAINER_KEYWORDS) || schema.type !== "object") return;
    const properties = schema.properties;
    if (!isRecord(properties)) return;
    for (const [name, property] of Object.entries(properties)) {
      if (!isRecord(property)) continue;
      const check = listCheck(property, base, resolve);
      if (check !== undefined) found.push({ path: [...path, name], accepts: check });
      else visit(property, [...path, name]);
    }
  };
  visit(root, []);
  return found;
}

function listCheck(
  schema: Schema,
  base: string,
  resolve: ResolveReference,
): ((list: unknown) => boolean) | undefined {
  if (schema.type !== "array" || !onlyKeywords(schema, LIST_KEYWORDS) || !isRecord(schema.items))
    return undefined;
  const item = itemRules(schema.items, base, resolve);
  if (item === undefined) return undefined;
  const unique = schema.uniqueItems === true;
  return (list) => {
    if (!Array.isArray(list)) return false;
    const seen = unique ? new Set<string>() : undefined;
    // By index: for-of allocates an iterator result per item until the optimising compiler steps in.
    for (let index = 0; index < list.length; index += 1) {
      const value: unknown = list[index];
      if (typeof value !== "string" || !item(value)) return false;
      if (seen !== undefined) {
        if (seen.has(value)) return false;
        seen.add(value);
      }
    }
    return true;
  };
}

/** What one item must be: the item schema's rules and those of the schema it refers to, together. */
function itemRules(
  schema: Schema,
  base: string,
  resolve: ResolveReference,
): ((text: string) => boolean) | undefined {
  const { $ref: reference, ...own } = schema;
  const parts: Schema[] = [own];
  if (reference !== undefined) {
    if (typeof reference !== "string") return undefined;
    const target = resolve(reference, base);
    if (target === undefined) return undefined;
    parts.push(target);
  }
  if (!parts.every((part) => onlyKeywords(part, ITEM_KEYWORDS))) return undefined;
  // Every part must say "string": the check refuses anything else, so the schema must too.
  if (!parts.some((part) => part.type === "string")) return undefined;
  if (!parts.every((part) => part.type === undefined || part.type === "string")) return undefined;
  const tests: ((text: string) => boolean)[] = [];
  for (const part of parts) {
    const { minLength, maxLength, pattern } = part;
    if (minLength !== undefined) {
      if (!isCount(minLength)) return undefined;
      tests.push((text) => text.length >= 2 * minLength || codePointLength(text) >= minLength);
    }
    if (maxLength !== undefined) {
      if (!isCount(maxLength)) return undefined;
      tests.push((text) => text.length <= maxLength || codePointLength(text) <= maxLength);
    }
    if (pattern !== undefined) {
      if (typeof pattern !== "string") return undefined;
      // As ajv compiles it (unicodeRegExp, its default).
      const expression = new RegExp(pattern, "u");
      tests.push((text) => expression.test(text));
    }
  }
  return (text) => tests.every((test) => test(text));
}

/**
 * The document with every list that passes its check replaced by an empty list; objects on the way are
 * copied, the document itself is left as it is. Returns the document itself when no list was emptied.
 */
export function withCheckedListsEmptied(document: unknown, checks: readonly StringListCheck[]): unknown {
  let result = document;
  for (const check of checks) result = emptied(result, check, 0);
  return result;
}

function emptied(node: unknown, check: StringListCheck, depth: number): unknown {
  if (!isRecord(node)) return node;
  const key = check.path[depth]!;
  if (!Object.hasOwn(node, key)) return node;
  const child = node[key];
  const last = depth === check.path.length - 1;
  const replacement = last
    ? check.accepts(child) && (child as unknown[]).length > 0
      ? []
      : child
    : emptied(child, check, depth + 1);
  return replacement === child ? node : { ...node, [key]: replacement };
}

/** Length in code points, as JSON Schema (and ajv) count it: a surrogate pair is one character. */
function codePointLength(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index += 1;
    }
    length += 1;
  }
  return length;
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function onlyKeywords(schema: Schema, allowed: ReadonlySet<string>): boolean {
  return Object.keys(schema).every((keyword) => allowed.has(keyword));
}

function isRecord(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
