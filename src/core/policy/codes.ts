import type { Severity } from "../diagnostics.js";

/**
 * Every diagnostic code the policy loader emits. Codes are stable: a code is never reused for another
 * meaning. PPG1xx: files and YAML. PPG2xx: schema. PPG3xx: semantic rules. docs/diagnostics.md
 * documents each one (a test keeps the two in step).
 */
export interface DiagnosticCodeInfo {
  /** Short title, used as the SARIF rule's shortDescription. */
  title: string;
  severity: Severity;
}

export const DIAGNOSTIC_CODES = {
  PPG100: { title: "Policy file cannot be read", severity: "error" },
  PPG101: { title: "YAML syntax error", severity: "error" },
  PPG102: { title: "Duplicate key in a YAML mapping", severity: "error" },
  PPG103: { title: "Unknown or custom YAML tag", severity: "error" },
  PPG104: { title: "Too many YAML aliases (possible alias bomb)", severity: "error" },
  PPG105: { title: "Policy file too large", severity: "error" },
  PPG106: { title: "Binary or non-UTF-8 policy file", severity: "error" },
  PPG107: { title: "Empty policy file", severity: "error" },
  PPG108: { title: "Empty YAML document", severity: "warning" },
  PPG109: { title: "Document is not a mapping", severity: "error" },
  PPG110: { title: "Symbolic link leaves the policy directory", severity: "error" },
  PPG111: { title: "YAML warning", severity: "warning" },
  PPG112: { title: "Unexpected failure while loading a file", severity: "error" },
  PPG113: { title: "No policy documents found", severity: "error" },
  PPG114: { title: "Policy file contains only comments", severity: "warning" },
  PPG115: { title: "Policy directory too large", severity: "error" },

  PPG201: { title: "Unknown apiVersion", severity: "error" },
  PPG202: { title: "Unknown kind", severity: "error" },
  PPG203: { title: "Required property missing", severity: "error" },
  PPG204: { title: "Unknown property", severity: "error" },
  PPG205: { title: "Value not among the allowed values", severity: "error" },
  PPG206: { title: "Value has the wrong type", severity: "error" },
  PPG207: { title: "Value has the wrong format", severity: "error" },
  PPG208: { title: "Number out of range", severity: "error" },
  PPG209: { title: "Wrong length or number of items", severity: "error" },
  PPG210: { title: "Exactly one of several forms required", severity: "error" },
  PPG211: { title: "Duplicate item in a list", severity: "error" },
  PPG299: { title: "Schema violation", severity: "error" },

  PPG301: { title: "Duplicate metadata.name within a kind", severity: "error" },
  PPG302: { title: "Duplicate displayName within a kind", severity: "error" },
  PPG303: { title: "Unknown environment reference", severity: "error" },
  PPG304: { title: "Unknown environment group reference", severity: "error" },
  PPG305: { title: "Connector in more than one DLP group", severity: "error" },
  PPG306: { title: "Endpoint rules do not end with the catch-all '*'", severity: "error" },
  PPG307: { title: "Custom connector URL patterns do not end with the catch-all '*'", severity: "error" },
  PPG308: { title: "Allocation is not a non-negative integer", severity: "error" },
  PPG309: { title: "More than one Tenant document", severity: "error" },
  PPG310: { title: "Present document references an absent one", severity: "error" },
  PPG311: { title: "More than one LicenseAllocation for an environment", severity: "error" },
  PPG312: { title: "Duplicate metadata.id within a kind", severity: "error" },
  PPG313: { title: "More than one LicenseAssignment for a group", severity: "error" },
  PPG314: { title: "Environment linked to more than one billing policy", severity: "error" },
  PPG315: { title: "More than one TenantSettings or TenantIsolation document", severity: "error" },
  PPG316: { title: "Tenant listed twice in allowedTenants", severity: "error" },
  PPG317: { title: "Currency type the allocations API does not take", severity: "error" },
} as const satisfies Record<string, DiagnosticCodeInfo>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export function isDiagnosticCode(code: string): code is DiagnosticCode {
  return Object.hasOwn(DIAGNOSTIC_CODES, code);
}
