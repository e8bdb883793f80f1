import type { ChangeAction, StepRequest } from "../kinds/resource-kind.js";
import type { RegisteredKind } from "../kinds/registry.js";
import type { DesiredResource } from "./desired-state.js";
import type { ChangedPath } from "./diff.js";
import type { DlpEffect } from "../effective/effect-types.js";
import type { PlanImpact } from "../impact/types.js";

/** One resource's change while planning (in memory; the plan JSON keeps a subset). */
export interface ResourceChange {
  kind: RegisteredKind;
  /** metadata.name, or `id:<guid>` for a live object no document declares (prune). */
  name: string;
  address: string;
  /** Live id (absent for a create). */
  id?: string;
  displayName: string;
  action: ChangeAction;
  /** Canonical live form. */
  before?: object;
  /** Intended canonical form. */
  after?: object;
  changedPaths: ChangedPath[];
  reason?: string;
  resource?: DesiredResource;
  live?: unknown;
  fingerprint?: string;
  /** Path → remark for people ("via defaultGroup"). */
  notes: Record<string, string>;
}

export const PLAN_FORMAT_VERSION = 1;

export interface PlanResource {
  address: string;
  kind: RegisteredKind;
  name: string;
  id: string | null;
  displayName: string;
  action: ChangeAction;
  changedPaths: ChangedPath[];
  reason?: string;
  /** The live object's change marker when planned: etag, modified time, or "sha256:<hash of its canonical form>"; null for a create. */
  fingerprint: string | null;
  notes?: Record<string, string>;
}

export interface PlanStep extends StepRequest {
  /** "<address>:<label>", unique in the plan and stable across plans of the same change. */
  id: string;
  address: string;
  /** Steps of the same wave do not depend on each other; wave n+1 starts after wave n. */
  wave: number;
}

export interface NewConnector {
  name: string;
  displayName: string;
  /** Where it lands in each planned DLP policy. */
  effects: { address: string; group: string }[];
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  replace: number;
  noop: number;
}

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  /** "drift": the same plan, read as what changed in the tenant behind the repository's back. */
  mode: "plan" | "drift";
  createdAt: string;
  tenantId: string | null;
  /**
   * Where the plan's policies came from: the commit (and whether the tree was dirty), and the policy
   * directory as given to plan (relative to the directory ppgov ran in), so `apply PLANFILE` finds them.
   */
  git: { commit?: string; dirty?: boolean; dir?: string };
  /** sha256 of the desired documents (sorted, stable key order). */
  desiredDigest: string;
  resources: PlanResource[];
  steps: PlanStep[];
  summary: PlanSummary;
  newConnectors: NewConnector[];
  /** Live id → display name, for ids that appear in changed values. */
  names: Record<string, string>;
  /** DLP changes: existing environments whose effective connector groups move (absent when none do). */
  effect?: DlpEffect;
  /** `plan --impact`: the apps and flows that use the connectors that move. */
  impact?: PlanImpact;
  /** sha256 over the plan without this field and `signature`, stable key order. */
  planDigest: string;
  /** `hmac-sha256:<hex>` of planDigest with PPGOV_PLAN_KEY, when the plan was made with that key set. */
  signature?: string;
}
