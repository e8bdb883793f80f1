import { ALLOCATIONS_V2_ONLY_CURRENCY_TYPES, type LoadedDocument } from "../types.js";
import { isAbsent, ofKind, placeOf, type Rule } from "./context.js";

/**
 * PPG308: allocations are whole, non-negative units. The schema normally says so first (with this same
 * code); this rule keeps the guarantee for documents built without the schema. Integers too large to be
 * exact are numbersAreExact's (PPG208).
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

/**
 * PPG317: Copilot Studio credits (MCSMessages) are allocated through the allocationsV2 API, which the
 * environment allocations API ppgov writes does not accept; refused here so no plan ever sends them.
 */
export const allocationsTheApiTakes: Rule = (context) => {
  for (const loaded of ofKind(context.documents, "LicenseAllocation")) {
    for (const currency of Object.keys(loaded.document.spec.allocations)) {
      if (!(ALLOCATIONS_V2_ONLY_CURRENCY_TYPES as readonly string[]).includes(currency)) continue;
      context.report(
        loaded,
        "PPG317",
        `/spec/allocations/${currency}`,
        `spec.allocations.${currency}: Copilot Studio credits are allocated through the allocationsV2 API, not the environment allocations API ppgov manages; allocate them in the Power Platform admin center (Licensing > Copilot Studio) and remove this entry`,
      );
    }
  }
};

/** PPG313: a group's licences are declared by one document; two would undo each other on every apply. */
export const oneAssignmentPerGroup: Rule = (context) => {
  const seen = new Map<string, LoadedDocument>();
  for (const loaded of ofKind(context.documents, "LicenseAssignment")) {
    if (isAbsent(loaded.document)) continue;
    const key = loaded.document.spec.group.toLowerCase();
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, loaded);
      continue;
    }
    context.report(
      loaded,
      "PPG313",
      "/spec/group",
      `group '${loaded.document.spec.group}' already has a LicenseAssignment (${first.document.metadata.name} at ${placeOf(first, "/spec/group")}); list all its licences in one document`,
    );
  }
};

/** PPG314: an environment is billed through at most one billing policy. */
export const oneBillingPolicyPerEnvironment: Rule = (context) => {
  const linkedBy = new Map<string, LoadedDocument>();
  for (const loaded of ofKind(context.documents, "BillingPolicy")) {
    if (isAbsent(loaded.document)) continue;
    (loaded.document.spec.environments ?? []).forEach((environment, index) => {
      const key = environment.toLowerCase();
      const first = linkedBy.get(key);
      if (first === undefined) {
        linkedBy.set(key, loaded);
        return;
      }
      if (first === loaded) return;
      context.report(
        loaded,
        "PPG314",
        `/spec/environments/${index}`,
        `environment '${environment}' is already linked to billing policy ${first.document.metadata.name} (${placeOf(first, "/spec/environments")}); an environment has one billing policy`,
      );
    });
  }
};
