import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll } from "vitest";
import { repoRoot } from "./run-cli.js";

/**
 * A scratch directory under the repository's node_modules/.cache, removed after the file's tests: a
 * generated module written there resolves its require("ajv/dist/runtime/…") as dist/ does.
 */
export function moduleScratchDir(prefix: string): string {
  const cacheDir = join(repoRoot, "node_modules", ".cache");
  mkdirSync(cacheDir, { recursive: true });
  const dir = mkdtempSync(join(cacheDir, prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
