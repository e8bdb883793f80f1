/**
 * The built CLI inside a simulated GitHub Actions run: the standard GITHUB_* variables point at the
 * OpenAPI-validating fake, PPGOV_ENDPOINT at the emulator, and the repository is a real git checkout.
 * The Action itself runs as GitHub runs it: action.yml's `runs.main` (the committed bundle) from a copy
 * of the Action's files with no node_modules and no dist/, GITHUB_WORKSPACE the separate policy repository.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import type { EmulatorSeed } from "../../src/emulator/types.js";
import { actionCheckout, runActionEntry, type ActionCheckout } from "../helpers/action-checkout.js";
import { FakeGithub } from "../helpers/fake-github.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";
import { policyRepo, type PolicyRepo } from "../helpers/policy-repo.js";
import { POLLED_LIFECYCLE_MS } from "../helpers/scratch-tenant.js";

const fake = new FakeGithub("ghs_e2e_token");
let emulator: RunningEmulator;
let work: string;
let repo: string;
let baseSha: string;
let headSha: string;
/** The Action's checkout as a runner downloads it, minus everything the bundle does not need. */
let action: ActionCheckout;

/** git in the checkout (set up in beforeAll). */
let git: PolicyRepo["git"];

beforeAll(async () => {
  await fake.start();
  const seed = JSON.parse(
    readFileSync(join(repoRoot, "fixtures/seeds/sample-tenant.json"), "utf8"),
  ) as EmulatorSeed;
  emulator = await startEmulator({ seed, lifecycleDelayMs: POLLED_LIFECYCLE_MS });
  work = mkdtempSync(join(tmpdir(), "ppgov-gh-e2e-"));
  repo = join(work, "repo");
  git = policyRepo(repo, { name: "CI", email: "ci@example.com" }, "base").git;
  baseSha = git("rev-parse", "HEAD");
  const dlp = join(repo, "policies/dlp/social-media.yaml");
  writeFileSync(dlp, readFileSync(dlp, "utf8").replace(/displayName: (.*)/, "displayName: $1 (reviewed)"));
  git("commit", "-q", "-am", "rename the social media policy");
  headSha = git("rev-parse", "HEAD");
  fake.addPullRequest(7);
  action = actionCheckout(work);
});

afterAll(async () => {
  await fake.stop();
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
});

