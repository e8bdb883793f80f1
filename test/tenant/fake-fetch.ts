import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/adapters/log/logger.js";
import { SecretRegistry } from "../../src/adapters/log/secrets.js";
import {
  createTenantClient,
  type TenantClient,
  type TenantClientOptions,
} from "../../src/adapters/tenant/index.js";
import type { FetchLike } from "../../src/adapters/tenant/http-client.js";
import type { TokenProvider } from "../../src/adapters/tenant/token-provider.js";

/** One canned answer. */
export type Reply =
  | { status: number; body?: unknown; raw?: string; headers?: Record<string, string> }
  | { networkError: string }
  /** Never answers; rejects when the request's signal aborts (timeouts). */
  | { hang: true }
  /** Sends headers and part of the body, then the connection drops. */
  | { status: number; truncatedAfter: string };

export interface Route {
  method: string;
  /** Exact pathname, or a pattern tested against pathname + search. */
  path: string | RegExp;
  /** Consumed in order, one per request; running out is an error. */
  replies: Reply[];
}

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

/**
 * A fetch that answers from a route table. A request no route matches throws (so a test fails loudly),
 * and `unusedReplies()` lists replies never consumed, so a test can demand that every route was used.
 */
export class FakeFetch {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[];

  constructor(routes: Route[]) {
    this.routes = routes.map((route) => ({ ...route, replies: [...route.replies] }));
  }

  readonly fetch: FetchLike = async (input, init) => {
    const method = init.method ?? "GET";
    const headers = new Headers(init.headers);
    const body = typeof init.body === "string" ? (JSON.parse(init.body) as unknown) : undefined;
    this.requests.push({ method, url: input, headers, body });
    const route = this.routes.find((r) => r.method === method && matches(r.path, input));
    if (route === undefined) throw new Error(`FakeFetch: no route for ${method} ${input.href}`);
    const reply = route.replies.shift();
    if (reply === undefined)
      throw new Error(`FakeFetch: route ${method} ${String(route.path)} has no replies left`);
    return answer(reply, init.signal ?? undefined);
  };

  /** Routes that still have replies: each one is a request the test expected but the client never made. */
  unusedReplies(): string[] {
    return this.routes
      .filter((r) => r.replies.length > 0)
      .map((r) => `${r.method} ${String(r.path)} ×${r.replies.length}`);
  }

  count(method: string, path: string | RegExp): number {
    return this.requests.filter((r) => r.method === method && matches(path, r.url)).length;
  }
}

function matches(path: string | RegExp, url: URL): boolean {
  return typeof path === "string" ? url.pathname === path : path.test(url.pathname + url.search);
}

async function answer(reply: Reply, signal: AbortSignal | undefined): Promise<Response> {
  if ("networkError" in reply) {
    throw new TypeError("fetch failed", {
      cause: Object.assign(new Error(reply.networkError), { code: reply.networkError }),
    });
  }
  if ("hang" in reply) {
    return new Promise<Response>((_, reject) => {
      signal?.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
    });
  }
  if ("truncatedAfter" in reply) {
    const bytes = new TextEncoder().encode(reply.truncatedAfter);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.error(new TypeError("terminated"));
      },
    });
    return new Response(stream, { status: reply.status, headers: { "content-type": "application/json" } });
  }
  const text = reply.raw ?? (reply.body === undefined ? "" : JSON.stringify(reply.body));
  const nullBody = reply.status === 204 || reply.status === 304;
  return new Response(nullBody ? null : text, {
    status: reply.status,
    headers: { "content-type": "application/json", ...reply.headers },
  });
}

/** Tokens per scope, recording every request and refresh. */
export class FakeTokens implements TokenProvider {
  readonly description = "fake tokens";
  readonly issued: string[] = [];
  readonly invalidated: string[] = [];
  private generation = 0;

  getToken(scope: string): Promise<string> {
    const token = `tok-${this.generation}-${new URL(scope).host}`;
    this.issued.push(token);
    return Promise.resolve(token);
  }

  invalidate(scope: string): void {
    this.invalidated.push(scope);
    this.generation += 1;
  }
}

export interface TestClient {
  client: TenantClient;
  fake: FakeFetch;
  tokens: FakeTokens;
  sleeps: number[];
  logs: () => string;
  secrets: SecretRegistry;
}

/** A tenant client for a running emulator (its dev token), logging into memory; `overrides` as for createTenantClient. */
export function clientForEmulator(url: string, overrides: Partial<TenantClientOptions> = {}): TenantClient {
  const secrets = new SecretRegistry();
  return createTenantClient({
    env: { PPGOV_ENDPOINT: url, PPGOV_TOKEN: "ppgov-dev" },
    logger: captureLogger(secrets).logger,
    secrets,
    ...overrides,
  });
}

/** A tenant client over a FakeFetch with instant sleeps and fixed jitter. */
export function testClient(routes: Route[], overrides: Partial<TenantClientOptions> = {}): TestClient {
  const fake = new FakeFetch(routes);
  const tokens = new FakeTokens();
  const sleeps: number[] = [];
  const secrets = new SecretRegistry();
  const { logger, logs } = captureLogger(secrets);
  const client = createTenantClient({
    env: {},
    logger,
    secrets,
    fetch: fake.fetch,
    tokens,
    random: () => 0.5,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    lifecycle: { pollIntervalMs: 10, maxPollIntervalMs: 10, deadlineMs: 60_000 },
    ...overrides,
  });
  return { client, fake, tokens, sleeps, logs, secrets };
}

export function captureLogger(secrets: SecretRegistry): { logger: Logger; logs: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString("utf8"));
      callback();
    },
  });
  const logger = createLogger({ level: "debug", secrets, destination: stream });
  return { logger, logs: () => chunks.join("") };
}
