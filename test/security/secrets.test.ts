/**
 * Issue 7, secrets: every command run through the built CLI at debug level, with a bearer token, a client
 * secret, a GitHub OIDC request token (and the assertions it yields) and a federated token file in play.
 * No secret — nor any access token or assertion minted during the run — may appear in stdout, stderr,
 * the journal, plan files, exported files, the job summary and outputs, PR comments or drift issues.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { FakeGithub } from "../helpers/fake-github.js";
import { policyRepo, type PolicyRepo } from "../helpers/policy-repo.js";
import { startLocalAuthority, type LocalAuthority } from "../helpers/local-authority.js";
import { cliPath, runCli, type CliResult } from "../helpers/run-cli.js";

const TENANT = "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const SECRET_CLIENT = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
const OIDC_CLIENT = "99999999-8888-4777-8666-555555555555";
const FILE_CLIENT = "ffffffff-0000-4000-8000-000000000001";
const CLIENT_SECRET = "cs~Q8x.ClientSecretValue-4711";
const BEARER = "ppgov-bearer-Zt6yW2pLq9";
const WORKLOAD_TOKEN = "eyJhbGciOi.workload-identity-assertion-5150.sig";
const GITHUB_TOKEN = "ghs_GithubTokenForSecretsTest0042";
/** A bearer token the tenant refuses: the 401 error must not echo it. */
const WRONG_BEARER = "ppgov-wrong-bearer-Kd83hQ";

let emulator: RunningEmulator;
let authority: LocalAuthority;
let github: FakeGithub;
let work: string;
let outside: string;
let tokenFile: string;
const results: { label: string; result: CliResult }[] = [];

/** git in the policy checkout work/repo (set up in beforeAll). */
let git: PolicyRepo["git"];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "ppgov-secrets-"));
  outside = mkdtempSync(join(tmpdir(), "ppgov-secrets-creds-"));
  tokenFile = join(outside, "federated-token");
  writeFileSync(tokenFile, `${WORKLOAD_TOKEN}\n`);
  authority = await startLocalAuthority({
    tenantId: TENANT,
    clients: { [SECRET_CLIENT]: CLIENT_SECRET },
    federated: {
      [OIDC_CLIENT]: (assertion) => authority.actions.issued.includes(assertion),
      [FILE_CLIENT]: (assertion) => assertion === WORKLOAD_TOKEN,
    },
  });
  emulator = await startEmulator({
    seed: await loadSeedFile(sampleSeedPath),
    lifecycleDelayMs: 0,
    devToken: BEARER,
    jwt: { issuer: authority.issuer, publicKeys: [authority.publicKeyPem], tenantId: TENANT },
  });
  github = new FakeGithub(GITHUB_TOKEN);
  await github.start();
  github.addPullRequest(7);
  git = policyRepo(join(work, "repo"), { name: "CI", email: "ci@example.com" }, "policies").git;
}, 60_000);

