import type { Diagnostic } from "../diagnostics.js";
import { checkEnvelope } from "./envelope.js";
import {
  fileDiagnostic,
  parsePolicyFile,
  type ParsedDocument,
  type ParseOptions,
  type PolicyFile,
} from "./parse-yaml.js";
import { runPolicyRules } from "./rules/index.js";
import { schemaDiagnostics } from "./schema-diagnostics.js";
import type { PolicyValidator } from "./schema-validator.js";
import type { LoadedDocument, PolicyDocument } from "./types.js";

export interface PolicySetResult {
  /** Documents that passed YAML and schema checks (semantic findings do not remove them). */
  documents: LoadedDocument[];
  diagnostics: Diagnostic[];
  /** Files read and non-empty documents found, for the summary line. */
  fileCount: number;
  documentCount: number;
}

/**
 * The pure pipeline: parse every file, check each document's envelope and schema, then run the semantic
 * rules over the documents that passed. Returns values; never throws on any input.
 */
export function validatePolicyFiles(
  files: readonly PolicyFile[],
  validator: PolicyValidator,
  options: ParseOptions = {},
): PolicySetResult {
  const documents: LoadedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  const unvalidated = new Set<string>();
  let documentCount = 0;

  for (const file of files) {
    const parsed = parsePolicyFile(file, options);
    const before = diagnostics.length;
    diagnostics.push(...parsed.diagnostics);
    documentCount += parsed.documentCount;
    for (const document of parsed.documents) {
      try {
        const loaded = checkDocument(document, validator, diagnostics, unvalidated);
        if (loaded !== undefined) documents.push(loaded);
      } catch (error: unknown) {
        // A bug must not hide the other files' findings; report it against the document.
        const reason = error instanceof Error ? error.message : String(error);
        diagnostics.push({
          ...fileDiagnostic(
            file.path,
            "PPG112",
            `document ${document.index + 1} could not be checked: ${reason}`,
          ),
          line: document.source.line,
          column: document.source.column,
        });
      }
    }
    // A file with findings is likely to get more from the rules: keep its tree rather than parse again.
    if (diagnostics.length === before) parsed.release();
  }

  try {
    diagnostics.push(...runPolicyRules(documents, unvalidated));
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    const file = files[0]?.path ?? "";
    diagnostics.push(fileDiagnostic(file, "PPG112", `the semantic rules could not run: ${reason}`));
  }
  return { documents, diagnostics, fileCount: files.length, documentCount };
}

function checkDocument(
  document: ParsedDocument,
  validator: PolicyValidator,
  diagnostics: Diagnostic[],
  unvalidated: Set<string>,
): LoadedDocument | undefined {
  const envelope = checkEnvelope(document);
  if (!document.clean || envelope.kind === undefined) {
    // A document with YAML errors already has its diagnostics; what its broken value lacks is noise.
    if (document.clean) diagnostics.push(...envelope.diagnostics);
    if (envelope.resource !== undefined) unvalidated.add(envelope.resource);
    return undefined;
  }
  const errors = validator.validate(envelope.kind, document.value);
  if (errors.length > 0) {
    diagnostics.push(...schemaDiagnostics(errors, document, validator, envelope.resource));
    if (envelope.resource !== undefined) unvalidated.add(envelope.resource);
    return undefined;
  }
  return {
    document: document.value as PolicyDocument,
    // Lazy: the position is computed (and the file parsed for positions) only if someone asks.
    get source() {
      return document.source;
    },
    index: document.index,
    locate: (pointer) => document.locate(pointer),
  };
}
