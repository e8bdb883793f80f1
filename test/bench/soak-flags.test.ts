import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/run-cli.js";

/** Runs the soak harness with `args`; a soak that started would take minutes, so 20 s is a refusal. */
function soak(...args: string[]) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [join(repoRoot, "bench/soak.mjs"), ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 20_000,
  });
  return { ...result, ms: performance.now() - started };
}

describe("bench/soak.mjs flags", () => {
  it.each([["--help"], ["-h"], ["--runs", "3", "--help"]])("%s prints the usage and exits 0", (...args) => {
    const result = soak(...args);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^usage: node bench\/soak\.mjs \[--runs N\] \[--crash N\] \[--seed N\] \[--only N\] \[--json\]/,
    );
    expect(result.stdout).toContain(
      "--crash N  applies killed with SIGKILL mid-run, then re-run (default 100)",
    );
    expect(result.stdout).toContain("--only N   reproduce fault run N alone");
    expect(result.stdout).toContain("full stderr of every apply that breached is written to a file");
    expect(result.stdout).not.toContain("soak seed");
  });

  it.each([
    [["--bogus"], "unknown option '--bogus'"],
    [["--runs", "3", "--crashes", "2"], "unknown option '--crashes'"],
    [["--runs"], "--runs needs a whole number (got nothing)"],
    [["--runs", "ten"], "--runs needs a whole number (got ten)"],
    [["--seed=-1"], "--seed needs a whole number (got -1)"],
    [["200"], "unknown option '200'"],
    [["--only", "0"], "--only needs a run number from 1"],
    [["--only"], "--only needs a whole number (got nothing)"],
    [["--only", "x"], "--only needs a whole number (got x)"],
  ])("%j exits 2 with a message, no soak started", (args, message) => {
    const result = soak(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`soak: ${message}`);
    expect(result.stderr).toContain("(run 'node bench/soak.mjs --help' for usage)");
    expect(result.stdout).toBe("");
    expect(result.ms).toBeLessThan(15_000);
  });

  it("--only 1 runs fault run 1 and no crash run, and reports only it", () => {
    const result = spawnSync(
      process.execPath,
      [join(repoRoot, "bench/soak.mjs"), "--only", "1", "--seed", "7", "--json"],
      { cwd: repoRoot, encoding: "utf8", timeout: 120_000 },
    );
    expect(result.status, result.stderr + result.stdout).toBe(0);
    const { figures, reportDir } = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as {
      figures: { runs: number; crashRuns: number };
      reportDir?: string;
    };
    // Run N's own apply stderr is always kept.
    expect(reportDir).toBeDefined();
    rmSync(reportDir!, { recursive: true, force: true });
    expect(figures.runs).toBe(1);
    expect(figures.crashRuns).toBe(0);
  }, 130_000);
});
