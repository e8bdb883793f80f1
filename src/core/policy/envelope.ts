import type { Diagnostic } from "../diagnostics.js";
import { DIAGNOSTIC_CODES, type DiagnosticCode } from "./codes.js";
import type { ParsedDocument } from "./parse-yaml.js";
import { show } from "./schema-diagnostics.js";
import { didYouMean } from "./suggest.js";
import { API_VERSION, KINDS, type KindName } from "./types.js";

export interface EnvelopeCheck {
  /** Set when apiVersion and kind are both right: the document can be checked against its kind's schema. */
  kind?: KindName;
  /** "Kind/name" when the document says both, even if it is otherwise broken. */
  resource?: string;
  diagnostics: Diagnostic[];
}

/**
 * Checks apiVersion and kind before the schema runs: a document of an unknown version or kind has no
 * schema to check against, and one clear message beats a page of "must match then schema".
 */
export function checkEnvelope(document: ParsedDocument): EnvelopeCheck {
  const value = document.value as Record<string, unknown>;
  const name = (value.metadata as { name?: unknown } | null | undefined)?.name;
  const kindValue = value.kind;
  const resource =
    typeof kindValue === "string" && typeof name === "string" && name !== ""
      ? `${kindValue}/${name}`
      : undefined;
  const diagnostics: Diagnostic[] = [];
  const report = (code: DiagnosticCode, pointer: string, message: string): void => {
    const location = document.locate(pointer);
    diagnostics.push({
      severity: DIAGNOSTIC_CODES[code].severity,
      code,
      message,
      file: location.file,
      line: location.line,
      column: location.column,
      pointer,
      ...(resource === undefined ? {} : { resource }),
    });
  };

  if (!("apiVersion" in value)) {
    report("PPG203", "", `apiVersion is required (every document starts with 'apiVersion: ${API_VERSION}')`);
  } else if (value.apiVersion !== API_VERSION) {
    report(
      "PPG201",
      "/apiVersion",
      `apiVersion ${show(value.apiVersion)} is not supported; this version of ppgov reads '${API_VERSION}'`,
    );
  }
  let kind: KindName | undefined;
  if (!("kind" in value)) {
    report("PPG203", "", `kind is required (one of ${KINDS.join(", ")})`);
  } else {
    kind = KINDS.find((candidate) => candidate === kindValue);
    if (kind === undefined) {
      const hint = typeof kindValue === "string" ? didYouMean(kindValue, KINDS) : "";
      report("PPG202", "/kind", `kind must be one of ${KINDS.join(", ")} (got ${show(kindValue)})${hint}`);
    }
  }
  if (diagnostics.length > 0) return { diagnostics, ...(resource === undefined ? {} : { resource }) };
  return { kind, diagnostics, ...(resource === undefined ? {} : { resource }) };
}
