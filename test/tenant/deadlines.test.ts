import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenantClient } from "../../src/adapters/tenant/index.js";
import { deadlinesFromEnv, formatDuration, parseDuration } from "../../src/adapters/tenant/deadlines.js";
import { TenantApiError } from "../../src/adapters/tenant/errors.js";
import { EndpointResolver } from "../../src/adapters/tenant/endpoints.js";
import { HttpClient } from "../../src/adapters/tenant/http-client.js";
import { SecretRegistry } from "../../src/adapters/log/secrets.js";
import { runCli } from "../helpers/run-cli.js";
import { captureLogger } from "./fake-fetch.js";

/** A tenant that accepts every connection and request and never answers. */
let hung: Server;
let endpoint: string;
let host: string;
let requests = 0;

beforeAll(async () => {
  hung = createServer(() => {
    requests += 1;
  });
  await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
  const { port } = hung.address() as AddressInfo;
  host = `127.0.0.1:${port}`;
  endpoint = `http://${host}`;
});

afterAll(async () => {
  hung.closeAllConnections();
  await new Promise<void>((resolve) => hung.close(() => resolve()));
});

function client(options: { timeoutMs?: number; deadlineMs?: number; env?: NodeJS.ProcessEnv } = {}) {
  const secrets = new SecretRegistry();
  const notices: string[] = [];
  const tenant = createTenantClient({
    env: { PPGOV_ENDPOINT: endpoint, PPGOV_TOKEN: "ppgov-dev", ...options.env },
    logger: captureLogger(secrets).logger,
    secrets,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
    retry: { baseDelayMs: 10, maxDelayMs: 10 },
  });
  return { tenant, notices };
}

async function failure(work: Promise<unknown>): Promise<TenantApiError> {
  const outcome = await work.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof TenantApiError))
    throw new Error(`expected a TenantApiError, got ${String(outcome)}`);
  return outcome;
}

describe("durations", () => {
  it.each([
    ["30s", 30_000],
    ["2m", 120_000],
    ["500ms", 500],
    ["1.5m", 90_000],
    ["1h", 3_600_000],
    ["45", 45_000],
    [" 10 s ", 10_000],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDuration(text, "--deadline")).toBe(ms);
  });

  it.each(["", "soon", "-5s", "0s", "3d", "30 seconds", "25d"])("%j is refused, naming the flag", (text) => {
    expect(() => parseDuration(text, "--request-timeout")).toThrow(/--request-timeout must be/);
  });

  it("reads PPGOV_REQUEST_TIMEOUT and PPGOV_DEADLINE, each only when set", () => {
    expect(deadlinesFromEnv({})).toEqual({});
    expect(deadlinesFromEnv({ PPGOV_REQUEST_TIMEOUT: "5s", PPGOV_DEADLINE: "1m" })).toEqual({
      timeoutMs: 5000,
      deadlineMs: 60_000,
    });
    expect(() => deadlinesFromEnv({ PPGOV_DEADLINE: "forever" })).toThrow(
      /PPGOV_DEADLINE must be a duration/,
    );
  });

  it("formats as people read them", () => {
    expect([250, 1500, 30_000, 120_000, 150_000].map(formatDuration)).toEqual([
      "250 ms",
      "1.5 s",
      "30 s",
      "2 min",
      "2 min 30 s",
    ]);
  });
});

