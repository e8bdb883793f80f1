import { describe, expect, it } from "vitest";
import { createReadPools, type ReadService } from "../../src/adapters/tenant/concurrency.js";

/** A task that records how many tasks of its service are in flight, then resolves after a tick. */
function tracker(): {
  task: (service: ReadService, value: number) => () => Promise<number>;
  peak: Map<ReadService, number>;
} {
  const active = new Map<ReadService, number>();
  const peak = new Map<ReadService, number>();
  return {
    peak,
    task: (service, value) => async () => {
      const now = (active.get(service) ?? 0) + 1;
      active.set(service, now);
      peak.set(service, Math.max(peak.get(service) ?? 0, now));
      await new Promise((resolve) => setTimeout(resolve, 2));
      active.set(service, (active.get(service) ?? 1) - 1);
      return value;
    },
  };
}

describe("createReadPools", () => {
  it("bounds each service on its own and keeps input order", async () => {
    const pools = createReadPools(3);
    const { task, peak } = tracker();
    const inputs = Array.from({ length: 20 }, (_, index) => index);
    const [bap, graph, allocations] = await Promise.all([
      pools.map("bap", inputs, (value) => task("bap", value)()),
      pools.map("graph", inputs, (value) => task("graph", value * 2)()),
      // Single runs share the pool with map calls of the same service.
      Promise.all(inputs.map((value) => pools.run("powerPlatform", task("powerPlatform", value)))),
    ]);
    expect(bap).toEqual(inputs);
    expect(graph).toEqual(inputs.map((value) => value * 2));
    expect(allocations).toEqual(inputs);
    expect(peak.get("bap")).toBe(3);
    expect(peak.get("graph")).toBe(3);
    expect(peak.get("powerPlatform")).toBe(3);
  });

  it("shares one budget between two collections of the same service", async () => {
    const pools = createReadPools(4);
    const { task, peak } = tracker();
    const inputs = Array.from({ length: 12 }, (_, index) => index);
    await Promise.all([
      pools.map("powerPlatform", inputs, (value) => task("powerPlatform", value)()),
      pools.map("powerPlatform", inputs, (value) => task("powerPlatform", value)()),
    ]);
    expect(peak.get("powerPlatform")).toBe(4);
  });

  it("rejects with the first failure and starts nothing after it", async () => {
    const pools = createReadPools(1);
    const started: number[] = [];
    const failure = new Error("read 2 failed");
    const outcome = pools.map("bap", [0, 1, 2, 3, 4], (value) => {
      started.push(value);
      return value === 2 ? Promise.reject(failure) : Promise.resolve(value);
    });
    await expect(outcome).rejects.toBe(failure);
    expect(started).toEqual([0, 1, 2]);
  });
});
