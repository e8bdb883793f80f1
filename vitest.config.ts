import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end suites spawn the built CLI; build once before any test runs.
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
  },
});
