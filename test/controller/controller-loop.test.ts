import { describe, expect, it } from "vitest";
import {
  Controller,
  cycleLine,
  parseDuration,
  type ControllerDeps,
  type ReconcileResult,
} from "../../src/app/controller.js";
import { ControllerMetrics } from "../../src/app/controller-metrics.js";
import { PpgovError } from "../../src/core/errors.js";

/** Deps on a virtual clock: sleep advances time instantly; scripted commits and failures. */
function harness(script: { commits: string[]; failures?: number; stopAfter: number }) {
  let clock = 0;
  let syncs = 0;
  const sleeps: number[] = [];
  const reconciled: string[] = [];
  let failuresLeft = script.failures ?? 0;
  const metrics = new ControllerMetrics();
  const ref: { controller?: Controller } = {};
  const deps: ControllerDeps = {
    sync: () => {
      syncs += 1;
      if (syncs >= script.stopAfter) ref.controller?.stop();
      return Promise.resolve(script.commits[Math.min(syncs - 1, script.commits.length - 1)] ?? "c0");
    },
    reconcile: (commit): Promise<ReconcileResult> => {
      clock += 1500;
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        return Promise.reject(new Error("tenant unavailable"));
      }
      reconciled.push(commit);
      return Promise.resolve({ drifted: 2, applied: 0, apiCalls: 10, throttled: 1 });
    },
    now: () => clock,
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    random: () => 1,
    log: () => undefined,
    metrics,
  };
  const controller = new Controller(
    { mode: "detect", intervalMs: 10_000, pollMs: 1_000, maxBackoffMs: 8_000 },
    deps,
  );
  ref.controller = controller;
  return { controller, sleeps, reconciled, metrics };
}

describe("controller loop", () => {
  it("reconciles each new commit once, and again when the interval has passed", async () => {
    const h = harness({
      commits: ["a", "a", "b", "b", "b", "b", "b", "b", "b", "b", "b", "b", "b", "b"],
      stopAfter: 14,
    });
    await h.controller.run();
    expect(h.reconciled.slice(0, 2)).toEqual(["a", "b"]);
    expect(h.reconciled.length).toBeGreaterThanOrEqual(3); // "b" again after 10 s of polling
    expect(h.metrics.render()).toContain('ppgov_reconcile_total{mode="detect",result="success"} ');
    expect(h.metrics.apiCalls).toBe(10 * h.reconciled.length);
  });

  it("backs off exponentially on failures, capped, then recovers", async () => {
    const h = harness({ commits: ["a"], failures: 5, stopAfter: 7 });
    await h.controller.run();
    expect(h.sleeps.slice(0, 5)).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(h.reconciled).toEqual(["a"]);
    expect(h.controller.status.consecutiveFailures).toBe(0);
    expect(h.metrics.render()).toContain('ppgov_reconcile_total{mode="detect",result="failure"} 5');
  });

  it("stops for good when another controller holds the tenant", async () => {
    const h = harness({ commits: ["a"], stopAfter: 100 });
    const locked = new Controller(
      { mode: "apply", intervalMs: 1000, pollMs: 100, maxBackoffMs: 1000 },
      {
        ...(h.controller as unknown as { deps: ControllerDeps }).deps,
        reconcile: () => Promise.reject(new PpgovError("LOCKED", "another ppgov controller holds it")),
      },
    );
    await expect(locked.run()).rejects.toThrow(/another ppgov controller/);
  });

  it("parses durations", () => {
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("5 minutes")).toBeUndefined();
  });
});

describe("cycleLine", () => {
  it("says in one line what the cycle saw and did, naming the first three drifted addresses", () => {
    const result = {
      drifted: 5,
      driftedAddresses: ["DlpPolicy/a", "DlpPolicy/b", "Environment/c", "Environment/d", "Environment/e"],
      applied: 7,
      apiCalls: 41,
      throttled: 2,
    };
    expect(cycleLine("0123456789abcdef", "new commit", "apply", result, 2.34)).toBe(
      "cycle at 0123456789ab (new commit): drift in 5 resources (DlpPolicy/a, DlpPolicy/b, Environment/c, … and 2 more); applied 7 steps; 41 API calls, 2 throttled; 2.3 s",
    );
    expect(
      cycleLine(
        "0123456789abcdef",
        "interval",
        "detect",
        { drifted: 0, applied: 0, apiCalls: 9, throttled: 0 },
        12.6,
      ),
    ).toBe(
      "cycle at 0123456789ab (interval): no drift; detect only, nothing applied; 9 API calls, 0 throttled; 13 s",
    );
  });
});
