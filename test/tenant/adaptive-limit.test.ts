import { setImmediate as flush } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { AdaptiveLimit, createReadPools } from "../../src/adapters/tenant/concurrency.js";

describe("AdaptiveLimit", () => {
  it("doubles per round of successes until the first throttle, capped at the ceiling", () => {
    const limit = new AdaptiveLimit(4, 10);
    for (let i = 0; i < 4; i++) limit.recordSuccess();
    expect(limit.current).toBe(8);
    for (let i = 0; i < 8; i++) limit.recordSuccess();
    expect(limit.current).toBe(10);
    expect(limit.peak).toBe(10);
  });

  it("halves on a throttle, once per round, never below 1", () => {
    const limit = new AdaptiveLimit(16, 64);
    const round = limit.epoch;
    expect(limit.recordThrottle(round)).toBe(true);
    expect(limit.current).toBe(8);
    // Other requests of the same round throttled together: no second halving.
    expect(limit.recordThrottle(round)).toBe(false);
    expect(limit.current).toBe(8);
    for (let i = 0; i < 10; i++) limit.recordThrottle(limit.epoch);
    expect(limit.current).toBe(1);
    expect(limit.decreases).toBe(4 + 10 - 3);
  });

  it("grows by one per round of successes after a throttle (additive increase)", () => {
    const limit = new AdaptiveLimit(16, 64);
    limit.recordThrottle(limit.epoch);
    expect(limit.current).toBe(8);
    for (let i = 0; i < 7; i++) limit.recordSuccess();
    expect(limit.current).toBe(8);
    limit.recordSuccess();
    expect(limit.current).toBe(9);
    for (let i = 0; i < 9; i++) limit.recordSuccess();
    expect(limit.current).toBe(10);
  });

  it("starts at the ceiling when the ceiling is lower and refuses nonsense", () => {
    expect(new AdaptiveLimit(16, 4).current).toBe(4);
    expect(() => new AdaptiveLimit(0, 4)).toThrow(RangeError);
    expect(() => new AdaptiveLimit(4, 0)).toThrow(RangeError);
  });
});

/**
 * A fake transport: every task waits until the test ends the current round, which answers all
 * requests in flight at once, either normally or as throttled (the task then reports it to the pool
 * from its own async context, as the HTTP client's listener does).
 */
function fakeService(pools: ReturnType<typeof createReadPools>) {
  let inFlight: ((throttle: boolean) => void)[] = [];
  return {
    request: async (): Promise<void> => {
      const throttle = await new Promise<boolean>((resolve) => inFlight.push(resolve));
      if (throttle) pools.throttled();
    },
    inFlight: () => inFlight.length,
    /** Answers every request in flight; returns how many were in flight. */
    async endRound(throttle = false): Promise<number> {
      const round = inFlight;
      inFlight = [];
      for (const answer of round) answer(throttle);
      for (let i = 0; i < 5; i++) await flush();
      return round.length;
    },
  };
}

describe("createReadPools (adaptive)", () => {
  it("raises the limit while requests succeed and never exceeds the ceiling", async () => {
    const pools = createReadPools({ initial: 4, max: 24 });
    const service = fakeService(pools);
    const all = pools.map(
      "powerPlatform",
      Array.from({ length: 200 }, (_, i) => i),
      service.request,
    );
    await flush();
    const rounds: number[] = [];
    while (service.inFlight() > 0) rounds.push(await service.endRound());
    await all;
    expect(rounds.slice(0, 5)).toEqual([4, 8, 16, 24, 24]);
    expect(Math.max(...rounds)).toBe(24);
    expect(pools.stats().powerPlatform).toEqual({ limit: 24, peakLimit: 24, peakInFlight: 24, decreases: 0 });
  });

  it("halves on throttling, once per round, and sends fewer requests at once afterwards", async () => {
    const pools = createReadPools({ initial: 16, max: 64 });
    const service = fakeService(pools);
    const all = pools.map(
      "bap",
      Array.from({ length: 300 }, (_, i) => i),
      service.request,
    );
    await flush();
    expect(await service.endRound()).toBe(16);
    expect(await service.endRound()).toBe(32);
    // The whole round of 64 is throttled: one halving, not 64.
    expect(await service.endRound(true)).toBe(64);
    expect(pools.stats().bap?.limit).toBe(32);
    // A round of successes adds one (additive increase), then the next throttled round halves it.
    expect(await service.endRound()).toBe(32);
    expect(await service.endRound(true)).toBe(33);
    expect(await service.endRound()).toBe(16);
    while (service.inFlight() > 0) await service.endRound();
    await all;
    const stats = pools.stats().bap;
    expect(stats?.decreases).toBe(2);
    expect(stats?.peakInFlight).toBe(64);
    // After the throttling it grows by one per round only.
    expect(stats?.limit).toBeLessThan(32);
  });

  it("does not grow an idle pool: one request at a time never raises the limit", async () => {
    const pools = createReadPools({ initial: 2, max: 64 });
    for (let i = 0; i < 50; i++) await pools.run("graph", () => Promise.resolve(i));
    expect(pools.stats().graph?.limit).toBe(2);
  });

  it("ignores a throttle report outside any pool task", () => {
    const pools = createReadPools({ initial: 8, max: 8 });
    pools.throttled();
    expect(pools.stats()).toEqual({});
  });

  it("never goes below one request in flight under constant throttling", async () => {
    const pools = createReadPools({ initial: 8, max: 8 });
    const service = fakeService(pools);
    const all = pools.map(
      "graph",
      Array.from({ length: 40 }, (_, i) => i),
      service.request,
    );
    await flush();
    const rounds: number[] = [];
    while (service.inFlight() > 0) rounds.push(await service.endRound(true));
    await all;
    expect(rounds.slice(0, 5)).toEqual([8, 4, 2, 1, 1]);
    expect(pools.stats().graph?.limit).toBe(1);
  });
});
