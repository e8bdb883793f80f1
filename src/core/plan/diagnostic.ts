import type { Diagnostic } from "../diagnostics.js";
import type { LoadedDocument } from "../policy/types.js";
import { PLAN_DIAGNOSTIC_CODES, type PlanDiagnosticCode } from "./codes.js";

/** A planner diagnostic located at a pointer of the document it concerns. */
export function documentDiagnostic(
  code: PlanDiagnosticCode,
  message: string,
  at: { loaded: LoadedDocument; address?: string },
  pointer = "",
): Diagnostic {
  const location = at.loaded.locate(pointer);
  return {
    severity: PLAN_DIAGNOSTIC_CODES[code].severity,
    code,
    message,
    file: location.file,
    line: location.line,
    column: location.column,
    pointer,
    ...(at.address === undefined ? {} : { resource: at.address }),
  };
}

/** A planner diagnostic about the tenant or the plan as a whole (no document to point at). */
export function planDiagnostic(code: PlanDiagnosticCode, message: string, resource?: string): Diagnostic {
  return {
    severity: PLAN_DIAGNOSTIC_CODES[code].severity,
    code,
    message,
    file: "",
    line: 0,
    column: 0,
    ...(resource === undefined ? {} : { resource }),
  };
}
