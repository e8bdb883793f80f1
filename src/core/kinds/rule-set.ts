/**
 * Environment-group rule sets (TF internal/services/environment_group_rule_set), which the wire types module
 * does not cover yet. Only what the plan-time "locked by the group" check reads.
 */
export interface WireRuleSetParameter {
  /** "Sharing", "AdminDigest", "SolutionChecker", "Copilot", "Lifecycle", … */
  type: string;
  resourceType?: string;
  value?: { id: string; value: string }[];
  [key: string]: unknown;
}

export interface WireRuleSet {
  id: string;
  lastModified?: string;
  environmentFilter?: { type?: string; values?: { id: string; type?: string }[] };
  parameters: WireRuleSetParameter[];
  [key: string]: unknown;
}

/** Which `managed` settings of an environment each rule-set parameter type owns. */
export const RULE_PARAMETER_SETTINGS: Readonly<Record<string, readonly string[]>> = {
  Sharing: ["maxShareLimit", "limitSharingMode", "groupSharingDisabled"],
  AdminDigest: ["usageInsights", "includeOnHomepageInsights"],
  SolutionChecker: ["solutionCheckerMode", "suppressValidationEmails", "solutionCheckerRuleOverrides"],
  Copilot: ["aiGeneratedDescriptions"],
};
