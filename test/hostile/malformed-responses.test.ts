/**
 * Issue 7: malformed API responses (the emulator's `rateMalformed` fault) — wrong types, missing fields,
 * HTML pages with 200 or 500, truncated JSON. `ppgov apply --auto-approve` through the built CLI must stop
 * with an error naming the endpoint, exit 1, and send no write: it never acts on state it misread.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MalformedKind } from "../../src/emulator/malformed.js";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { createLogger } from "../../src/adapters/log/logger.js";
import { SecretRegistry } from "../../src/adapters/log/secrets.js";
import { createTenantClient } from "../../src/adapters/tenant/index.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";

/** POSTs that only read: not writes. */
const READ_ONLY_POST = /\/listTenantSettings\?/;

let emulator: RunningEmulator;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), lifecycleDelayMs: 0 });
  dir = mkdtempSync(join(tmpdir(), "ppgov-malformed-"));
  cpSync(join(repoRoot, "policies"), join(dir, "policies"), { recursive: true });
  env = { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev", PPGOV_LOCK_DIR: join(dir, "locks") };
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

async function control(path: string, method: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response.json();
}

interface MalformedCase {
  kind: MalformedKind;
  /** Only paths containing this are malformed. */
  path: string;
  /** The endpoint the error must name. */
  endpoint: RegExp;
  says: RegExp;
}

const CASES: MalformedCase[] = [
  {
    kind: "wrong-types",
    path: "/v2/policies/",
    endpoint: /GET \/providers\/PowerPlatform\.Governance\/v2\/policies\/\{id\}/,
    says: /must be/,
  },
  {
    kind: "wrong-types",
    path: "/listTenantSettings",
    endpoint: /POST \/providers\/Microsoft\.BusinessAppPlatform\/listTenantSettings/,
    says: /must be a boolean or null \(got a number\)/,
  },
  {
    kind: "missing-fields",
    path: "/scopes/admin/environments",
    endpoint: /GET \/providers\/Microsoft\.BusinessAppPlatform\/scopes\/admin\/environments/,
    says: /is missing/,
  },
  {
    kind: "html-200",
    path: "/licensing/billingPolicies",
    endpoint: /GET \/licensing\/billingPolicies/,
    says: /HTTP 200 returned an HTML page/,
  },
  {
    kind: "truncated-json",
    path: "/environmentGroups",
    endpoint: /GET \S*environmentGroups/,
    says: /not valid JSON .*cut off/,
  },
];

describe("malformed API responses", () => {
  it("the emulator refuses a malformed-fault setting it does not know", async () => {
    const answer = (await control("faults", "PUT", { rateMalformed: 1, malformedKind: "gibberish" })) as {
      error: { message: string };
    };
    expect(answer.error.message).toContain("malformedKind must be one of wrong-types");
    await control("faults", "PUT", {});
  });

  it("without faults the same apply would write (so the cases below test a refusal, not a no-op)", async () => {
    await control("reset", "POST");
    const planned = await runCli(["plan", "-d", "policies", "--detailed-exitcode"], { cwd: dir, env });
    expect(planned.code, planned.stderr).toBe(2);
  });

  it.each(CASES)("$kind on $path: apply stops naming the endpoint, sends no write", async (malformed) => {
    await control("faults", "PUT", {
      rateMalformed: 1,
      malformedKind: malformed.kind,
      malformedPath: malformed.path,
    });
    await control("reset", "POST");
    const result = await runCli(["apply", "-d", "policies", "--auto-approve"], { cwd: dir, env });
    const log = (await control("requests", "GET")) as { method: string; path: string }[];
    await control("faults", "PUT", {});
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(1);
    const error = result.stderr.split("\n").find((line) => line.startsWith("error: ")) ?? "";
    expect(error, output).toMatch(malformed.endpoint);
    expect(error).toMatch(malformed.says);
    expect(output).not.toMatch(/\n\s+at .+:\d+:\d+/);
    // The malformed endpoint was actually hit, and nothing was written after (or before) the misread.
    expect(log.some((entry) => entry.path.toLowerCase().includes(malformed.path.toLowerCase()))).toBe(true);
    const writes = log.filter((entry) => entry.method !== "GET" && !READ_ONLY_POST.test(entry.path));
    expect(writes).toEqual([]);
  });

  it("an HTML page with 500 is retried, then reported with the endpoint (client against the emulator)", async () => {
    await control("faults", "PUT", {
      rateMalformed: 1,
      malformedKind: "html-500",
      malformedPath: "/Microsoft.BusinessAppPlatform/tenant",
    });
    await control("reset", "POST");
    const secrets = new SecretRegistry();
    const client = createTenantClient({
      env: { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev" },
      logger: createLogger({ level: "silent", secrets }),
      secrets,
      // Retries without waiting: the CLI waits about 10 s before giving up.
      sleep: () => Promise.resolve(),
    });
    const error = await client.admin.getTenant().then(
      () => new Error("expected a failure"),
      (failure: unknown) => failure as Error,
    );
    const log = (await control("requests", "GET")) as { method: string; path: string }[];
    await control("faults", "PUT", {});
    expect(error.message).toMatch(
      /GET \/providers\/Microsoft\.BusinessAppPlatform\/tenant still failing after \d+ attempts \(last: 500/,
    );
    expect(log.length).toBeGreaterThan(1);
    expect(log.every((entry) => entry.method === "GET")).toBe(true);
  });
});
