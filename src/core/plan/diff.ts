import jsonPatch from "fast-json-patch";
import {
  escapeSegment,
  isJsonObject,
  pointerSegments,
  valueAt,
  type Json,
  type JsonObject,
} from "../kinds/json.js";
import { isPlaceholder } from "../kinds/placeholder.js";

/** One changed field: a JSON pointer into the canonical form, with both values (absent = undefined). */
export interface ChangedPath {
  path: string;
  before?: Json;
  after?: Json;
}

/** How a kind's canonical forms are compared. */
export interface DiffRules {
  partialPaths: readonly string[];
  atomicPaths: readonly string[];
  ignorePaths: readonly string[];
  ignoreWhenLiveAbsent: readonly string[];
  /** A kind's own reason not to compare a path, given the live form. */
  ignoreChange?(path: string, before: Json): boolean;
}

/**
 * THE unmanaged-field rule, written once: inside a partial object (a kind's `partialPaths`), a
 * property the desired form leaves out is unmanaged, so the intended state keeps the live value
 * there and nothing is compared. Elsewhere the desired value is the intended value, whole.
 */
export function intendedState(live: Json | undefined, desired: Json, partialPaths: readonly string[]): Json {
  return overlay(live, desired, "", new Set(partialPaths));
}

function overlay(live: Json | undefined, desired: Json, path: string, partial: ReadonlySet<string>): Json {
  if (!partial.has(path) || !isJsonObject(live) || !isJsonObject(desired) || isPlaceholder(desired))
    return desired;
  const result: JsonObject = { ...live };
  for (const [key, value] of Object.entries(desired))
    result[key] = overlay(live[key], value, `${path}/${escapeSegment(key)}`, partial);
  return result;
}

/** Does `pointer` match `pattern` ("*" matches one segment) or lie under it? Returns the matched prefix. */
function matchPrefix(pointer: string, pattern: string): string | undefined {
  const segments = pointerSegments(pointer);
  const patternSegments = pointerSegments(pattern);
  if (segments.length < patternSegments.length) return undefined;
  for (let index = 0; index < patternSegments.length; index += 1) {
    const expected = patternSegments[index]!;
    if (expected !== "*" && expected !== segments[index]) return undefined;
  }
  return segments.length === patternSegments.length
    ? pointer
    : `/${segments.slice(0, patternSegments.length).map(escapeSegment).join("/")}`;
}

function matchesAny(pointer: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => matchPrefix(pointer, pattern) !== undefined);
}

/** Maps a raw patch path to the path shown: the enclosing atomic path if any, else itself. */
function displayPath(pointer: string, atomicPaths: readonly string[]): string {
  for (const pattern of atomicPaths) {
    const prefix = matchPrefix(pointer, pattern);
    if (prefix !== undefined) return prefix;
  }
  // A placeholder is one value, not an object with a "$ref" field.
  return pointer.endsWith("/$ref") ? pointer.slice(0, -"/$ref".length) : pointer;
}

function changed(paths: Iterable<string>, before: Json | undefined, after: Json | undefined): ChangedPath[] {
  const result: ChangedPath[] = [];
  for (const path of paths) {
    const entry: ChangedPath = { path };
    const was = valueAt(before, path);
    const will = valueAt(after, path);
    if (was !== undefined) entry.before = was;
    if (will !== undefined) entry.after = will;
    result.push(entry);
  }
  return result;
}

/** The fields that differ between a live canonical form and the intended one, per the kind's rules. */
export function changedPaths(before: Json, after: Json, rules: DiffRules): ChangedPath[] {
  // Nearly every resource of a plan is unchanged: settle those without building a patch.
  if (sameJson(before, after)) return [];
  const operations = jsonPatch.compare(before as object, after as object);
  const paths = new Set<string>();
  for (const operation of operations) {
    const path = displayPath(operation.path, rules.atomicPaths);
    if (matchesAny(path, rules.ignorePaths)) continue;
    if (matchesAny(path, rules.ignoreWhenLiveAbsent) && valueAt(before, path) === undefined) continue;
    if (rules.ignoreChange?.(path, before) === true) continue;
    paths.add(path);
  }
  return changed([...paths].sort(), before, after);
}

/**
 * True only when the two values are the same JSON tree: then jsonPatch.compare finds no operation.
 * Stricter than compare where they differ (a value with toJSON, an array against an object): those say
 * false and take the full comparison.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (hasToJson(a) || hasToJson(b)) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index += 1) if (!sameJson(a[index], b[index])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  for (const key of keys) {
    const value = left[key];
    const other = right[key];
    // Equal values settle most keys (a DLP policy's thousand connector groups) without a call.
    if (value === other) {
      if (value === undefined && !Object.hasOwn(right, key)) return false;
    } else if (!Object.hasOwn(right, key) || !sameJson(value, other)) return false;
  }
  return true;
}

function hasToJson(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === "function";
}

function scalarText(value: Json): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Why an update must be a replace: a create-only field changes from a non-empty live value (a field
 * the live side does not report, or reports empty, cannot be compared and is left alone).
 */
export function createOnlyReason(
  before: Json,
  after: Json,
  createOnlyPaths: readonly string[],
): string | undefined {
  for (const path of createOnlyPaths) {
    const was = valueAt(before, path);
    const will = valueAt(after, path);
    if (was === undefined || was === null || was === "" || will === undefined) continue;
    if (JSON.stringify(was) !== JSON.stringify(will))
      return `${pointerSegments(path).join(".")} is create-only: ${scalarText(was)} → ${scalarText(will)}`;
  }
  return undefined;
}

/** Every field of a new object, for a create: leaves, with atomic paths, arrays and placeholders whole. */
export function createdPaths(after: Json, rules: DiffRules): ChangedPath[] {
  const paths: string[] = [];
  const walk = (value: Json, path: string): void => {
    if (
      path !== "" &&
      (Array.isArray(value) ||
        !isJsonObject(value) ||
        isPlaceholder(value) ||
        matchesAny(path, rules.atomicPaths))
    ) {
      paths.push(path);
      return;
    }
    if (!isJsonObject(value)) return;
    const keys = Object.keys(value);
    if (keys.length === 0 && path !== "") paths.push(path);
    for (const key of keys.sort()) walk(value[key]!, `${path}/${escapeSegment(key)}`);
  };
  walk(after, "");
  return changed(paths, undefined, after);
}
