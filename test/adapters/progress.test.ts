import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createProgress,
  reportWhile,
  silentProgress,
  type Progress,
} from "../../src/adapters/progress/index.js";

afterEach(() => vi.useRealTimers());

function recording(): { progress: Progress; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    progress: {
      phase: (text) => lines.push(text),
      count: (done, total, text) => lines.push(`${done}/${total} ${text}`),
    },
  };
}

describe("reportWhile", () => {
  it("reports the status every interval while the work runs, and never after", async () => {
    vi.useFakeTimers();
    const { progress, lines } = recording();
    let calls = 0;
    let finish: (value: string) => void = () => undefined;
    const work = new Promise<string>((resolve) => (finish = resolve));
    const reported = reportWhile(progress, () => `…${(calls += 100)} API calls so far`, work, 5_000);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(lines).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_001);
    expect(lines).toEqual(["…100 API calls so far", "…200 API calls so far", "…300 API calls so far"]);
    finish("read");
    expect(await reported).toBe("read");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lines).toHaveLength(3);
  });

  it("passes a failure through and stops reporting", async () => {
    vi.useFakeTimers();
    const { progress, lines } = recording();
    const reported = reportWhile(progress, () => "status", Promise.reject(new Error("read failed")), 1_000);
    await expect(reported).rejects.toThrow("read failed");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lines).toEqual([]);
  });

  it("writes nothing when progress is silent (not a terminal, or CI)", async () => {
    vi.useFakeTimers();
    let asked = 0;
    const reported = reportWhile(
      silentProgress,
      () => String((asked += 1)),
      new Promise(() => undefined),
      1_000,
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect(asked).toBe(0);
    void reported;
    const stream = Object.assign(new (await import("node:stream")).PassThrough(), { isTTY: true });
    expect(createProgress({ stream, env: { CI: "true" } })).toBe(silentProgress);
    expect(createProgress({ stream, env: {} })).not.toBe(silentProgress);
  });
});
