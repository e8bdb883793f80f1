import { sortDiagnostics, type Diagnostic } from "../core/diagnostics.js";
import { diagnosticJson, type DiagnosticsJson } from "./diagnostics.js";

/** What a failed command prints on stdout under `--format json` (docs/diagnostics.md#json-errors). */
export interface ErrorJson {
  error: {
    /** The PpgovError code ("PLAN_STALE", "USAGE", "POLICIES_INVALID", …); "INTERNAL" for a bug. */
    code: string;
    message: string;
    diagnostics: DiagnosticsJson["diagnostics"];
  };
}

/** The JSON error envelope, one object ending in a newline. Pure. */
export function renderErrorJson(
  code: string,
  message: string,
  diagnostics: readonly Diagnostic[] = [],
): string {
  const envelope: ErrorJson = {
    error: { code, message, diagnostics: sortDiagnostics(diagnostics).map(diagnosticJson) },
  };
  return `${JSON.stringify(envelope, null, 2)}\n`;
}
