import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import jsonPatch from "fast-json-patch";
import { simpleGit, type SimpleGit } from "simple-git";
import type { LoadPoliciesDeps } from "../../core/policy/load-policies.js";
import { loadPolicies } from "../../core/policy/load-policies.js";
import type { Diagnostic } from "../../core/diagnostics.js";
import { hasErrors } from "../../core/diagnostics.js";
import type { LoadedDocument } from "../../core/policy/types.js";

/** One declared resource whose intent differs between the base and the head commit. */
export interface IntentChange {
  /** "Kind/name". */
  address: string;
  change: "added" | "removed" | "changed";
  /** For "changed": the fields that differ, as JSON pointers with old → new values. */
  fields: { path: string; before?: unknown; after?: unknown }[];
  /** File at head (or at base for a removal). */
  file: string;
}

/** What a pull request changes in the desired state, read from git alone (no tenant access). */
export interface IntentDiff {
  base: string;
  head: string;
  /** Policy files the PR added, changed or removed (repository-relative). */
  changedFiles: string[];
  changes: IntentChange[];
  /** The base's policies were invalid, so the diff compares against nothing. */
  baseInvalid: boolean;
}

export interface IntentDiffOptions {
  /** The git work tree (the checkout). */
  repoDir: string;
  base: string;
  head: string;
  /** Policy directory, relative to the repository root. */
  policyDir: string;
  /** Builds loader dependencies for a directory root (the fs adapter's `createPolicyLoaderDeps`). */
  loaderDeps: (cwd: string) => LoadPoliciesDeps;
  git?: SimpleGit;
}

const POLICY_FILE = /\.ya?ml$/i;

/** Policy files that differ between two commits (`base...head`: what the PR itself changed). */
export async function changedPolicyFiles(
  git: SimpleGit,
  base: string,
  head: string,
  policyDir: string,
): Promise<string[]> {
  const output = await git.raw(["diff", "--name-only", "--no-renames", `${base}...${head}`, "--", policyDir]);
  return output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && POLICY_FILE.test(line));
}

/**
 * Writes the policy files of `dir` as they are at `ref` into `target` (via `git ls-tree` + `git show`),
 * so the loader can read a commit that is not checked out. Returns the number of files written.
 */
export async function materializePolicies(
  git: SimpleGit,
  ref: string,
  dir: string,
  target: string,
): Promise<number> {
  const listing = await git.raw(["ls-tree", "-r", "-z", "--name-only", ref, "--", dir]);
  const files = listing.split("\0").filter((path) => path !== "" && POLICY_FILE.test(path));
  for (const path of files) {
    const content = await git.raw(["show", `${ref}:${path}`]);
    const out = join(target, ...path.split("/"));
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, content, "utf8");
  }
  return files.length;
}

/** Loads the desired documents at a commit; an absent policy directory is an empty state. */
export async function desiredAtCommit(
  git: SimpleGit,
  ref: string,
  policyDir: string,
  loaderDeps: (cwd: string) => LoadPoliciesDeps,
): Promise<{ documents: LoadedDocument[]; diagnostics: Diagnostic[] }> {
  const root = await mkdtemp(join(tmpdir(), "ppgov-intent-"));
  try {
    const count = await materializePolicies(git, ref, policyDir, root);
    if (count === 0) return { documents: [], diagnostics: [] };
    // One side of an intent diff may hold no documents (a repository's first policies).
    const loaded = await loadPolicies(policyDir, loaderDeps(root), { allowEmpty: true });
    return { documents: loaded.documents, diagnostics: loaded.diagnostics };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** The intent diff: desired state at the base commit vs at the head commit. */
export async function computeIntentDiff(options: IntentDiffOptions): Promise<IntentDiff> {
  const git = options.git ?? simpleGit(options.repoDir);
  const policyDir = posix.normalize(options.policyDir.replace(/\\/g, "/")).replace(/\/$/, "");
  const [changedFiles, base, head] = await Promise.all([
    changedPolicyFiles(git, options.base, options.head, policyDir),
    desiredAtCommit(git, options.base, policyDir, options.loaderDeps),
    desiredAtCommit(git, options.head, policyDir, options.loaderDeps),
  ]);
  const baseInvalid = hasErrors(base.diagnostics);
  return {
    base: options.base,
    head: options.head,
    changedFiles,
    changes: diffDocuments(baseInvalid ? [] : base.documents, head.documents),
    baseInvalid,
  };
}

function byAddress(documents: readonly LoadedDocument[]): Map<string, LoadedDocument> {
  return new Map(
    documents.map((loaded) => [`${loaded.document.kind}/${loaded.document.metadata.name}`, loaded]),
  );
}

/** Compares two sets of documents by address; pure. */
export function diffDocuments(
  base: readonly LoadedDocument[],
  head: readonly LoadedDocument[],
): IntentChange[] {
  const before = byAddress(base);
  const after = byAddress(head);
  const changes: IntentChange[] = [];
  for (const [address, loaded] of after) {
    const previous = before.get(address);
    if (!previous) {
      changes.push({ address, change: "added", fields: [], file: loaded.source.file });
      continue;
    }
    const oldDoc = { metadata: previous.document.metadata, spec: previous.document.spec } as object;
    const newDoc = { metadata: loaded.document.metadata, spec: loaded.document.spec } as object;
    const operations = jsonPatch.compare(oldDoc, newDoc);
    if (operations.length === 0) continue;
    changes.push({
      address,
      change: "changed",
      file: loaded.source.file,
      fields: operations.map((operation) => ({
        path: operation.path,
        ...(operation.op === "add" ? {} : { before: valueAt(oldDoc, operation.path) }),
        ...(operation.op === "remove" ? {} : { after: (operation as { value?: unknown }).value }),
      })),
    });
  }
  for (const [address, loaded] of before)
    if (!after.has(address))
      changes.push({ address, change: "removed", fields: [], file: loaded.source.file });
  return changes.sort((a, b) => a.address.localeCompare(b.address));
}

function valueAt(document: object, pointer: string): unknown {
  let node: unknown = document;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
