import { describe, expect, it } from "vitest";
import { appliedAt } from "../../../src/app/apply-engine.js";
import type { JournalEntry } from "../../../src/adapters/fs/journal-file.js";
import {
  checkPlanSignature,
  computePlanDigest,
  planDifferences,
  signPlan,
  summarizeSteps,
  verifyPlanDigest,
  PLAN_FORMAT_VERSION,
  type Plan,
  type PlanResource,
  type PlanStep,
} from "../../../src/core/plan/index.js";

/** The pure parts of "a saved plan is an approval": step comparison, step-counted summary, signature. */

function step(address: string, label: string, method: PlanStep["method"] = "PATCH"): PlanStep {
  return {
    id: `${address}:${label}`,
    address,
    wave: 1,
    label,
    description: `${label} ${address}`,
    api: "bap",
    method,
    path: `/things/${address}`,
    expect: [200],
    async: "none",
    idempotent: true,
  };
}

function resource(address: string, action: PlanResource["action"]): PlanResource {
  const [kind, name] = address.split("/") as [PlanResource["kind"], string];
  return { address, kind, name, id: null, displayName: name, action, changedPaths: [], fingerprint: null };
}

function planOf(steps: PlanStep[], resources: PlanResource[]): Plan {
  const plan: Omit<Plan, "planDigest"> = {
    formatVersion: PLAN_FORMAT_VERSION,
    mode: "plan",
    createdAt: "2026-12-07T00:00:00.000Z",
    tenantId: "t",
    git: { dir: "policies" },
    desiredDigest: `sha256:${"0".repeat(64)}`,
    resources,
    steps,
    summary: { add: 0, change: 0, destroy: 0, replace: 0, noop: 0 },
    newConnectors: [],
    names: {},
  };
  return { ...plan, planDigest: computePlanDigest(plan) };
}

describe("planDifferences", () => {
  const derived = planOf(
    [step("DlpPolicy/a", "update"), step("EnvironmentGroup/g", "update")],
    [resource("DlpPolicy/a", "update"), resource("EnvironmentGroup/g", "update")],
  );

  it("is empty for the same steps and actions", () => {
    expect(planDifferences(structuredClone(derived), derived)).toEqual([]);
  });

  it("names a step whose method was changed, an extra step, a missing one and a changed action", () => {
    const saved = planOf(
      [step("DlpPolicy/a", "update", "DELETE"), step("Environment/x", "delete", "DELETE")],
      [resource("DlpPolicy/a", "delete"), resource("EnvironmentGroup/g", "update")],
    );
    expect(planDifferences(saved, derived)).toEqual([
      "step DlpPolicy/a:update: the plan says DELETE /things/DlpPolicy/a, the policies lead to PATCH /things/DlpPolicy/a",
      "step Environment/x:delete (DELETE /things/Environment/x) is not one the policies lead to",
      "step EnvironmentGroup/g:update (PATCH /things/EnvironmentGroup/g) is missing from the plan",
      "DlpPolicy/a: the plan says delete, the policies lead to update",
    ]);
  });

  it("names a body change and a reordering", () => {
    const saved = planOf(
      [{ ...step("EnvironmentGroup/g", "update"), body: { x: 1 } }, step("DlpPolicy/a", "update")],
      derived.resources,
    );
    expect(planDifferences(saved, derived)).toEqual([
      "step EnvironmentGroup/g:update: its body differs from what the policies lead to",
      "step DlpPolicy/a:update is out of the order the policies lead to",
    ]);
  });

  it("spells out five differences and counts the rest", () => {
    const many = Array.from({ length: 8 }, (_, index) => step(`DlpPolicy/p${index}`, "update"));
    const lines = planDifferences(planOf(many, []), planOf([], []));
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe("… and 3 more");
  });
});

describe("summarizeSteps", () => {
  it("counts each address with steps once, by its resource's action; a replace is one added and one destroyed", () => {
    const plan = planOf(
      [
        step("Environment/new", "create", "POST"),
        step("Environment/old", "delete", "DELETE"),
        step("Environment/re", "delete", "DELETE"),
        step("Environment/re", "create", "POST"),
        step("DlpPolicy/a", "update"),
        step("DlpPolicy/a", "rules"),
      ],
      [
        resource("Environment/new", "create"),
        resource("Environment/old", "delete"),
        resource("Environment/re", "replace"),
        resource("DlpPolicy/a", "update"),
        resource("DlpPolicy/idle", "no-op"),
      ],
    );
    expect(summarizeSteps(plan)).toEqual({ add: 2, change: 1, destroy: 2 });
  });
});

describe("plan signatures (PPGOV_PLAN_KEY)", () => {
  const plan = planOf([step("DlpPolicy/a", "update")], [resource("DlpPolicy/a", "update")]);

  it("signs without changing the digest, and checks the key", () => {
    const signed = signPlan(plan, "k1");
    expect(signed.signature).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(verifyPlanDigest(signed)).toBe(true);
    expect(checkPlanSignature(signed, "k1")).toBe("valid");
    expect(checkPlanSignature(signed, "k2")).toBe("invalid");
    expect(checkPlanSignature(plan, "k1")).toBe("missing");
  });

  it("does not accept a signature once the plan was edited and re-digested", () => {
    const signed = signPlan(plan, "k1");
    const edited: Plan = { ...signed, steps: [step("DlpPolicy/a", "update", "DELETE")] };
    edited.planDigest = computePlanDigest(edited);
    expect(verifyPlanDigest(edited)).toBe(true);
    expect(checkPlanSignature(edited, "k1")).toBe("invalid");
  });
});

describe("appliedAt", () => {
  const plan = planOf([step("A/a", "update"), step("B/b", "update")], []);
  const end = (stepId: string, at: string, planDigest = plan.planDigest): JournalEntry => ({
    at,
    planDigest,
    stepId,
    address: stepId.split(":")[0]!,
    event: "end",
    outcome: "succeeded",
  });

  it("is the last step's end once every step of this plan succeeded", () => {
    expect(appliedAt([end("A/a:update", "t1"), end("B/b:update", "t2")], plan)).toBe("t2");
  });

  it("is undefined while a step has not succeeded in a run of this plan", () => {
    expect(appliedAt([end("A/a:update", "t1")], plan)).toBeUndefined();
    expect(
      appliedAt([end("A/a:update", "t1"), end("B/b:update", "t2", "sha256:other")], plan),
    ).toBeUndefined();
  });
});
