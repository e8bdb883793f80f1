import type { Diagnostic } from "../core/diagnostics.js";
import type { ParseOptions, PolicyFile } from "../core/policy/parse-yaml.js";
import type { PolicyValidator } from "../core/policy/schema-validator.js";
import type { LoadedDocument } from "../core/policy/types.js";
import { validatePolicyFiles } from "../core/policy/validate-policies.js";
import { fileDiagnostic } from "../core/policy/parse-yaml.js";

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

/**
 * Loads the desired state: lists and reads the policy files, parses them, checks them against the
 * schemas and the semantic rules. Problems in the files come back as diagnostics, never as exceptions;
 * only a missing directory or unreadable schemas throw (from the dependencies).
 */
export async function loadPolicies(dir: string, deps: LoadPoliciesDeps): Promise<LoadedPolicies> {
  const listing = await deps.listPolicyFiles(dir);
  const result = validatePolicyFiles(listing.files, deps.validator, deps.parse);
  const diagnostics = [...listing.diagnostics, ...result.diagnostics];
  if (listing.fileCount === 0 && listing.diagnostics.length === 0) {
    diagnostics.push(fileDiagnostic(dir, "PPG113", "contains no *.yaml or *.yml policy files"));
  }
  return {
    documents: result.documents,
    diagnostics,
    fileCount: listing.fileCount,
    documentCount: result.documentCount,
  };
}
