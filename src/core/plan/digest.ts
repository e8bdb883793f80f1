import { createHmac, hash, timingSafeEqual } from "node:crypto";
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

/** The digest a plan must carry: sha256 of its stable JSON without `planDigest` and `signature`. */
export function computePlanDigest(
  plan: Omit<Plan, "planDigest"> | Plan,
  hash: HashFunction = sha256,
): string {
  const { planDigest: _ignored, signature: _unsigned, ...rest } = plan as Plan;
  return `sha256:${hash(stableStringify(rest))}`;
}

/** True when the plan's digest matches its content (it may still have been edited and re-digested). */
export function verifyPlanDigest(plan: Plan, hash: HashFunction = sha256): boolean {
  return typeof plan.planDigest === "string" && plan.planDigest === computePlanDigest(plan, hash);
}

const SIGNATURE_PREFIX = "hmac-sha256:";

/**
 * HMAC-SHA256 with the shared key over the plan's digest (which covers everything else in the plan):
 * only a holder of the key can make a plan that a keyed apply accepts.
 */
export function planSignature(plan: Plan, key: string): string {
  return `${SIGNATURE_PREFIX}${createHmac("sha256", key).update(computePlanDigest(plan)).digest("hex")}`;
}

/** The plan with its `signature` set (its digest is unchanged: the signature is not part of it). */
export function signPlan(plan: Plan, key: string): Plan {
  return { ...plan, signature: planSignature(plan, key) };
}

export type SignatureCheck = "valid" | "missing" | "invalid";

/** Checks the plan's signature against the key, in constant time. */
export function checkPlanSignature(plan: Plan, key: string): SignatureCheck {
  if (typeof plan.signature !== "string" || plan.signature === "") return "missing";
  const expected = Buffer.from(planSignature(plan, key), "utf8");
  const actual = Buffer.from(plan.signature, "utf8");
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? "valid" : "invalid";
}
