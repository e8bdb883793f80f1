/**
 * What a controller must not accumulate or redo on every unchanged cycle: git processes (one fetch and
 * one rev-parse when nothing moved), the load of an unchanged commit's policies, and read pools' async
 * context (one AsyncLocalStorage per pool made every later promise heavier, cycle after cycle).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseStatusV2, readGitHead } from "../../src/adapters/git/head.js";
import { syncMirror } from "../../src/adapters/git/mirror.js";
import { createReadPools } from "../../src/adapters/tenant/concurrency.js";
import { CommitPolicies } from "../../src/app/controller.js";
import type { LoadedPolicies } from "../../src/core/policy/load-policies.js";

let work: string;
let origin: string;
const git = (cwd: string, ...args: string[]): string =>
  execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=T", ...args], {
    cwd,
    encoding: "utf8",
  }).trim();
const commitFile = (name: string, text: string): string => {
  writeFileSync(join(origin, name), text);
  git(origin, "add", ".");
  git(origin, "commit", "-q", "-m", name);
  return git(origin, "rev-parse", "HEAD");
};

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "ppgov-cycle-state-"));
  origin = join(work, "origin");
  execFileSync("git", ["init", "-q", "-b", "main", origin]);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe("syncMirror", () => {
  it("clones, stays put while nothing is pushed, and moves to each pushed commit", async () => {
    const first = commitFile("a.yaml", "a: 1\n");
    const options = { repo: origin, branch: "main", dir: join(work, "clone") };
    expect(await syncMirror(options)).toBe(first);
    expect(await syncMirror(options)).toBe(first);
    const second = commitFile("b.yaml", "b: 2\n");
    expect(await syncMirror(options)).toBe(second);
    expect(git(options.dir, "rev-parse", "HEAD")).toBe(second);
    expect(git(options.dir, "status", "--porcelain")).toBe("");
    expect(await syncMirror(options)).toBe(second);
  });
});

describe("readGitHead", () => {
  it("reads the commit and whether the tree below the directory is dirty, in one status", async () => {
    const commit = commitFile("a.yaml", "a: 1\n");
    expect(await readGitHead(origin)).toEqual({ commit, dirty: false });
    writeFileSync(join(origin, "a.yaml"), "a: 2\n");
    expect(await readGitHead(origin)).toEqual({ commit, dirty: true });
    git(origin, "checkout", "-q", "--", "a.yaml");
    writeFileSync(join(origin, "new.yaml"), "n: 1\n");
    expect(await readGitHead(origin)).toEqual({ commit, dirty: true });
  });

  it("answers empty outside a repository and before the first commit", async () => {
    const outside = mkdtempSync(join(tmpdir(), "ppgov-no-repo-"));
    try {
      expect(await readGitHead(outside)).toEqual({});
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
    expect(await readGitHead(origin)).toEqual({});
    expect(parseStatusV2("# branch.oid (initial)\n# branch.head main\n? new.yaml\n")).toEqual({});
  });
});

describe("CommitPolicies", () => {
  const loaded = (fileCount: number): LoadedPolicies => ({
    documents: [],
    diagnostics: [],
    fileCount,
    documentCount: 0,
  });

  it("loads a commit's policies once, again for another commit, and keeps them unchangeable", async () => {
    const loads: string[] = [];
    const policies = new CommitPolicies((dir) => {
      loads.push(dir);
      return Promise.resolve(loaded(loads.length));
    });
    const first = await policies.loaderFor("c1")("policies");
    expect(await policies.loaderFor("c1")("policies")).toBe(first);
    expect(loads).toEqual(["policies"]);
    expect(() => {
      first.documents.push(first.documents[0] as never);
    }).toThrow(TypeError);
    expect((await policies.loaderFor("c2")("policies")).fileCount).toBe(2);
    expect((await policies.loaderFor("c2")("other")).fileCount).toBe(3);
  });

  it("does not keep a failed load", async () => {
    let calls = 0;
    const policies = new CommitPolicies(() => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error("disk")) : Promise.resolve(loaded(calls));
    });
    await expect(policies.loaderFor("c1")("policies")).rejects.toThrow("disk");
    expect((await policies.loaderFor("c1")("policies")).fileCount).toBe(2);
  });
});

describe("read pools across cycles", () => {
  it("a new pool per read does not add async-context state to every later promise", async () => {
    // Node 20's AsyncLocalStorage stores its value on each new promise under one symbol per storage
    // that ever ran (a storage is never released): with a storage per pool, a controller's promises
    // grew by one property per cycle. Count what a fresh promise carries before and after 50 reads.
    const carried = (): number => Object.getOwnPropertySymbols(new Promise<void>(() => {})).length;
    await createReadPools(4).run("bap", () => Promise.resolve(1));
    const before = carried();
    for (let cycle = 0; cycle < 50; cycle += 1) {
      const pools = createReadPools(4);
      expect(await pools.map("bap", [1, 2, 3], (n) => Promise.resolve(n * 2))).toEqual([2, 4, 6]);
    }
    expect(carried()).toBeLessThanOrEqual(before);
  });

  it("a throttling report reaches only the pool whose request it is", async () => {
    const outer = createReadPools({ initial: 8, max: 8 });
    const inner = createReadPools({ initial: 8, max: 8 });
    await outer.run("bap", async () => {
      // inner's throttled() runs inside outer's task: not inner's request.
      inner.throttled();
      await inner.run("bap", () => {
        inner.throttled();
        return Promise.resolve();
      });
    });
    expect(inner.stats().bap?.decreases).toBe(1);
    expect(outer.stats().bap?.decreases).toBe(0);
    await outer.run("bap", () => {
      outer.throttled();
      return Promise.resolve();
    });
    expect(outer.stats().bap?.decreases).toBe(1);
  });
});
