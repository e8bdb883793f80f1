import { hash } from "node:crypto";
import { stableStringify } from "../kinds/json.js";
import type { Plan } from "./types.js";

export type HashFunction = (text: string) => string;

/**
 * Hex sha256: pure computation, allowed in the core. The one-shot `hash` skips the Hash object that
 * createHash builds, which is most of the cost for the 10,000 small canonical forms of a large plan.
 */
export function sha256(text: string): string {
  return hash("sha256", text, "hex");
}

/** The digest a plan must carry: sha256 of its stable JSON without `planDigest`. */
export function computePlanDigest(
  plan: Omit<Plan, "planDigest"> | Plan,
  hash: HashFunction = sha256,
): string {
  const { planDigest: _ignored, ...rest } = plan as Plan;
  return `sha256:${hash(stableStringify(rest))}`;
}

/** True when the plan was not altered since it was built. */
export function verifyPlanDigest(plan: Plan, hash: HashFunction = sha256): boolean {
  return typeof plan.planDigest === "string" && plan.planDigest === computePlanDigest(plan, hash);
}
