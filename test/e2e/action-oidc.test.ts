/**
 * The bundled Action signs in as it does on a runner: action.yml's `runs.main` (the committed bundle,
 * with @azure/identity inside it) from a checkout with no node_modules, in a user's own repository made
 * by `ppgov init`, with the azure-client-id and azure-tenant-id inputs and GitHub's OIDC request variables. The local HTTPS authority issues the
 * Actions ID token and exchanges it for RS256 access tokens the emulator verifies.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import type { EmulatorSeed } from "../../src/emulator/types.js";
import { actionCheckout, runActionEntry, type ActionCheckout } from "../helpers/action-checkout.js";
import { startLocalAuthority, type LocalAuthority } from "../helpers/local-authority.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";

const TENANT = "11111111-2222-3333-4444-555555555555";
const PLAN_CLIENT = "99999999-8888-7777-6666-555555555555";

let work: string;
let repo: string;
let action: ActionCheckout;
let authority: LocalAuthority;
let emulator: RunningEmulator;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "ppgov-action-oidc-"));
  repo = join(work, "repo");
  const init = await runCli(["init", repo], { cwd: work });
  expect(init.code, init.stderr).toBe(0);
  expect(existsSync(join(repo, ".github/workflows/ppgov-plan.yml"))).toBe(true);
  const git = (...args: string[]): string => execFileSync("git", args, { cwd: repo, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  git("-c", "user.name=CI", "-c", "user.email=ci@example.com", "add", ".");
  git("-c", "user.name=CI", "-c", "user.email=ci@example.com", "commit", "-q", "-m", "ppgov init");
  action = actionCheckout(work);
  authority = await startLocalAuthority({
    tenantId: TENANT,
    federated: { [PLAN_CLIENT]: (assertion) => authority.actions.issued.includes(assertion) },
  });
  const seed = JSON.parse(
    readFileSync(join(repoRoot, "fixtures/seeds/sample-tenant.json"), "utf8"),
  ) as EmulatorSeed;
  emulator = await startEmulator({
    seed,
    jwt: { issuer: authority.issuer, publicKeys: [authority.publicKeyPem], tenantId: TENANT },
  });
});

afterAll(async () => {
  await emulator.close();
  await authority.close();
  rmSync(work, { recursive: true, force: true });
});

describe("the bundled Action with GitHub OIDC", () => {
  it("plans with tokens from the federated credential, keeping every token out of the log", async () => {
    writeFileSync(join(work, "output.txt"), "");
    writeFileSync(join(work, "summary.md"), "");
    const result = await runActionEntry(action, repo, {
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: "workflow_dispatch",
      GITHUB_OUTPUT: join(work, "output.txt"),
      GITHUB_STEP_SUMMARY: join(work, "summary.md"),
      ACTIONS_ID_TOKEN_REQUEST_URL: authority.actions.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: authority.actions.requestToken,
      AZURE_AUTHORITY_HOST: authority.url,
      NODE_EXTRA_CA_CERTS: authority.certificatePath,
      PPGOV_ENDPOINT: emulator.url,
      PPGOV_LOCK_DIR: join(work, "locks"),
      INPUT_COMMAND: "plan",
      INPUT_POLICIES: "policies",
      "INPUT_GITHUB-COMMENT": "false",
      "INPUT_AZURE-CLIENT-ID": PLAN_CLIENT,
      "INPUT_AZURE-TENANT-ID": TENANT,
    });
    expect(result.code, result.stdout).toBe(0);
    expect(readFileSync(join(work, "output.txt"), "utf8")).toMatch(/^has_changes=true$/m);
    expect(readFileSync(join(work, "summary.md"), "utf8")).toMatch(/Plan: \d+ to add, \d+ to change/);
    // Every token request was the client assertion exchange, with an ID token GitHub's endpoint issued.
    expect(authority.tokenRequests.length).toBeGreaterThan(0);
    for (const request of authority.tokenRequests) {
      expect(request).toMatchObject({ clientId: PLAN_CLIENT, grant: "assertion" });
      expect(authority.actions.issued).toContain(request.assertion);
      expect(result.stdout).not.toContain(request.accessToken);
      expect(result.stdout).not.toContain(request.assertion);
    }
    expect(authority.actions.audiences).toContain("api://AzureADTokenExchange");
    expect(result.stdout).not.toContain(authority.actions.requestToken);
  }, 120_000);
});
