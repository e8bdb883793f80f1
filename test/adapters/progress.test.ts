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

describe("createProgress with logLines (apply in a CI log)", () => {
  async function logStream(): Promise<{ stream: NodeJS.WritableStream; text: () => string }> {
    const { PassThrough } = await import("node:stream");
    const stream = new PassThrough();
    let text = "";
    stream.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    return { stream, text: () => text };
  }

  it("writes plain lines off a terminal: phases, steps started and finished", async () => {
    const { stream, text } = await logStream();
    const progress = createProgress({ stream, env: {}, logLines: true });
    progress.phase("applying 2 steps…");
    progress.count(1, 2, "DlpPolicy/a: update DLP policy");
    progress.finished?.(1, 2, "DlpPolicy/a: update DLP policy", "succeeded", 1_234);
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toBe(
      [
        "ppgov: applying 2 steps…",
        "ppgov: step 1 of 2 started: DlpPolicy/a: update DLP policy",
        "ppgov: step 1 of 2 succeeded in 1.2 s: DlpPolicy/a: update DLP policy",
        "",
      ].join("\n"),
    );
  });

  it("beats every interval while the work waits, with the elapsed time, and stops when it settles", async () => {
    vi.useFakeTimers();
    const { stream, text } = await logStream();
    let clock = 0;
    const progress = createProgress({ stream, env: { CI: "true" }, logLines: true, now: () => clock });
    let finish: () => void = () => undefined;
    const work = new Promise<void>((resolve) => (finish = resolve));
    const beating = progress.heartbeat!((elapsed) => `still waiting for X, ${elapsed} ms`, work);
    clock = 10_000;
    await vi.advanceTimersByTimeAsync(10_000);
    clock = 20_000;
    await vi.advanceTimersByTimeAsync(10_000);
    finish();
    await beating;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(text()).toBe("ppgov: still waiting for X, 10000 ms\nppgov: still waiting for X, 20000 ms\n");
  });

  it("stays silent off a terminal without logLines (plan, drift)", async () => {
    const { stream } = await logStream();
    expect(createProgress({ stream, env: {} })).toBe(silentProgress);
  });
});
