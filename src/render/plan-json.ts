import { stableStringify } from "../core/kinds/json.js";
import type { Plan } from "../core/plan/types.js";

/** The plan file: JSON with stable key order (schemas/plan.schema.json), newline-terminated. */
export function renderPlanJson(plan: Plan): string {
  return `${stableStringify(plan, 2)}\n`;
}
