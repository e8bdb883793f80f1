/**
 * Emulator extension (issue 7): malformed API responses. A read that would succeed comes back with the
 * wrong types, without its fields, as an HTML page (with 200 or 500) or as truncated JSON, so tests can
 * check that ppgov names the endpoint and acts on nothing it misread.
 */
import type { Reply } from "./http.js";
import type { JsonValue } from "./types.js";

export const MALFORMED_KINDS = [
  "wrong-types",
  "missing-fields",
  "html-200",
  "html-500",
  "truncated-json",
] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export function isMalformedKind(value: unknown): value is MalformedKind {
  return typeof value === "string" && (MALFORMED_KINDS as readonly string[]).includes(value);
}

/** The fault settings this module reads (fields of FaultConfig). */
export interface MalformedSettings {
  /** Share of successful reads (0..1) answered malformed. */
  rateMalformed?: number;
  /** Which malformation; default: drawn per request from all kinds. */
  malformedKind?: MalformedKind;
  /** Only paths containing this text (case-insensitive) are malformed; default every path. */
  malformedPath?: string;
}

/** Decides whether this request's reply is malformed, and how. One draw pair per eligible request. */
export function decideMalformed(
  settings: MalformedSettings,
  method: string,
  path: string,
  random: () => number,
): MalformedKind | undefined {
  const rate = settings.rateMalformed ?? 0;
  // Reads: GETs, and the POSTs that only list (listTenantSettings).
  const read = method === "GET" || (method === "POST" && /\/list[A-Z][^/]*$/.test(path));
  if (rate <= 0 || !read) return undefined;
  if (
    settings.malformedPath !== undefined &&
    !path.toLowerCase().includes(settings.malformedPath.toLowerCase())
  )
    return undefined;
  const hit = random();
  const pick = random();
  if (hit >= rate) return undefined;
  return settings.malformedKind ?? MALFORMED_KINDS[Math.floor(pick * MALFORMED_KINDS.length)]!;
}

const HTML_PAGE =
  "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body><h1>Service unavailable</h1></body></html>";

/** The malformed form of a reply that was about to succeed; replies that already failed pass through. */
export function malform(reply: Reply, kind: MalformedKind): Reply {
  if (reply.status >= 300) return reply;
  const headers = { ...reply.headers };
  switch (kind) {
    case "html-200":
      return {
        status: 200,
        text: HTML_PAGE,
        headers: { ...headers, "Content-Type": "text/html; charset=utf-8" },
      };
    case "html-500":
      return {
        status: 500,
        text: HTML_PAGE,
        headers: { ...headers, "Content-Type": "text/html; charset=utf-8" },
      };
    case "truncated-json": {
      const full = reply.text ?? JSON.stringify(reply.body ?? {});
      // A complete HTTP response (right Content-Length) whose JSON stops half-way.
      return {
        status: reply.status,
        text: full.slice(0, Math.max(1, Math.floor(full.length / 2))),
        headers: { ...headers, "Content-Type": "application/json; charset=utf-8" },
      };
    }
    case "wrong-types":
      return { status: reply.status, body: retype(reply.body ?? {}, 0), headers };
    case "missing-fields":
      return { status: reply.status, body: strip(reply.body ?? {}, 0), headers };
  }
}

/** Every value below the top level changes type: strings become numbers, arrays strings, and so on. */
function retype(value: JsonValue, depth: number): JsonValue {
  if (Array.isArray(value)) return depth === 0 ? value.map((item) => retype(item, depth + 1)) : "[list]";
  if (value !== null && typeof value === "object") {
    const result: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value))
      if (item !== undefined) result[key] = retype(item, depth + 1);
    return result;
  }
  if (depth === 0) return value;
  if (typeof value === "string") return 42;
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "yes" : 0;
  return value;
}

/** Objects lose the fields a reader keys on: ids, names, properties, the list itself. */
const KEY_FIELDS = new Set([
  "id",
  "name",
  "properties",
  "value",
  "displayName",
  "policyDefinition",
  "environments",
]);
function strip(value: JsonValue, depth: number): JsonValue {
  if (Array.isArray(value)) return value.map((item) => strip(item, depth + 1));
  if (value !== null && typeof value === "object") {
    const result: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      // Keep the top-level list so each item is read (and found lacking), drop key fields below it.
      if (KEY_FIELDS.has(key) && !(depth === 0 && key === "value")) continue;
      result[key] = strip(item, depth + 1);
    }
    return result;
  }
  return value;
}