describe("a tenant that never answers", () => {
  it("fails the call at its deadline with TENANT_DEADLINE naming the host and endpoint", async () => {
    const { tenant } = client({ timeoutMs: 200, deadlineMs: 700 });
    const before = requests;
    const started = performance.now();
    const error = await failure(tenant.admin.listEnvironments());
    const elapsed = performance.now() - started;
    expect(error.code).toBe("TENANT_DEADLINE");
    expect(error.message).toContain(
      `GET /providers/Microsoft.BusinessAppPlatform/scopes/admin/environments at ${host}: no successful answer within the 700 ms deadline for the call`,
    );
    expect(error.message).toMatch(/last: no complete response within \d+ ms \(timeout\)/);
    expect(error.message).toContain("--deadline / PPGOV_DEADLINE");
    // About 700 ms: up to four attempts of at most 200 ms, never the six of the retry policy.
    expect(elapsed).toBeGreaterThanOrEqual(650);
    expect(elapsed).toBeLessThan(2500);
    // On a loaded machine an attempt may end before its request reached the server.
    expect(requests - before).toBeGreaterThanOrEqual(2);
    expect(requests - before).toBeLessThanOrEqual(4);
  });

  it("takes the timeout and deadline from PPGOV_REQUEST_TIMEOUT and PPGOV_DEADLINE", async () => {
    const { tenant } = client({ env: { PPGOV_REQUEST_TIMEOUT: "150ms", PPGOV_DEADLINE: "400ms" } });
    const started = performance.now();
    const error = await failure(tenant.admin.listEnvironments());
    expect(error.code).toBe("TENANT_DEADLINE");
    expect(error.message).toContain("within the 400 ms deadline");
    expect(error.message).toContain("of up to 150 ms");
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("the last attempt gets only what is left of the deadline", async () => {
    // One 10 s attempt would overrun a 500 ms deadline: it is cut to the 500 ms left.
    const { tenant } = client({ timeoutMs: 10_000, deadlineMs: 500 });
    const started = performance.now();
    const error = await failure(tenant.admin.listEnvironments());
    expect(error.code).toBe("TENANT_DEADLINE");
    expect(error.message).toMatch(/no complete response within (4\d\d|500) ms \(timeout\)/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("says early, in one human line, what it waits for, once for parallel calls", async () => {
    const secrets = new SecretRegistry();
    const lines: string[] = [];
    const http = new HttpClient({
      resolver: new EndpointResolver({ cloud: "public", endpoint }),
      tokens: { description: "static", getToken: () => Promise.resolve("t"), invalidate: () => undefined },
      logger: captureLogger(secrets).logger,
      secrets,
      userAgent: "test",
      timeoutMs: 600,
      deadlineMs: 600,
      waitNoticeMs: 150,
      notice: (line) => lines.push(line),
    });
    const call = (id: string) =>
      http
        .send({
          method: "GET",
          api: "bap",
          path: `/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${id}`,
          endpoint: "GET /providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/{id}",
          expect: [200],
        })
        .catch((error: unknown) => error);
    const outcomes = await Promise.all([call("a"), call("b"), call("c")]);
    for (const outcome of outcomes) expect((outcome as TenantApiError).code).toBe("TENANT_DEADLINE");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^ppgov: still waiting for an answer from ${host.replace(/\./g, "\\.")} \\(GET /providers/Microsoft\\.BusinessAppPlatform/scopes/admin/environments/\\{id\\}\\) after \\d+ ms, attempt 1; each attempt waits up to 600 ms and the call gives up after 600 ms \\(--request-timeout, --deadline\\)$`,
      ),
    );
  });

  it("a call answered before the notice says nothing", async () => {
    const answering = createServer((_request, response) => {
      response.writeHead(200, { "Content-Type": "application/json" }).end('{"value":[]}');
    });
    await new Promise<void>((resolve) => answering.listen(0, "127.0.0.1", resolve));
    const secrets = new SecretRegistry();
    const lines: string[] = [];
    const tenant = createTenantClient({
      env: {
        PPGOV_ENDPOINT: `http://127.0.0.1:${(answering.address() as AddressInfo).port}`,
        PPGOV_TOKEN: "x",
      },
      logger: captureLogger(secrets).logger,
      secrets,
      notices: { write: (text: string) => lines.push(text) } as unknown as NodeJS.WritableStream,
    });
    await tenant.admin.listEnvironments();
    await new Promise((resolve) => setTimeout(resolve, 50));
    answering.closeAllConnections();
    await new Promise<void>((resolve) => answering.close(() => resolve()));
    expect(lines).toEqual([]);
  });
});

describe("the CLI against a tenant that never answers", () => {
  const dir = mkdtempSync(join(tmpdir(), "ppgov-deadline-"));
  writeFileSync(
    join(dir, "tenant.yaml"),
    "apiVersion: ppgov/v1\nkind: Tenant\nmetadata:\n  name: contoso\nspec: {}\n",
  );

  it("--request-timeout and --deadline: plan fails at the deadline, says what it waited for early, as a line of text", async () => {
    const started = performance.now();
    const result = await runCli(["plan", "-d", ".", "--request-timeout", "4s", "--deadline", "11s"], {
      cwd: dir,
      env: { PPGOV_ENDPOINT: endpoint, PPGOV_TOKEN: "ppgov-dev", PPGOV_LOCK_DIR: join(dir, "locks") },
      timeoutMs: 40_000,
    });
    const elapsed = performance.now() - started;
    expect(result.code, result.stderr).toBe(1);
    const lines = result.stderr.split("\n");
    const notice = lines.find((line) => line.startsWith("ppgov: still waiting for an answer from"));
    expect(notice, result.stderr).toContain(`from ${host} (GET `);
    expect(notice).toContain("each attempt waits up to 4 s and the call gives up after 11 s");
    expect(result.stderr).toMatch(
      new RegExp(
        `error: GET \\S+ at ${host.replace(/\./g, "\\.")}: no successful answer within the 11 s deadline`,
      ),
    );
    expect(elapsed).toBeGreaterThan(10_500);
    expect(elapsed).toBeLessThan(30_000);
  }, 45_000);

  it("PPGOV_DEADLINE: the JSON error envelope carries TENANT_DEADLINE", async () => {
    const result = await runCli(["plan", "-d", ".", "--format", "json"], {
      cwd: dir,
      env: {
        PPGOV_ENDPOINT: endpoint,
        PPGOV_TOKEN: "ppgov-dev",
        PPGOV_LOCK_DIR: join(dir, "locks"),
        PPGOV_REQUEST_TIMEOUT: "300ms",
        PPGOV_DEADLINE: "1s",
      },
      timeoutMs: 30_000,
    });
    expect(result.code, result.stderr).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: "TENANT_DEADLINE" } });
  }, 35_000);

  it("a bad --deadline is a usage error naming the flag, and nothing is sent", async () => {
    const before = requests;
    const result = await runCli(["plan", "-d", ".", "--deadline", "soon"], {
      cwd: dir,
      env: { PPGOV_ENDPOINT: endpoint, PPGOV_TOKEN: "ppgov-dev" },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--deadline must be a duration such as 30s, 2m or 500ms (got "soon")');
    expect(requests).toBe(before);
  });
});
