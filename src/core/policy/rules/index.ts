import type { Diagnostic } from "../../diagnostics.js";
import type { LoadedDocument } from "../types.js";
import { createRuleContext, type Rule } from "./context.js";
import { connectorInOneGroup, endpointRulesEndWithCatchAll, urlPatternsEndWithCatchAll } from "./dlp.js";
import { singleTenant, uniqueDisplayNames, uniqueIds, uniqueNames } from "./identity.js";
import {
  allocationsAreWholeUnits,
  allocationsTheApiTakes,
  oneAssignmentPerGroup,
  oneBillingPolicyPerEnvironment,
} from "./licensing.js";
import {
  knownEnvironmentRefs,
  knownGroupRefs,
  noReferencesToAbsent,
  oneAllocationPerEnvironment,
} from "./references.js";
import { numbersAreExact } from "./numbers.js";
import { allowedTenantsOnce, singletonKinds } from "./singletons.js";

export type { Rule, RuleContext } from "./context.js";

/** Every semantic rule, in the order their findings are most useful to read. */
export const POLICY_RULES: readonly Rule[] = [
  singleTenant,
  singletonKinds,
  uniqueNames,
  uniqueIds,
  uniqueDisplayNames,
  knownEnvironmentRefs,
  knownGroupRefs,
  noReferencesToAbsent,
  oneAllocationPerEnvironment,
  oneAssignmentPerGroup,
  oneBillingPolicyPerEnvironment,
  connectorInOneGroup,
  endpointRulesEndWithCatchAll,
  urlPatternsEndWithCatchAll,
  allocationsAreWholeUnits,
  allocationsTheApiTakes,
  numbersAreExact,
  allowedTenantsOnce,
];

/** Runs the rules over schema-valid documents; returns their diagnostics. */
export function runPolicyRules(
  documents: readonly LoadedDocument[],
  unvalidated: ReadonlySet<string> = new Set(),
  rules: readonly Rule[] = POLICY_RULES,
): Diagnostic[] {
  const { context, diagnostics } = createRuleContext(documents, unvalidated);
  for (const rule of rules) rule(context);
  return diagnostics;
}
