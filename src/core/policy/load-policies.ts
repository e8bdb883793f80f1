/**
 * Loading the desired state from policy files, given where the files come from (`PolicySource`) and
 * the compiled schemas. Pure apart from its dependencies; in core so that adapters which load a
 * commit's policies (git/intent-diff.ts) or build the dependencies (fs/policy-loader.ts) need not
 * import src/app.
 */
import { hasErrors, type Diagnostic } from "../diagnostics.js";
import type { ParseOptions, PolicyFile } from "./parse-yaml.js";
import type { PolicyValidator } from "./schema-validator.js";
import type { LoadedDocument } from "./types.js";
import { validatePolicyFiles } from "./validate-policies.js";
import { fileDiagnostic } from "./parse-yaml.js";

/** Where policy files come from: the fs adapter's `listPolicyFiles`, or a fake in tests. */
export type PolicySource = (
  dir: string,
) => Promise<{ files: PolicyFile[]; diagnostics: Diagnostic[]; fileCount: number }>;

export interface LoadPoliciesDeps {
  listPolicyFiles: PolicySource;
  /** Compiled once per process (`createPolicyValidator()`), then passed to every call. */
  validator: PolicyValidator;
  parse?: ParseOptions;
}

export interface LoadedPolicies {
  /** Schema-valid documents. Use them only when `hasErrors(diagnostics)` is false. */
  documents: LoadedDocument[];
  diagnostics: Diagnostic[];
  /** Policy files found and non-empty documents read, for the summary line. */
  fileCount: number;
  documentCount: number;
}

export interface LoadOptions {
  /** 0 documents is then a warning: a repository that deliberately manages nothing yet. */
  allowEmpty?: boolean;
}

/**
 * PPG113: no policy documents. An error by default: a mistyped `-d` (or a checkout that lost its
 * files) would otherwise validate clean and plan against an empty desired state.
 */
function noDocuments(dir: string, fileCount: number, options: LoadOptions): Diagnostic {
  const found =
    fileCount === 0
      ? "contains no *.yaml or *.yml policy files"
      : `holds no policy documents in its ${fileCount} file${fileCount === 1 ? "" : "s"}`;
  if (options.allowEmpty === true) return { ...fileDiagnostic(dir, "PPG113", found), severity: "warning" };
  return {
    ...fileDiagnostic(
      dir,
      "PPG113",
      `${found}; check -d (or pass --allow-empty if the repository is meant to be empty)`,
    ),
    severity: "error",
  };
}

/**
 * Loads the desired state: lists and reads the policy files, parses them, checks them against the
 * schemas and the semantic rules. Problems in the files come back as diagnostics, never as exceptions;
 * only a missing directory or unreadable schemas throw (from the dependencies).
 */
export async function loadPolicies(
  dir: string,
  deps: LoadPoliciesDeps,
  options: LoadOptions = {},
): Promise<LoadedPolicies> {
  const listing = await deps.listPolicyFiles(dir);
  const result = validatePolicyFiles(listing.files, deps.validator, deps.parse);
  const diagnostics = [...listing.diagnostics, ...result.diagnostics];
  if (result.documentCount === 0 && !hasErrors(diagnostics))
    diagnostics.push(noDocuments(dir, listing.fileCount, options));
  return {
    documents: result.documents,
    diagnostics,
    fileCount: listing.fileCount,
    documentCount: result.documentCount,
  };
}
