/**
 * The combined effect of several DLP policies on one environment. The service evaluates every policy
 * that applies to an environment and enforces all of them (Microsoft Learn, "Combined effect of
 * multiple data policies"): a connector blocked by any one policy is blocked; otherwise each policy's
 * business / non-business split must hold, so a connector that is business in one policy and
 * non-business in another is "mixed" and cannot be used with connectors of either group under both.
 */
import type { DlpGroup } from "../policy/types.js";
import { compare, type EnvironmentView, type PolicyView } from "./policy-view.js";

/** Why a policy applies: tenant-wide, listed in `only`, or not excluded by `except`. */
export type ApplyReason = "all" | "only" | "except";

export interface AppliedPolicy {
  id: string;
  displayName: string;
  reason: ApplyReason;
  /** The reason in words, for people. */
  why: string;
}

/**
 * A connector's group under the combined policies: one of the three groups when every applying
 * policy agrees (or blocks it), "mixed" when business in one and non-business in another, and
 * "unrestricted" when no policy applies to the environment.
 */
export type EffectiveGroup = DlpGroup | "mixed" | "unrestricted";

export interface EffectiveConnector {
  connector: string;
  group: EffectiveGroup;
  /** Policy id → the group that policy gives the connector. */
  byPolicy: Record<string, DlpGroup>;
}

export interface EffectivePolicy {
  environment: EnvironmentView;
  applied: AppliedPolicy[];
  /** Sorted by connector name. */
  connectors: EffectiveConnector[];
  /** Connectors that are business in one applying policy and non-business in another. */
  mixed: string[];
}

const WHY: Record<ApplyReason, string> = {
  all: "applies to every environment",
  only: "lists this environment",
  except: "applies to every environment except those it lists, and this one is not listed",
};

/** Whether a policy applies to an environment, and why. */
export function applyReason(policy: PolicyView, environmentId: string): ApplyReason | undefined {
  const listed = policy.scope.environments.includes(environmentId);
  switch (policy.scope.type) {
    case "all":
      return "all";
    case "only":
      return listed ? "only" : undefined;
    case "except":
      return listed ? undefined : "except";
  }
}

export function policiesApplyingTo(
  policies: readonly PolicyView[],
  environmentId: string,
): { policy: PolicyView; applied: AppliedPolicy }[] {
  const out: { policy: PolicyView; applied: AppliedPolicy }[] = [];
  for (const policy of policies) {
    const reason = applyReason(policy, environmentId);
    if (reason === undefined) continue;
    out.push({
      policy,
      applied: { id: policy.id, displayName: policy.displayName, reason, why: WHY[reason] },
    });
  }
  return out;
}

/** The combined group of one connector from the groups the applying policies give it. */
export function combineGroups(groups: readonly DlpGroup[]): EffectiveGroup {
  if (groups.length === 0) return "unrestricted";
  if (groups.includes("blocked")) return "blocked";
  const business = groups.includes("business");
  const nonBusiness = groups.includes("nonBusiness");
  return business && nonBusiness ? "mixed" : business ? "business" : "nonBusiness";
}

/** The effective policy of one environment under a set of policies. */
export function effectivePolicy(
  policies: readonly PolicyView[],
  environment: EnvironmentView,
  connectorNames?: readonly string[],
): EffectivePolicy {
  const applying = policiesApplyingTo(policies, environment.id);
  const names = new Set<string>(connectorNames ?? []);
  if (connectorNames === undefined)
    for (const policy of policies) for (const name of Object.keys(policy.connectors)) names.add(name);
  const connectors: EffectiveConnector[] = [...names].sort(compare).map((connector) => {
    const byPolicy: Record<string, DlpGroup> = {};
    for (const { policy } of applying) {
      const group = policy.connectors[connector] ?? policy.defaultGroup;
      byPolicy[policy.id] = group;
    }
    return { connector, group: combineGroups(Object.values(byPolicy)), byPolicy };
  });
  return {
    environment,
    applied: applying.map(({ applied }) => applied),
    connectors,
    mixed: connectors.filter((entry) => entry.group === "mixed").map((entry) => entry.connector),
  };
}
