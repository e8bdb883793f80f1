/** The planner's public surface: what the app layer calls. */
export { buildDesiredState, requiredLiveCollections } from "./desired-state.js";
export type { DesiredResource, DesiredState, LiveRequirements } from "./desired-state.js";
export { emptyLiveTenant } from "./live-tenant.js";
export type {
  LiveAllocation,
  LiveBillingPolicy,
  LiveCollection,
  LiveTenant,
  LiveTenantIsolation,
  LiveTenantSettings,
} from "./live-tenant.js";
export { buildPlan, desiredDigest, planHasChanges } from "./plan.js";
export type { BuildPlanOptions, PlanResult } from "./plan.js";
export { checkPlanSignature, computePlanDigest, sha256, signPlan, verifyPlanDigest } from "./digest.js";
export type { SignatureCheck } from "./digest.js";
export { planDifferences, summarizeSteps } from "./rederive.js";
export type { StepSummary } from "./rederive.js";
export { findStaleResources, liveFingerprints } from "./stale.js";
export type { StaleResource } from "./stale.js";
export { simulateApply } from "./simulate.js";
export { PLAN_DIAGNOSTIC_CODES } from "./codes.js";
export { refsIn, substituteRefs } from "../kinds/placeholder.js";
export type { NewConnector, Plan, PlanResource, PlanStep, PlanSummary, ResourceChange } from "./types.js";
export { PLAN_FORMAT_VERSION } from "./types.js";
