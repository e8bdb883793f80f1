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

/** What ppgov's own package.json says about itself (the fields the CLI reports or points users at). */
export interface PackageManifest {
  version: string;
  /** "owner/name" of the GitHub repository in `repository`, when it names one. */
  githubRepository?: string;
}

/** Reads ppgov's package.json (from `root`, the package root by default). */
export function readPackageManifest(root: string = packageRoot()): PackageManifest {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    version?: unknown;
    repository?: unknown;
  };
  if (typeof pkg.version !== "string") throw new Error(`${join(root, "package.json")} has no version`);
  const repository = githubRepositoryOf(pkg.repository);
  return { version: pkg.version, ...(repository === undefined ? {} : { githubRepository: repository }) };
}

/**
 * "owner/name" from package.json's `repository`: "github:owner/name", "owner/name" or an object whose
 * url is a github.com git or https URL.
 */
export function githubRepositoryOf(repository: unknown): string | undefined {
  const spec =
    typeof repository === "string"
      ? repository
      : typeof repository === "object" && repository !== null && "url" in repository
        ? String(repository.url)
        : undefined;
  if (spec === undefined) return undefined;
  const match =
    /^(?:github:)?([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+?)(?:\.git)?$/.exec(spec) ??
    /github\.com[/:]([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(spec);
  return match === null ? undefined : `${match[1]}/${match[2]}`;
}

/**
 * The released copy of schemas/policy.schema.json of this version in ppgov's GitHub repository (the
 * release tag vX.Y.Z), for `$schema` lines of a repository that has no schemas/ of its own; undefined
 * when package.json names no GitHub repository.
 */
export function releasedPolicySchemaUrl(manifest: PackageManifest): string | undefined {
  if (manifest.githubRepository === undefined) return undefined;
  return `https://raw.githubusercontent.com/${manifest.githubRepository}/v${manifest.version}/schemas/policy.schema.json`;
}