function actionsEnv(name: string, headRepo: string, withTenant: boolean): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(work, `${name}-`));
  const event = {
    action: "synchronize",
    number: 7,
    pull_request: {
      number: 7,
      base: { sha: baseSha, ref: "main", repo: { full_name: "acme/gov" } },
      head: { sha: headSha, ref: "feature", repo: { full_name: headRepo } },
    },
  };
  writeFileSync(join(dir, "event.json"), JSON.stringify(event));
  writeFileSync(join(dir, "summary.md"), "");
  writeFileSync(join(dir, "output.txt"), "");
  return {
    GITHUB_ACTIONS: "true",
    GITHUB_API_URL: fake.url,
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_TOKEN: fake.expectedToken,
    GITHUB_REPOSITORY: "acme/gov",
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: join(dir, "event.json"),
    GITHUB_SHA: headSha,
    GITHUB_RUN_ID: "4242",
    GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
    GITHUB_OUTPUT: join(dir, "output.txt"),
    PPGOV_LOCK_DIR: join(dir, "locks"),
    PPGOV_JOURNAL: join(dir, "journal.jsonl"),
    ...(withTenant ? { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev" } : {}),
  };
}

function outputs(env: NodeJS.ProcessEnv): Record<string, string> {
  const text = readFileSync(env.GITHUB_OUTPUT ?? "", "utf8");
  return Object.fromEntries(
    text
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

describe("ppgov plan --github-comment in a pull_request run", () => {
  it("posts one sticky comment with validation, intent diff and live plan; labels; summary; outputs", async () => {
    const env = actionsEnv("plan", "acme/gov", true);
    const first = await runCli(["plan", "-d", "policies", "--github-comment", "-o", "plan.json"], {
      cwd: repo,
      env,
    });
    expect(first.stderr).not.toMatch(/ppgov-dev|ghs_e2e_token/);
    expect(first.code, first.stderr).toBe(0);
    const comments = fake.commentsOn(7);
    expect(comments).toHaveLength(1);
    const body = comments[0]?.body ?? "";
    expect(body).toMatch(
      /^<!-- ppgov:v1 \{"kind":"plan","target":"policies","head":"[0-9a-f]{40}","plan":"sha256:[0-9a-f]+","part":1\} -->/,
    );
    expect(body).toContain("### Validation: ✅");
    expect(body).toContain("policies/dlp/social-media.yaml");
    expect(body).toContain("(reviewed)");
    expect(body).toContain("Plan: 3 to add, 11 to change, 0 to destroy.");
    expect(body).toContain("Merging applies");
    expect(fake.issues.get(7)?.labels).toEqual(["ppgov/changes"]);
    expect(outputs(env)).toMatchObject({
      has_changes: "true",
      add: "3",
      change: "11",
      destroy: "0",
      plan_path: "plan.json",
      valid: "true",
    });
    expect(readFileSync(env.GITHUB_STEP_SUMMARY ?? "", "utf8")).toContain("Plan: 3 to add");

    const second = await runCli(["plan", "-d", "policies", "--github-comment"], {
      cwd: repo,
      env: actionsEnv("plan2", "acme/gov", true),
    });
    expect(second.code, second.stderr).toBe(0);
    expect(fake.commentsOn(7)).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it("a fork PR without tenant credentials still gets validation and the intent diff, exit 0", async () => {
    const env = actionsEnv("fork", "someone/gov-fork", false);
    const result = await runCli(["plan", "-d", "policies", "--github-comment"], { cwd: repo, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("No tenant credentials");
    const body = fake.commentsOn(7)[0]?.body ?? "";
    expect(fake.commentsOn(7)).toHaveLength(1);
    expect(body).toContain("### Validation: ✅");
    expect(body).toContain("🔧 changed **DlpPolicy/");
    expect(body).toContain("No tenant credentials");
    expect(outputs(env)).toMatchObject({ has_changes: "false", valid: "true" });
    expect(fake.violations).toEqual([]);
  });
});

describe("the GitHub Action (action.yml runs.main)", () => {
  it("is the committed one-file bundle, run from a checkout with no node_modules or dist/ anywhere above it", () => {
    expect(action.main).toBe("action/ppgov-action.mjs");
    for (let dir = action.dir; dir !== dirname(dir); dir = dirname(dir)) {
      expect(existsSync(join(dir, "node_modules")), dir).toBe(false);
      expect(existsSync(join(dir, "dist")), dir).toBe(false);
    }
    expect(existsSync(join(action.dir, "src"))).toBe(false);
  });

  it("maps its inputs to the CLI, posts the comment with the input token and writes exit_code", async () => {
    const env = actionsEnv("action", "acme/gov", false);
    const { GITHUB_TOKEN: token, ...withoutToken } = env;
    const result = await runActionProcess({
      ...withoutToken,
      INPUT_COMMAND: "plan",
      INPUT_POLICIES: "policies",
      "INPUT_GITHUB-COMMENT": "true",
      "INPUT_GITHUB-TOKEN": token,
      "INPUT_PLAN-FILE": "ppgov-plan.json",
    });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain(
      "ppgov plan -d policies -o ppgov-plan.json --detailed-exitcode --github-comment",
    );
    expect(outputs(env)).toMatchObject({ valid: "true", exit_code: "0" });
    expect(fake.commentsOn(7)).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });
});

/** Runs the Action's entry point as GitHub does, with INPUT_* variables, in the policy repository. */
function runActionProcess(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string }> {
  return runActionEntry(action, repo, env);
}

describe("the GitHub Action with github-comment: false", () => {
  it("still writes every plan output (exit_code 2 = changes) and the job summary, and posts nothing", async () => {
    const env = actionsEnv("no-comment", "acme/gov", true);
    const comments = fake.commentsOn(7).length;
    const result = await runActionProcess({
      ...env,
      INPUT_COMMAND: "plan",
      INPUT_POLICIES: "policies",
      "INPUT_GITHUB-COMMENT": "false",
      "INPUT_PLAN-FILE": "no-comment-plan.json",
    });
    expect(result.code, result.stdout).toBe(0);
    const plan = JSON.parse(readFileSync(join(repo, "no-comment-plan.json"), "utf8")) as {
      planDigest: string;
    };
    expect(outputs(env)).toEqual({
      has_changes: "true",
      add: "3",
      change: "11",
      destroy: "0",
      plan_path: "no-comment-plan.json",
      plan_digest: plan.planDigest,
      valid: "true",
      exit_code: "2",
    });
    const summary = readFileSync(env.GITHUB_STEP_SUMMARY ?? "", "utf8");
    expect(summary).toContain("## ppgov plan");
    expect(summary).toContain("Plan: 3 to add, 11 to change, 0 to destroy.");
    expect(fake.commentsOn(7)).toHaveLength(comments);
  });

  it("writes the job summary of an apply, and exit_code", async () => {
    const env = actionsEnv("apply-no-comment", "acme/gov", false);
    const result = await runActionProcess({
      ...env,
      INPUT_COMMAND: "apply",
      INPUT_POLICIES: "policies",
      "INPUT_GITHUB-COMMENT": "false",
      // An unreachable tenant: the apply fails before any write, and the summary says so.
      PPGOV_ENDPOINT: "http://127.0.0.1:9",
      PPGOV_TOKEN: "ppgov-dev",
    });
    expect(result.code).toBe(1);
    expect(outputs(env)).toEqual({ exit_code: "1" });
    const summary = readFileSync(env.GITHUB_STEP_SUMMARY ?? "", "utf8");
    expect(summary).toContain("## ppgov apply");
    expect(summary).toContain("❌ Apply did not complete (exit 1).");
  });
});

describe("ppgov drift --github-issue", () => {
  it("opens the scope's issue on drift, closes it once apply fixed it, heartbeat on the clean run", async () => {
    const drifted = actionsEnv("drift", "acme/gov", true);
    const first = await runCli(["drift", "-d", "policies", "--github-issue"], { cwd: repo, env: drifted });
    expect(first.code, first.stderr).toBe(2);
    const issues = [...fake.issues.values()].filter((issue) => !issue.isPullRequest);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ state: "open", labels: ["ppgov/drift"] });
    expect(issues[0]?.body).toContain('"kind":"drift","target":"policies"');
    expect(issues[0]?.body).toMatch(/drifted resources/);
    // Who and when, from the live records (the sample's DLP policies and environments say it).
    expect(issues[0]?.body).toMatch(/last changed by Megan Bowen at 20\d\d-/);

    // Apply after merge: the push's commit leads to the merged PR, which gets the result.
    fake.commitPulls.set(headSha, [7]);
    const pushed = actionsEnv("apply", "acme/gov", true);
    const apply = await runCli(["apply", "-d", "policies", "--auto-approve", "--github-comment"], {
      cwd: repo,
      env: { ...pushed, GITHUB_EVENT_NAME: "push", GITHUB_EVENT_PATH: "" },
    });
    expect(apply.code, apply.stderr).toBe(0);
    const applyComments = fake.commentsOn(7).filter((comment) => comment.body.includes('"kind":"apply"'));
    expect(applyComments).toHaveLength(1);
    expect(applyComments[0]?.body).toContain("✅ Applied");
    expect(applyComments[0]?.body).toContain("Apply complete!");
    expect(readFileSync(pushed.GITHUB_STEP_SUMMARY ?? "", "utf8")).toContain("## ppgov apply");

    const clean = actionsEnv("drift2", "acme/gov", true);
    const second = await runCli(["drift", "-d", "policies", "--github-issue"], { cwd: repo, env: clean });
    expect(second.code, second.stderr).toBe(0);
    expect(issues[0]?.state).toBe("closed");
    expect(fake.commentsOn(issues[0]?.number ?? 0).at(-1)?.body).toContain("No drift");
    expect(readFileSync(clean.GITHUB_STEP_SUMMARY ?? "", "utf8")).toContain("ppgov drift heartbeat");
    expect(fake.violations).toEqual([]);
  });
});
