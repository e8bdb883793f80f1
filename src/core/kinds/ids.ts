import { ZERO_GUID } from "../wire/types.js";

/** Lower-cases a GUID-like id and maps the zero GUID (and empty) to null, which means "none". */
export function normalizeId(id: string | null | undefined): string | null {
  if (id === undefined || id === null) return null;
  const lower = id.trim().toLowerCase();
  return lower === "" || lower === ZERO_GUID ? null : lower;
}

/** Last segment of a resource path: "/providers/Microsoft.PowerApps/apis/shared_sql" → "shared_sql". */
export function lastSegment(path: string): string {
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** `id:<guid>` env refs and ignore entries. */
export function parseIdRef(ref: string): string | undefined {
  return ref.startsWith("id:") ? (normalizeId(ref.slice(3)) ?? undefined) : undefined;
}
