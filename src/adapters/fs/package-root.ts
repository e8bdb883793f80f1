import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The directory of ppgov's own package.json, found by walking up from this module: the same answer
 * whether the code runs from src/, from dist/ or from the one-file bundle (dist/ppgov.mjs), where every
 * module shares one location and paths relative to a module would point elsewhere.
 */
export function packageRoot(): string {
  const here = fileURLToPath(import.meta.url);
  let directory = dirname(here);
  for (;;) {
    const candidate = join(directory, "package.json");
    if (existsSync(candidate) && isPpgovManifest(candidate)) return directory;
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`cannot find ppgov's package.json above ${here}`);
    directory = parent;
  }
}

function isPpgovManifest(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { name?: unknown }).name === "ppgov";
  } catch {
    return false;
  }
}
