import { ofKind, type Rule } from "./context.js";

/**
 * PPG308: allocations are whole, non-negative units. The schema normally says so first (with this same
 * code); this rule keeps the guarantee for documents built without the schema.
 */
export const allocationsAreWholeUnits: Rule = (context) => {
  for (const loaded of ofKind(context.documents, "LicenseAllocation")) {
    for (const [currency, amount] of Object.entries(loaded.document.spec.allocations)) {
      if (typeof amount === "number" && Number.isInteger(amount) && amount >= 0) continue;
      context.report(
        loaded,
        "PPG308",
        `/spec/allocations/${currency}`,
        `spec.allocations.${currency} must be an integer ≥ 0 (got ${String(amount)})`,
      );
    }
  }
};
