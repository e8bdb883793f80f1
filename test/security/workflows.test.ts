/**
 * Issue 7, supply chain: every workflow (this repository's, CI included, and the copyable examples) —
 * no pull_request_target, read-only by default and least privilege per job (the plan job: contents read, pull-requests write,
 * id-token write, nothing more), no untrusted `${{ github.event.* }}` / head_ref text inside `run:`
 * scripts, every third-party action pinned to a full commit SHA. Issue 21: no job holding id-token
 * write runs the checkout's own action (`uses: ./`), and every job has a timeout. test/github/workflows.test.ts checks
 * the ppgov templates' shape; this file checks the security rules on every workflow file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../helpers/run-cli.js";

type Permissions = Record<string, string> | "read-all" | "write-all" | undefined;
interface Step {
  uses?: string;
  run?: string;
}
interface Job {
  permissions?: Permissions;
  uses?: string;
  steps?: Step[];
  "timeout-minutes"?: number;
}
interface Workflow {
  on?: unknown;
  true?: unknown;
  permissions?: Permissions;
  jobs: Record<string, Job>;
}

const WORKFLOWS = [".github/workflows", "examples/workflows"].flatMap((dir) =>
  readdirSync(join(repoRoot, dir))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => `${dir}/${name}`),
);

/** What each kind of job may hold; anything else must be read or none. */
const ALLOWED_WRITES: Record<string, readonly string[]> = {
  plan: ["pull-requests", "id-token"],
  // contents: the github apply lock is a ref in this repository (docs/security.md).
  apply: ["id-token", "pull-requests", "issues", "contents"],
  drift: ["id-token", "issues"],
  sarif: ["security-events"],
  check: [],
  // contents: the GitHub release and the v<major> tag; id-token: npm trusted publishing and provenance.
  release: ["contents", "id-token"],
};

/** Jobs whose token may write the repository's contents (every other job reads them at most). */
const CONTENTS_WRITERS = new Set(["apply", "release"]);

function load(path: string): Workflow {
  return parse(readFileSync(join(repoRoot, path), "utf8")) as Workflow;
}

function triggers(workflow: Workflow): string[] {
  // YAML 1.1 readers turn a bare `on` into true; the yaml package (1.2) keeps "on".
  const on = workflow.on ?? workflow.true;
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(String);
  return Object.keys(on ?? {});
}

function writes(permissions: Permissions): string[] {
  if (permissions === "write-all") return ["*"];
  if (permissions === undefined || permissions === "read-all") return [];
  return Object.entries(permissions)
    .filter(([, level]) => level === "write")
    .map(([scope]) => scope);
}

/**
 * "job: uses" of every job that holds id-token write and runs an action or reusable workflow from the
 * checkout (`uses: ./…`): the commit under test's own action.yml and bundle, on a pull request the PR
 * branch's, which could then take the tenant identity's token (issue 21). Such jobs must run a pinned
 * release of the Action instead.
 */
function localActionsWithOidc(workflow: Workflow): string[] {
  return Object.entries(workflow.jobs).flatMap(([name, job]) =>
    writes(job.permissions ?? workflow.permissions).some((scope) => scope === "id-token" || scope === "*")
      ? [job.uses, ...(job.steps ?? []).map((step) => step.uses)]
          .filter((target): target is string => target?.startsWith("./") === true)
          .map((target) => `${name}: ${target}`)
      : [],
  );
}

/** Jobs without a positive `timeout-minutes` of at most two hours (GitHub's default is six). */
function jobsWithoutTimeout(workflow: Workflow): string[] {
  return Object.entries(workflow.jobs)
    .filter(([, job]) => {
      const timeout = job["timeout-minutes"];
      return typeof timeout !== "number" || timeout <= 0 || timeout > 120;
    })
    .map(([name]) => name);
}

/** Expressions an attacker controls (PR titles, branch names, comment bodies…). */
const UNTRUSTED = /\$\{\{[^}]*\b(github\.event\.|github\.head_ref|inputs\.)[^}]*\}\}/;