afterAll(async () => {
  await emulator.close();
  await authority.close();
  await github.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** Every secret of the run: configured ones, and every token and assertion minted while it ran. */
function secrets(): string[] {
  return [
    CLIENT_SECRET,
    BEARER,
    WRONG_BEARER,
    WORKLOAD_TOKEN,
    GITHUB_TOKEN,
    authority.actions.requestToken,
    ...authority.actions.issued,
    ...authority.tokenRequests.flatMap((request) => [request.accessToken, request.assertion ?? ""]),
  ].filter((secret) => secret.length >= 6);
}

/** The tenant target with a bearer token, and every other secret set too (they must be ignored, not echoed). */
const bearerEnv = (): NodeJS.ProcessEnv => ({
  PPGOV_ENDPOINT: emulator.url,
  PPGOV_TOKEN: BEARER,
  AZURE_CLIENT_SECRET: CLIENT_SECRET,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: authority.actions.requestToken,
  PPGOV_LOCK_DIR: join(work, "locks"),
  PPGOV_JOURNAL: join(work, "journal.jsonl"),
});

/** Real credential flows: @azure/identity against the local HTTPS authority. */
const credentialEnvs = (): Record<string, NodeJS.ProcessEnv> => ({
  "client secret": { AZURE_CLIENT_ID: SECRET_CLIENT, AZURE_CLIENT_SECRET: CLIENT_SECRET },
  "GitHub OIDC": {
    AZURE_CLIENT_ID: OIDC_CLIENT,
    ACTIONS_ID_TOKEN_REQUEST_URL: authority.actions.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: authority.actions.requestToken,
  },
  "federated token file": { AZURE_CLIENT_ID: FILE_CLIENT, AZURE_FEDERATED_TOKEN_FILE: tokenFile },
});

function githubEnv(name: string, eventName: string): NodeJS.ProcessEnv {
  const dir = join(work, `gh-${name}`);
  mkdirSync(dir, { recursive: true });
  const head = git("rev-parse", "HEAD");
  const event = {
    action: "synchronize",
    number: 7,
    pull_request: {
      number: 7,
      base: { sha: head, ref: "main", repo: { full_name: "acme/gov" } },
      head: { sha: head, ref: "feature", repo: { full_name: "acme/gov" } },
    },
  };
  writeFileSync(join(dir, "event.json"), JSON.stringify(event));
  writeFileSync(join(dir, "summary.md"), "");
  writeFileSync(join(dir, "output.txt"), "");
  return {
    GITHUB_ACTIONS: "true",
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_TOKEN,
    GITHUB_REPOSITORY: "acme/gov",
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: join(dir, "event.json"),
    GITHUB_SHA: head,
    GITHUB_RUN_ID: "4242",
    GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
    GITHUB_OUTPUT: join(dir, "output.txt"),
  };
}

async function run(label: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const result = await runCli(["--log-level", "debug", "--debug", ...args], {
    cwd: join(work, "repo"),
    env: { ...env, NODE_EXTRA_CA_CERTS: authority.certificatePath },
  });
  results.push({ label, result });
  return result;
}

/** Runs the controller until its first reconcile is done, then stops it with SIGTERM. */
async function controllerOneCycle(env: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawn(
    process.execPath,
    [
      cliPath,
      "--log-level",
      "debug",
      "controller",
      "--repo",
      join(work, "repo"),
      "--interval",
      "1m",
      "--mode",
      "detect",
      "--listen",
      "127.0.0.1:0",
      "--work-dir",
      join(work, "controller"),
    ],
    { cwd: work, env: { PATH: process.env.PATH, NO_COLOR: "1", ...env } },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  const deadline = Date.now() + 30_000;
  let reconciled = false;
  for (;;) {
    const base = /serving (http:\/\/[\d.:]+)\/metrics/.exec(stdout)?.[1];
    if (base !== undefined) {
      const metrics = await (await fetch(`${base}/metrics`)).text();
      reconciled = /ppgov_reconcile_total\{[^}]*\} [1-9]/.test(metrics);
      if (reconciled) break;
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGTERM");
  expect(reconciled, stderr).toBe(true);
  const result = { code: await exited, stdout, stderr };
  results.push({ label: "controller (one cycle)", result });
  return result;
}

/** Every file the runs wrote (journal, plans, export, summaries, outputs, controller state), as text. */
function writtenFiles(
  dir: string,
  into: { path: string; text: string }[] = [],
): { path: string; text: string }[] {
  for (const name of readdirSync(dir)) {
    if (name === ".git") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) writtenFiles(path, into);
    else into.push({ path, text: readFileSync(path, "latin1") });
  }
  return into;
}

describe("secrets never appear in any output", () => {
  it("every command at debug level, with a bearer token and other secrets set", async () => {
    const env = bearerEnv();
    expect((await run("validate", ["validate", "-d", "policies"], env)).code).toBe(0);
    const planned = await run("plan -o", ["plan", "-d", "policies", "-o", "plan.json"], env);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stderr).toContain('"msg":"tenant request"');
    const commented = await run(
      "plan --github-comment",
      ["plan", "-d", "policies", "--github-comment", "-o", "pr-plan.json"],
      { ...env, ...githubEnv("plan", "pull_request") },
    );
    expect(commented.code, commented.stderr).toBe(0);
    expect(github.commentsOn(7)).toHaveLength(1);
    const applied = await run(
      "apply PLANFILE",
      ["apply", "plan.json", "-d", "policies", "--auto-approve"],
      env,
    );
    expect(applied.code, applied.stderr).toBe(0);
    // Drift: the tenant now differs from a (locally edited) policy, reported as a drift issue.
    const dlp = join(work, "repo", "policies/dlp/social-media.yaml");
    const original = readFileSync(dlp, "utf8");
    writeFileSync(dlp, original.replace(/displayName: (.*)/, "displayName: $1 (drifted)"));
    const drifted = await run("drift --github-issue", ["drift", "-d", "policies", "--github-issue"], {
      ...env,
      ...githubEnv("drift", "schedule"),
    });
    writeFileSync(dlp, original);
    expect(drifted.code, drifted.stderr).toBe(2);
    expect([...github.issues.values()].filter((issue) => !issue.isPullRequest)).toHaveLength(1);
    const exported = await run("export", ["export", "-o", "exported"], env);
    expect(exported.code, exported.stderr).toBe(0);
    const refused = await run("plan with a refused token", ["plan", "-d", "policies"], {
      ...env,
      PPGOV_TOKEN: WRONG_BEARER,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/401|unauthori[sz]ed|token/i);
    const controller = await controllerOneCycle(env);
    expect(controller.stderr).toContain('"level":20');
  }, 120_000);

  it.each(["client secret", "GitHub OIDC", "federated token file"])(
    "plan with a real %s credential flow",
    async (name) => {
      const before = authority.tokenRequests.length;
      const env = {
        PPGOV_ENDPOINT: emulator.url,
        AZURE_TENANT_ID: TENANT,
        AZURE_AUTHORITY_HOST: authority.url,
        PPGOV_LOCK_DIR: join(work, "locks"),
        ...credentialEnvs()[name],
      };
      const planned = await run(`plan (${name})`, ["plan", "-d", "policies", "-o", `plan-${name}.json`], env);
      expect(planned.code, planned.stderr).toBe(0);
      expect(authority.tokenRequests.length).toBeGreaterThan(before);
    },
    60_000,
  );

  it("none of the secrets is in stdout, stderr, files written, PR comments or issues", () => {
    const all = secrets();
    expect(all.length).toBeGreaterThan(8);
    const haystacks = [
      ...results.flatMap(({ label, result }) => [
        { where: `${label} stdout`, text: result.stdout },
        { where: `${label} stderr`, text: result.stderr },
      ]),
      ...writtenFiles(work).map((file) => ({ where: file.path, text: file.text })),
      ...github.comments.map((comment) => ({ where: `PR comment ${comment.id}`, text: comment.body })),
      ...[...github.issues.values()].map((issue) => ({
        where: `issue #${issue.number}`,
        text: `${issue.title}\n${issue.body}`,
      })),
      { where: "GitHub API request bodies", text: JSON.stringify(github.requests.map((r) => r.body)) },
    ];
    const leaks = haystacks.flatMap(({ where, text }) =>
      all.filter((secret) => text.includes(secret)).map((secret) => `${where}: ${secret.slice(0, 8)}…`),
    );
    expect(leaks).toEqual([]);
    console.log(
      `secrets: ${all.length} secret values checked in ${haystacks.length} outputs of ${results.length} runs; ${
        authority.tokenRequests.length
      } tokens minted; ${github.comments.length} PR comments, ${github.issues.size - 1} issues`,
    );
  });
});
