import { isJsonObject, type Json, type JsonObject } from "./json.js";

/**
 * The id of a resource the same apply creates earlier, unknown at plan time. It appears as the object
 * `{"$ref":"Environment/dev#id"}` inside canonical forms and step bodies, and as that JSON text inside
 * step paths; the apply engine substitutes the real id once the creating step has produced it.
 */
export interface Placeholder extends JsonObject {
  $ref: string;
}

export function placeholder(address: string): Placeholder {
  return { $ref: `${address}#id` };
}

export function isPlaceholder(value: unknown): value is Placeholder {
  return isJsonObject(value) && typeof value.$ref === "string" && Object.keys(value).length === 1;
}

/** A live id or the placeholder of a resource being created. */
export type IdOrPlaceholder = string | Placeholder;

/** The text a placeholder takes inside a path. */
export function placeholderText(ref: Placeholder): string {
  return JSON.stringify(ref);
}

/**
 * Inserts an id or a placeholder into a path template. Ids come from the tenant: encoded, so an id
 * holding "/", "?" or "%" cannot reach another resource or add a query.
 */
export function idInPath(id: IdOrPlaceholder): string {
  return typeof id === "string" ? encodeURIComponent(id) : placeholderText(id);
}

/** A sort key that orders live ids before placeholders, each alphabetically. */
export function idSortKey(id: IdOrPlaceholder): string {
  return typeof id === "string" ? id : `~${id.$ref}`;
}

/** Display form used by renderers: the id, or "(known after apply: Environment/dev)". */
export function describeId(id: Json | undefined): string {
  if (isPlaceholder(id)) return `(known after apply: ${id.$ref.replace(/#id$/, "")})`;
  return typeof id === "string" ? id : JSON.stringify(id);
}

const PLACEHOLDER_IN_TEXT = /\{"\$ref":"([^"]+)"\}/g;

/** Every placeholder ref ("Environment/dev#id") a value mentions, in paths or bodies. */
export function refsIn(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === "string") {
    for (const match of value.matchAll(PLACEHOLDER_IN_TEXT)) into.add(match[1]!);
  } else if (isPlaceholder(value)) {
    into.add(value.$ref);
  } else if (Array.isArray(value)) {
    for (const item of value) refsIn(item, into);
  } else if (isJsonObject(value)) {
    for (const item of Object.values(value)) refsIn(item, into);
  }
  return into;
}

/**
 * Replaces placeholders by the ids the apply produced (`resolved`: "Environment/dev#id" → guid).
 * Throws on an unresolved ref: that would be an ordering bug, never bad input.
 */
export function substituteRefs<T extends Json>(value: T, resolved: ReadonlyMap<string, string>): T {
  return substitute(value, resolved) as T;
}

function lookup(ref: string, resolved: ReadonlyMap<string, string>): string {
  const id = resolved.get(ref);
  if (id === undefined) throw new Error(`unresolved placeholder ${ref}`);
  return id;
}

function substitute(value: Json, resolved: ReadonlyMap<string, string>): Json {
  if (typeof value === "string")
    return value.replace(PLACEHOLDER_IN_TEXT, (_, ref: string) => lookup(ref, resolved));
  if (isPlaceholder(value)) return lookup(value.$ref, resolved);
  if (Array.isArray(value)) return value.map((item) => substitute(item, resolved));
  if (isJsonObject(value)) {
    const result: JsonObject = {};
    for (const [key, item] of Object.entries(value)) result[key] = substitute(item, resolved);
    return result;
  }
  return value;
}
