import { spawnSync } from "node:child_process";
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
      /^usage: node bench\/soak\.mjs \[--runs N\] \[--crash N\] \[--seed N\] \[--json\]/,
    );
    expect(result.stdout).toContain(
      "--crash N  applies killed with SIGKILL mid-run, then re-run (default 100)",
    );
    expect(result.stdout).not.toContain("soak seed");
  });

  it.each([
    [["--bogus"], "unknown option '--bogus'"],
    [["--runs", "3", "--crashes", "2"], "unknown option '--crashes'"],
    [["--runs"], "--runs needs a whole number (got nothing)"],
    [["--runs", "ten"], "--runs needs a whole number (got ten)"],
    [["--seed=-1"], "--seed needs a whole number (got -1)"],
    [["200"], "unknown option '200'"],
  ])("%j exits 2 with a message, no soak started", (args, message) => {
    const result = soak(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`soak: ${message}`);
    expect(result.stderr).toContain("(run 'node bench/soak.mjs --help' for usage)");
    expect(result.stdout).toBe("");
    expect(result.ms).toBeLessThan(15_000);
  });
});
