// The import rules of .dependency-cruiser.js (run by `npm run lint`) fail on an import circle, a
// type-only one included, and on an import running back up the layers; a tree that keeps them passes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const CONFIG = join(ROOT, ".dependency-cruiser.js");
const DEPCRUISE = join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** Cruises a src/ tree of `files` (path → content) with the repository's rules. */
function cruise(files: Record<string, string>): { status: number | null; violations: Violation[] } {
  const root = mkdtempSync(join(tmpdir(), "ppgov-import-rules-"));
  roots.push(root);
  const tsconfig = { compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true } };
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify(tsconfig));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [DEPCRUISE, "--config", CONFIG, ...args, "src"], {
      cwd: root,
      encoding: "utf8",
    });
  // As `npm run lint:imports` runs it (its exit code), then as JSON for the rules that fired.
  const { status } = run();
  const output = JSON.parse(run("--output-type", "json").stdout) as { summary: { violations: Violation[] } };
  return { status, violations: output.summary.violations };
}

const names = (violations: readonly Violation[]) => violations.map((violation) => violation.rule.name).sort();

describe("import rules", { timeout: 120_000 }, () => {
  it("pass a tree whose imports only go down the layers", () => {
    const result = cruise({
      "src/core/model.ts": "export interface Model { name: string }\n",
      "src/adapters/store.ts":
        'import type { Model } from "../core/model.js";\nexport const none: Model[] = [];\n',
      "src/app/use.ts": 'import { none } from "../adapters/store.js";\nexport const count = none.length;\n',
      "src/cli/main.ts": 'import { count } from "../app/use.js";\nexport const shown = String(count);\n',
    });
    expect(result.violations).toEqual([]);
    expect(result.status).toBe(0);
  });

  it("fail on a circle of type-only imports", () => {
    const result = cruise({
      "src/core/plan.ts":
        'import type { Effect } from "./effect.js";\nexport interface Plan { effect?: Effect }\n',
      "src/core/effect.ts":
        'import type { Plan } from "./plan.js";\nexport type Effect = Pick<Plan, "effect">[];\n',
    });
    expect(names(result.violations)).toEqual(["no-circular"]);
    expect(result.status).not.toBe(0);
  });

  it("fail on an adapter importing a use case, and on core importing an adapter", () => {
    const result = cruise({
      "src/app/load.ts": "export const load = (): number => 1;\n",
      "src/adapters/git.ts": 'import { load } from "../app/load.js";\nexport const loaded = load();\n',
      "src/core/pure.ts": 'import { loaded } from "../adapters/git.js";\nexport const twice = loaded * 2;\n',
    });
    expect(result.violations.map((violation) => `${violation.rule.name} ${violation.from}`).sort()).toEqual([
      "adapters-below-app src/adapters/git.ts",
      "core-is-the-bottom src/core/pure.ts",
    ]);
    expect(result.status).not.toBe(0);
  });
});
