import { parseIdRef } from "../kinds/ids.js";

/** `Tenant.ignore`: display-name globs (case-insensitive, `*` and `?`) and `id:<guid>` entries. */
export interface IgnoreList {
  matches(id: string, displayName: string | undefined): boolean;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "i");
}

export function buildIgnoreList(entries: readonly string[]): IgnoreList {
  const ids = new Set<string>();
  const globs: RegExp[] = [];
  for (const entry of entries) {
    const id = parseIdRef(entry);
    if (id !== undefined) ids.add(id);
    else globs.push(globToRegExp(entry));
  }
  return {
    matches: (id, displayName) =>
      ids.has(id.toLowerCase()) ||
      (displayName !== undefined && globs.some((glob) => glob.test(displayName))),
  };
}
