/**
 * metadata.name for exported documents: display names slugified to the policy format's name pattern
 * ([a-z0-9-], 1..63, starting and ending with a letter or digit), made unique per kind with suffixes.
 */

const MAX_NAME_LENGTH = 63;

/** "Contoso Production (EU)" → "contoso-production-eu"; "" when nothing usable is left. */
export function slugify(text: string): string {
  const ascii = text
    .normalize("NFKD")
    // Combining marks left by NFKD: "é" → "e".
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
  const slug = ascii.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return trimToLength(slug, MAX_NAME_LENGTH);
}

function trimToLength(slug: string, length: number): string {
  return slug.length <= length ? slug : slug.slice(0, length).replace(/-+$/, "");
}

/** Hands out unique names within one kind. Names asked for in a stable order give stable results. */
export class NameAllocator {
  private readonly taken = new Set<string>();

  /** `reserved` names are never handed out (the env ref `default` is not an Environment's name). */
  constructor(reserved: readonly string[] = []) {
    for (const name of reserved) this.taken.add(name);
  }

  /** A unique name from `displayName`, else from `fallback` (a slug-safe word such as "environment"). */
  allocate(displayName: string, fallback: string): string {
    const base = slugify(displayName) || fallback;
    if (!this.taken.has(base)) {
      this.taken.add(base);
      return base;
    }
    for (let suffix = 2; ; suffix += 1) {
      const tail = `-${suffix}`;
      const candidate = `${trimToLength(base, MAX_NAME_LENGTH - tail.length)}${tail}`;
      if (!this.taken.has(candidate)) {
        this.taken.add(candidate);
        return candidate;
      }
    }
  }
}