describe("workflow security", () => {
  it("finds every workflow file", () => {
    expect(WORKFLOWS).toContain(".github/workflows/ci.yml");
    expect(WORKFLOWS.length).toBeGreaterThanOrEqual(7);
  });

  it.each(WORKFLOWS)("%s: no pull_request_target or workflow_run trigger", (path) => {
    const text = readFileSync(join(repoRoot, path), "utf8");
    expect(triggers(load(path))).not.toContain("pull_request_target");
    expect(triggers(load(path))).not.toContain("workflow_run");
    expect(text.replace(/#.*$/gm, "")).not.toContain("pull_request_target");
  });

  it.each(WORKFLOWS)("%s: read-only by default, each job writes only what it needs", (path) => {
    const workflow = load(path);
    expect(workflow.permissions, `${path}: workflow-level permissions`).toEqual({ contents: "read" });
    for (const [name, job] of Object.entries(workflow.jobs)) {
      // A job without its own block inherits the workflow's read-only one.
      if (job.permissions === undefined) continue;
      const allowed = ALLOWED_WRITES[name];
      expect(allowed, `${path}: job "${name}" has a known least-privilege set`).toBeDefined();
      expect(
        writes(job.permissions).filter((scope) => !allowed!.includes(scope)),
        `${path} ${name}`,
      ).toEqual([]);
      if (typeof job.permissions === "object" && job.permissions.contents !== undefined)
        expect(job.permissions.contents, `${path} ${name}: contents`).toBe(
          CONTENTS_WRITERS.has(name) ? "write" : "read",
        );
    }
  });

  it.each(WORKFLOWS.filter((path) => path.endsWith("plan.yml")))(
    "%s: the plan job holds exactly contents read, pull-requests write, id-token write",
    (path) => {
      expect(load(path).jobs.plan?.permissions).toEqual({
        contents: "read",
        "pull-requests": "write",
        "id-token": "write",
      });
    },
  );

  it.each(WORKFLOWS)("%s: no untrusted expression inside a run: script", (path) => {
    for (const [name, job] of Object.entries(load(path).jobs))
      for (const step of job.steps ?? [])
        if (step.run !== undefined) expect(step.run, `${path} ${name}`).not.toMatch(UNTRUSTED);
  });

  it.each(WORKFLOWS)("%s: third-party actions and reusable workflows pinned to a commit SHA", (path) => {
    for (const [name, job] of Object.entries(load(path).jobs)) {
      const uses = [job.uses, ...(job.steps ?? []).map((step) => step.uses)].filter(
        (value): value is string => value !== undefined,
      );
      for (const target of uses) {
        if (target.startsWith("./")) continue;
        expect(target, `${path} ${name}: docker images by digest`).not.toMatch(/^docker:\/\/(?!.*@sha256:)/);
        // ppgov's own Action by the major tag its release workflow moves, or by a release's commit.
        if (target.startsWith("ppgov/ppgov@"))
          expect(target, `${path} ${name}`).toMatch(/^ppgov\/ppgov@(v\d+|[0-9a-f]{40})$/);
        else if (!target.startsWith("docker://"))
          expect(target, `${path} ${name}: ${target}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      }
    }
  });

  it.each(WORKFLOWS)(
    "%s: no job that can mint an OIDC token runs code from the checkout (uses: ./…)",
    (path) => {
      expect(localActionsWithOidc(load(path))).toEqual([]);
    },
  );

  it.each(WORKFLOWS)("%s: every job has a timeout", (path) => {
    expect(jobsWithoutTimeout(load(path))).toEqual([]);
  });

  it("checkout never leaves the token in .git/config for later steps", () => {
    for (const path of WORKFLOWS)
      for (const job of Object.values(load(path).jobs))
        for (const step of job.steps ?? [])
          if (step.uses?.startsWith("actions/checkout@"))
            expect((step as { with?: Record<string, unknown> }).with?.["persist-credentials"], path).toBe(
              false,
            );
  });

  it("the rules catch what they are for", () => {
    expect(UNTRUSTED.test('echo "${{ github.event.pull_request.title }}"')).toBe(true);
    expect(UNTRUSTED.test("git checkout ${{ github.head_ref }}")).toBe(true);
    expect(UNTRUSTED.test('echo "$TITLE"')).toBe(false);
    expect(writes("write-all")).toEqual(["*"]);
    expect(triggers({ on: "pull_request_target", jobs: {} })).toEqual(["pull_request_target"]);
    const plan: Job = {
      permissions: { contents: "read", "id-token": "write" },
      steps: [{ uses: "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683" }, { uses: "./" }],
      "timeout-minutes": 20,
    };
    expect(localActionsWithOidc({ jobs: { plan } })).toEqual(["plan: ./"]);
    expect(
      localActionsWithOidc({ permissions: "write-all", jobs: { plan: { ...plan, permissions: undefined } } }),
    ).toEqual(["plan: ./"]);
    expect(localActionsWithOidc({ jobs: { plan: { ...plan, permissions: { contents: "read" } } } })).toEqual(
      [],
    );
    expect(
      localActionsWithOidc({ jobs: { plan: { ...plan, steps: [{ uses: "ppgov/ppgov@v1" }] } } }),
    ).toEqual([]);
    expect(
      jobsWithoutTimeout({ jobs: { plan, other: { steps: [] }, long: { "timeout-minutes": 360 } } }),
    ).toEqual(["other", "long"]);
  });
});
