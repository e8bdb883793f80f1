/**
 * Issue 7, round 2: responses a broken service or network could send, put between ppgov and the emulator
 * by a hostile proxy. The built CLI must stop with a message naming the endpoint, without a stack trace,
 * quickly, and without writing to the tenant; the HTTP client must time out a body that never completes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretRegistry } from "../../src/adapters/log/secrets.js";
import { createTenantClient } from "../../src/adapters/tenant/index.js";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";
import { tenantWrites } from "../helpers/tenant-writes.js";
import { captureLogger } from "../tenant/fake-fetch.js";

const ENVIRONMENTS = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments";

/** What the proxy does to the admin environment list; anything else passes through unchanged. */
type Mischief = (upstream: Reply, response: ServerResponse) => void;
interface Reply {
  status: number;
  text: string;
}

let emulator: RunningEmulator;
let proxy: Server;
let proxyUrl: string;
let mischief: Mischief | undefined;
let dir: string;

async function forward(request: IncomingMessage, body: Buffer): Promise<Reply> {
  const headers = Object.fromEntries(
    Object.entries(request.headers)
      .filter(([name]) => !["host", "connection", "content-length", "accept-encoding"].includes(name))
      .map(([name, value]) => [name, String(value)]),
  );
  const answer = await fetch(new URL(request.url ?? "/", emulator.url), {
    method: request.method ?? "GET",
    headers,
    ...(request.method === "GET" ? {} : { body }),
  });
  return { status: answer.status, text: await answer.text() };
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { "Content-Type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

beforeAll(async () => {
  emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), lifecycleDelayMs: 0 });
  proxy = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void forward(request, Buffer.concat(chunks)).then((upstream) => {
        const path = new URL(request.url ?? "/", "http://x").pathname;
        if (mischief !== undefined && request.method === "GET" && path === ENVIRONMENTS)
          return mischief(upstream, response);
        response.writeHead(upstream.status, { "Content-Type": "application/json" });
        response.end(upstream.text);
      });
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), "ppgov-redteam-responses-"));
  cpSync(join(repoRoot, "policies"), join(dir, "policies"), { recursive: true });
});

afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

interface CliCase {
  name: string;
  mischief: Mischief;
  says: RegExp;
}

const CLI_CASES: CliCase[] = [
  {
    name: "a nextLink that points back at the same page",
    mischief: (_upstream, response) =>
      json(response, 200, {
        value: [],
        nextLink: `${proxyUrl}${ENVIRONMENTS}?api-version=2021-04-01&$skiptoken=again`,
      }),
    says: /admin\/environments: the service returned the same next page link twice/,
  },
  {
    // Before: 10,000 pages were followed (15 s here, over half an hour against a real service).
    name: "a nextLink that never ends, a new one on each empty page",
    mischief: (_upstream, response) =>
      json(response, 200, {
        value: [],
        nextLink: `${proxyUrl}${ENVIRONMENTS}?api-version=2021-04-01&$skiptoken=${Math.random()}`,
      }),
    says: /admin\/environments: the service returned 100 empty pages in a row, each with another next page link/,
  },
  {
    name: "Retry-After of a day",
    mischief: (_upstream, response) =>
      json(response, 429, { error: { code: "TooManyRequests" } }, { "Retry-After": "86400" }),
    says: /asked to wait 86400 s \(Retry-After\), longer than the 60 s ppgov waits/,
  },
  {
    name: "Retry-After as an HTTP date two days ahead",
    mischief: (_upstream, response) =>
      json(
        response,
        429,
        { error: { code: "TooManyRequests" } },
        { "Retry-After": new Date(Date.now() + 2 * 86_400_000).toUTCString() },
      ),
    says: /admin\/environments: the service asked to wait 17\d{4} s \(Retry-After\)/,
  },
  {
    name: "401 on every attempt (token expired and not renewed)",
    mischief: (_upstream, response) =>
      json(response, 401, { error: { code: "ExpiredAuthenticationToken", message: "token expired" } }),
    says: /admin\/environments was refused \(401\) even with a fresh token/,
  },
  {
    name: "403 on one endpoint",
    mischief: (_upstream, response) =>
      json(response, 403, { error: { code: "Forbidden", message: "no access" } }),
    says: /admin\/environments failed with HTTP 403 Forbidden: no access/,
  },
  {
    name: "200 with an empty body",
    mischief: (_upstream, response) => {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end();
    },
    says: /unexpected response from GET .*admin\/environments: the body is empty/,
  },
  {
    name: "a page listing every environment twice",
    mischief: (upstream, response) => {
      const page = JSON.parse(upstream.text) as { value: unknown[] };
      json(response, 200, { ...page, value: [...page.value, ...page.value] });
    },
    says: /admin\/environments returned the item \S+ twice in one listing/,
  },
];

