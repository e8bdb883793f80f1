import { describe, expect, it } from "vitest";
import { orderSteps, unitKey, type StepUnit } from "../../src/core/plan/order.js";
import type { StepRequest } from "../../src/core/kinds/resource-kind.js";

function step(label: string): StepRequest {
  return {
    label,
    description: label,
    api: "bap",
    method: "POST",
    path: `/${label}`,
    expect: [200],
    async: "none",
    idempotent: true,
  };
}

function unit(address: string, labels: string[], phase: StepUnit["phase"] = "apply", rank = 1): StepUnit {
  return { address, phase, rank, steps: labels.map(step) };
}

const edge = (
  before: string,
  after: string,
  beforePhase: StepUnit["phase"] = "apply",
  afterPhase: StepUnit["phase"] = "apply",
) => ({
  before: unitKey(before, beforePhase),
  after: unitKey(after, afterPhase),
});

describe("orderSteps", () => {
  it("runs dependencies first and numbers waves by longest path", () => {
    const result = orderSteps(
      [
        unit("P/p", ["create"], "apply", 3),
        unit("E/e", ["create", "managed"], "apply", 2),
        unit("G/g", ["create"], "apply", 1),
        unit("X/x", ["update"], "apply", 2),
      ],
      [edge("G/g", "E/e"), edge("E/e", "P/p")],
    );
    expect(result.ok && result.steps.map((s) => [s.id, s.wave])).toEqual([
      ["G/g:create", 1],
      ["X/x:update", 1],
      ["E/e:create", 2],
      ["E/e:managed", 3],
      ["P/p:create", 4],
    ]);
  });

  it("is stable among independent steps: rank, then address", () => {
    const result = orderSteps(
      [unit("B/b", ["x"], "apply", 2), unit("A/z", ["x"], "apply", 1), unit("A/a", ["x"], "apply", 1)],
      [],
    );
    expect(result.ok && result.steps.map((s) => s.address)).toEqual(["A/a", "A/z", "B/b"]);
  });

  it("orders deletes as the edges say (dependents first)", () => {
    const result = orderSteps(
      [unit("G/g", ["delete"], "destroy"), unit("E/e", ["delete"], "destroy")],
      [edge("E/e", "G/g", "destroy", "destroy")],
    );
    expect(result.ok && result.steps.map((s) => s.id)).toEqual(["E/e:delete", "G/g:delete"]);
  });

  it("reports a cycle, listing it", () => {
    const result = orderSteps(
      [unit("A/a", ["x"]), unit("B/b", ["x"]), unit("C/c", ["x"])],
      [edge("A/a", "B/b"), edge("B/b", "A/a"), edge("B/b", "C/c")],
    );
    expect(result).toEqual({ ok: false, cycle: ["B/b#apply", "A/a#apply", "B/b#apply"] });
  });

  it("orders 20,000 units hanging off one (its speed is bench/plan.mjs's to measure)", () => {
    const units = Array.from({ length: 20000 }, (_, i) => unit(`E/e${i}`, ["create"]));
    const edges = units.slice(1).map((u) => edge("E/e0", u.address));
    const result = orderSteps(units, edges);
    expect(result.ok && result.steps.length).toBe(20000);
    expect(result.ok && result.steps[0]!.address).toBe("E/e0");
  });
});
