import type { DiagnosticCodeInfo } from "../policy/codes.js";

/**
 * Diagnostic codes of the planner (PPG4xx): problems found when the documents meet the live tenant.
 * Stable: a code is never reused for another meaning.
 */
export const PLAN_DIAGNOSTIC_CODES = {
  PPG401: { title: "Unknown connector", severity: "error" },
  PPG402: { title: "Unblockable connector in the blocked group", severity: "error" },
  PPG403: { title: "Allocations exceed the tenant's currency pool", severity: "error" },
  PPG404: { title: "License assignments exceed the available seats", severity: "error" },
  PPG405: { title: "Deletion of a protected resource", severity: "error" },
  PPG406: { title: "Setting locked by the environment group's rules", severity: "error" },
  PPG407: { title: "Display name matches several live objects", severity: "error" },
  PPG408: { title: "Pinned metadata.id not found in the tenant", severity: "error" },
  PPG409: { title: "Environment reference not found in the tenant", severity: "error" },
  PPG410: { title: "Unknown SKU or service plan", severity: "error" },
  PPG411: { title: "Entra group not found", severity: "error" },
  PPG412: { title: "Document matches an ignored live object", severity: "warning" },
  PPG413: { title: "Dependency cycle between changes", severity: "error" },
  PPG414: { title: "Several documents match the same live object", severity: "error" },
  PPG415: { title: "Security group set on an environment without Dataverse", severity: "error" },
  PPG416: { title: "Environment type ppgov reads but cannot create or change", severity: "error" },
  PPG417: { title: "Allowed tenant's domain not found", severity: "error" },
  PPG418: { title: "Allowed tenant listed twice once domains are resolved", severity: "error" },
} as const satisfies Record<string, DiagnosticCodeInfo>;

export type PlanDiagnosticCode = keyof typeof PLAN_DIAGNOSTIC_CODES;