describe("hostile responses through the built CLI", () => {
  it.each(CLI_CASES)("$name: apply stops naming the endpoint, nothing written", async (hostile) => {
    mischief = hostile.mischief;
    emulator.resetRequests();
    const started = performance.now();
    const result = await runCli(["apply", "-d", "policies", "--auto-approve"], {
      cwd: dir,
      env: { PPGOV_ENDPOINT: proxyUrl, PPGOV_TOKEN: "ppgov-dev", PPGOV_LOCK_DIR: join(dir, "locks") },
      timeoutMs: 30_000,
    });
    const elapsed = performance.now() - started;
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(1);
    expect(result.stderr).toMatch(hostile.says);
    expect(output).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(tenantWrites(emulator)).toEqual([]);
    // Refusals, not waits: no retry sleeps for a day or spins; slack for a busy shared machine.
    expect(elapsed).toBeLessThan(10_000);
  });

  it("plans from a gzip-encoded list and from a list labelled text/plain (both are JSON it can read)", async () => {
    for (const encode of [
      (upstream: Reply, response: ServerResponse) => {
        response.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
        response.end(gzipSync(upstream.text));
      },
      (upstream: Reply, response: ServerResponse) => {
        response.writeHead(200, { "Content-Type": "text/plain" });
        response.end(upstream.text);
      },
    ]) {
      mischief = encode;
      const result = await runCli(["plan", "-d", "policies", "--detailed-exitcode"], {
        cwd: dir,
        env: { PPGOV_ENDPOINT: proxyUrl, PPGOV_TOKEN: "ppgov-dev" },
      });
      // The sample tenant differs from policies/: a full plan (exit 2) proves every list was read.
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout).toContain("ppgov will perform the following actions");
    }
  });
});

describe("a body that never completes", () => {
  function client() {
    const secrets = new SecretRegistry();
    return createTenantClient({
      env: { PPGOV_ENDPOINT: proxyUrl, PPGOV_TOKEN: "ppgov-dev" },
      logger: captureLogger(secrets).logger,
      secrets,
      timeoutMs: 300,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });
  }

  it.each([
    {
      // Node's fetch never settled such a body (without a timeout of ppgov's own the CLI exited with
      // code 13 and no message); the node:http transport's gunzip fails on the first bytes, so two
      // attempts take far less than the two 300 ms timeouts.
      name: "labelled gzip but not gzip",
      mischief: ((upstream, response) => {
        response.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
        response.end(upstream.text);
      }) satisfies Mischief,
      last: "the gzip body could not be decoded: ",
      withinMs: 600,
    },
    {
      name: "stalls after the first bytes, socket open",
      mischief: ((_upstream, response) => {
        response.writeHead(200, { "Content-Type": "application/json", "Content-Length": "1000" });
        response.write('{"value":[');
      }) satisfies Mischief,
      last: "no complete response within 300 ms (timeout)",
      withinMs: 5000,
    },
  ])("$name: each attempt fails and the read fails naming the endpoint and why", async (hostile) => {
    mischief = hostile.mischief;
    const started = performance.now();
    const failure = await client()
      .admin.listEnvironments()
      .then(
        () => undefined,
        (error: unknown) => error as Error,
      );
    expect(failure?.message).toContain(
      `GET /providers/Microsoft.BusinessAppPlatform/scopes/admin/environments still failing after 2 attempts (last: ${hostile.last}`,
    );
    expect(performance.now() - started).toBeLessThan(hostile.withinMs);
  });
});
