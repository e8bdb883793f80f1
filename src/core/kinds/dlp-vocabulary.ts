/**
 * The one mapping between the admin-center words users write (business / nonBusiness / blocked /
 * ignore, allow / block / deny) and the DLP wire words (Confidential / General / Blocked / Ignore,
 * Allow / Block / Deny). Nothing else in ppgov spells the wire words.
 */
import type { DlpGroup, UrlPatternGroup } from "../policy/types.js";
import type { ConnectorClassification, UrlPatternClassification } from "../wire/types.js";

const GROUP_TO_WIRE = {
  business: "Confidential",
  nonBusiness: "General",
  blocked: "Blocked",
} as const satisfies Record<DlpGroup, ConnectorClassification>;

const URL_GROUP_TO_WIRE = {
  ...GROUP_TO_WIRE,
  ignore: "Ignore",
} as const satisfies Record<UrlPatternGroup, UrlPatternClassification>;

/** Wire order of the three connector groups in a write body. */
export const WIRE_GROUP_ORDER: readonly DlpGroup[] = ["business", "nonBusiness", "blocked"];

export function groupToWire(group: DlpGroup): ConnectorClassification {
  return GROUP_TO_WIRE[group];
}

export function urlGroupToWire(group: UrlPatternGroup): UrlPatternClassification {
  return URL_GROUP_TO_WIRE[group];
}

/** Reads a wire classification, case-insensitively; unknown words fall back to nonBusiness (General). */
export function groupFromWire(classification: string): DlpGroup {
  switch (classification.toLowerCase()) {
    case "confidential":
      return "business";
    case "blocked":
      return "blocked";
    default:
      return "nonBusiness";
  }
}

export function urlGroupFromWire(classification: string): UrlPatternGroup {
  return classification.toLowerCase() === "ignore" ? "ignore" : groupFromWire(classification);
}

export function actionBehaviorToWire(behavior: "allow" | "block"): "Allow" | "Block" {
  return behavior === "allow" ? "Allow" : "Block";
}

export function actionBehaviorFromWire(behavior: string): "allow" | "block" {
  return behavior.toLowerCase() === "block" ? "block" : "allow";
}

export function endpointBehaviorToWire(behavior: "allow" | "deny"): "Allow" | "Deny" {
  return behavior === "allow" ? "Allow" : "Deny";
}

export function endpointBehaviorFromWire(behavior: string): "allow" | "deny" {
  return behavior.toLowerCase() === "deny" ? "deny" : "allow";
}

export const DLP_SCOPE_TO_WIRE = {
  all: "AllEnvironments",
  only: "OnlyEnvironments",
  except: "ExceptEnvironments",
} as const;

export type DlpScopeType = keyof typeof DLP_SCOPE_TO_WIRE;

export function scopeTypeFromWire(environmentType: string): DlpScopeType {
  switch (environmentType) {
    case "OnlyEnvironments":
      return "only";
    case "ExceptEnvironments":
      return "except";
    default:
      return "all";
  }
}
