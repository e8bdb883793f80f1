import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end suites spawn the built CLI; build once before any test runs.
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    // Most of the wall time is spent waiting on spawned CLIs, emulator lifecycles and Retry-After, not on
    // CPU; vitest's default (cores - 1) ran one file at a time on a 2-core runner. Whole suite measured on
    // 2 cores: 1 worker 6m07s, 2 workers 3m22s, 4 workers 3m09s (each file slower under the contention, the
    // longest file already the critical path), so two at least, one per core beyond that.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
