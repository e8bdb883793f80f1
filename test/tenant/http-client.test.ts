import { readFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { TenantApiError } from "../../src/adapters/tenant/errors.js";
import { dataverseVisible, environmentSettled } from "../../src/adapters/tenant/admin-api.js";
import { createTenantClient, type TenantClient } from "../../src/adapters/tenant/index.js";
import { LifecycleFailedError } from "../../src/adapters/tenant/lifecycle.js";
import { SecretRegistry } from "../../src/adapters/log/secrets.js";
import { writeChunkedBody } from "../helpers/chunked-body.js";
import { captureLogger, testClient, type Reply } from "./fake-fetch.js";

const FIXTURES = new URL("../contract/fixtures/tf-provider/", import.meta.url);
const fixture = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(path, FIXTURES), "utf8")) as unknown;

const ENV_ID = "00000000-0000-0000-0000-000000000001";
const ENV_PATH = `/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${ENV_ID}`;
const ENVIRONMENT = fixture(`environment/datasource/Validate_Read/get_environment_${ENV_ID}.json`);
const ok = (body: unknown, headers: Record<string, string> = {}): Reply => ({ status: 200, body, headers });
const error = (status: number, code: string, headers: Record<string, string> = {}): Reply => ({
  status,
  body: { error: { code, message: `${code} happened` } },
  headers,
});

async function rejection(promise: Promise<unknown>): Promise<TenantApiError> {
  try {
    await promise;
  } catch (caught) {
    if (caught instanceof TenantApiError) return caught;
    throw caught;
  }
  throw new Error("expected the call to fail");
}

describe("retries", () => {
  it("retries a 429 after the Retry-After seconds", async () => {
    const t = testClient([
      {
        method: "GET",
        path: ENV_PATH,
        replies: [error(429, "TooManyRequests", { "Retry-After": "2" }), ok(ENVIRONMENT)],
      },
    ]);
    const env = await t.client.admin.getEnvironment(ENV_ID);
    expect(env?.name).toBe(ENV_ID);
    expect(t.fake.requests).toHaveLength(2);
    expect(t.sleeps).toEqual([2000]);
    expect(t.fake.unusedReplies()).toEqual([]);
  });

  it("retries a 429 after a Retry-After HTTP-date", async () => {
    const now = Date.UTC(2026, 10, 22, 12, 0, 0);
    const t = testClient(
      [
        {
          method: "GET",
          path: ENV_PATH,
          replies: [
            error(429, "TooManyRequests", { "Retry-After": new Date(now + 3000).toUTCString() }),
            ok(ENVIRONMENT),
          ],
        },
      ],
      { now: () => now },
    );
    await t.client.admin.getEnvironment(ENV_ID);
    expect(t.fake.requests).toHaveLength(2);
    expect(t.sleeps).toEqual([3000]);
  });

  it("retries a 503 with jittered backoff, then succeeds", async () => {
    const t = testClient([
      {
        method: "GET",
        path: ENV_PATH,
        replies: [error(503, "ServiceUnavailable"), error(503, "ServiceUnavailable"), ok(ENVIRONMENT)],
      },
    ]);
    await t.client.admin.getEnvironment(ENV_ID);
    expect(t.fake.requests).toHaveLength(3);
    // full jitter with random() = 0.5: 0.5 × 500 ms, then 0.5 × 1000 ms
    expect(t.sleeps).toEqual([250, 500]);
    expect(t.client.http.budget.spent).toBe(2);
  });

  it("retries a dropped connection, then succeeds", async () => {
    const t = testClient([
      { method: "GET", path: ENV_PATH, replies: [{ networkError: "ECONNRESET" }, ok(ENVIRONMENT)] },
    ]);
    await t.client.admin.getEnvironment(ENV_ID);
    expect(t.fake.requests).toHaveLength(2);
  });

  it("retries a response cut off mid-body", async () => {
    const t = testClient([
      {
        method: "GET",
        path: ENV_PATH,
        replies: [{ status: 200, truncatedAfter: '{"id": "/providers/' }, ok(ENVIRONMENT)],
      },
    ]);
    await t.client.admin.getEnvironment(ENV_ID);
    expect(t.fake.requests).toHaveLength(2);
  });

  it("does not retry an environment create (POST) on 503", async () => {
    const t = testClient([
      {
        method: "POST",
        path: "/providers/Microsoft.BusinessAppPlatform/environments",
        replies: [error(503, "ServiceUnavailable")],
      },
    ]);
    const failure = await rejection(
      t.client.admin.createEnvironment({
        location: "europe",
        properties: { displayName: "x", environmentSku: "Sandbox" },
      }),
    );
    expect(t.fake.requests).toHaveLength(1);
    expect(failure.retryable).toBe(false);
    expect(failure.status).toBe(503);
    expect(failure.message).toContain("Not retried automatically because the request is not idempotent");
  });

  it("does not retry a DLP create (POST) after a network error", async () => {
    const t = testClient([
      {
        method: "POST",
        path: "/providers/PowerPlatform.Governance/v2/policies",
        replies: [{ networkError: "ECONNRESET" }],
      },
    ]);
    const failure = await rejection(
      t.client.governance.createPolicy({
        policyDefinition: {
          displayName: "p",
          defaultConnectorsClassification: "General",
          connectorGroups: [],
          environmentType: "AllEnvironments",
          environments: [],
        },
        customConnectorUrlPatternsDefinition: { rules: null },
      }),
    );
    expect(t.fake.requests).toHaveLength(1);
    expect(failure.status).toBeUndefined();
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain("ECONNRESET");
  });

  it("retries even a create when the connection was refused (nothing was sent)", async () => {
    const t = testClient([
      {
        method: "POST",
        path: "/providers/Microsoft.BusinessAppPlatform/environmentGroups",
        replies: [{ networkError: "ECONNREFUSED" }, { status: 201, body: { id: "g1", displayName: "g" } }],
      },
    ]);
    const group = await t.client.admin.createEnvironmentGroup({ displayName: "g", description: "" });
    expect(group.id).toBe("g1");
    expect(t.fake.requests).toHaveLength(2);
  });

  it("retries a POST marked idempotent (assignLicense)", async () => {
    const t = testClient([
      {
        method: "POST",
        path: "/v1.0/groups/g1/assignLicense",
        replies: [error(503, "ServiceUnavailable"), { status: 202, body: { id: "g1" } }],
      },
    ]);
    await t.client.graph.assignLicense("g1", { addLicenses: [], removeLicenses: [] });
    expect(t.fake.requests).toHaveLength(2);
  });

  it("stops when the run's retry budget is exhausted", async () => {
    const t = testClient(
      [
        {
          method: "GET",
          path: ENV_PATH,
          replies: Array.from({ length: 4 }, () => error(429, "TooManyRequests", { "Retry-After": "1" })),
        },
      ],
      { retryBudget: 3, retry: { maxAttempts: 10 } },
    );
    const failure = await rejection(t.client.admin.getEnvironment(ENV_ID));
    expect(t.fake.requests).toHaveLength(4);
    expect(failure.code).toBe("TENANT_RETRY_BUDGET");
    expect(failure.message).toBe(`retry budget exhausted after 3 retries (last: 429 on GET ${ENV_PATH})`);
  });

  it("shares the budget between requests", async () => {
    const t = testClient(
      [{ method: "GET", path: ENV_PATH, replies: [error(503, "X"), ok(ENVIRONMENT), error(503, "X")] }],
      { retryBudget: 1 },
    );
    await t.client.admin.getEnvironment(ENV_ID);
    const failure = await rejection(t.client.admin.getEnvironment(ENV_ID));
    expect(failure.message).toBe(`retry budget exhausted after 1 retries (last: 503 on GET ${ENV_PATH})`);
    expect(t.fake.requests).toHaveLength(3);
  });

  it("gives up after the per-request attempt limit", async () => {
    const t = testClient(
      [
        {
          method: "GET",
          path: ENV_PATH,
          replies: [error(502, "BadGateway"), error(502, "BadGateway"), error(502, "BadGateway")],
        },
      ],
      {
        retry: { maxAttempts: 3 },
      },
    );
    const failure = await rejection(t.client.admin.getEnvironment(ENV_ID));
    expect(t.fake.requests).toHaveLength(3);
    expect(failure.retryable).toBe(true);
    expect(failure.message).toBe(
      `GET ${ENV_PATH} still failing after 3 attempts (last: 502 on GET ${ENV_PATH})`,
    );
  });

  it("refuses a Retry-After longer than the per-retry limit", async () => {
    const t = testClient([
      { method: "GET", path: ENV_PATH, replies: [error(429, "TooManyRequests", { "Retry-After": "600" })] },
    ]);
    const failure = await rejection(t.client.admin.getEnvironment(ENV_ID));
    expect(t.fake.requests).toHaveLength(1);
    expect(failure.code).toBe("TENANT_THROTTLED");
    expect(failure.message).toContain("asked to wait 600 s (Retry-After), longer than the 60 s ppgov waits");
  });

  it("times out a request that never answers and retries it", async () => {
    const t = testClient([{ method: "GET", path: ENV_PATH, replies: [{ hang: true }, ok(ENVIRONMENT)] }], {
      timeoutMs: 50,
    });
    await t.client.admin.getEnvironment(ENV_ID);
    expect(t.fake.requests).toHaveLength(2);
  });

  it("reports a timeout on a write that cannot be retried", async () => {
    const t = testClient(
      [
        {
          method: "POST",
          path: "/providers/Microsoft.BusinessAppPlatform/environmentGroups",
          replies: [{ hang: true }],
        },
      ],
      { timeoutMs: 50 },
    );
    const failure = await rejection(
      t.client.admin.createEnvironmentGroup({ displayName: "g", description: "" }),
    );
    expect(t.fake.requests).toHaveLength(1);
    expect(failure.message).toContain("no complete response within 50 ms (timeout)");
  });

  it("never retries a 400", async () => {
    const t = testClient([{ method: "GET", path: ENV_PATH, replies: [error(400, "BadRequest")] }]);
    const failure = await rejection(t.client.admin.getEnvironment(ENV_ID));
    expect(t.fake.requests).toHaveLength(1);
    expect(failure.serviceCode).toBe("BadRequest");
    expect(failure.message).toMatch(
      /^GET \/providers\/.* failed with HTTP 400 BadRequest: BadRequest happened \(request id [0-9a-f-]{36}\)$/,
    );
  });
});

describe("authentication", () => {
  it("refreshes the token once after a 401", async () => {
    const t = testClient([
      { method: "GET", path: ENV_PATH, replies: [error(401, "InvalidAuthenticationToken"), ok(ENVIRONMENT)] },
    ]);
    await t.client.admin.getEnvironment(ENV_ID);
    expect(t.fake.requests).toHaveLength(2);
    expect(t.tokens.invalidated).toEqual(["https://service.powerapps.com/.default"]);
    const [first, second] = t.fake.requests.map((r) => r.headers.get("authorization"));
    expect(first).not.toBe(second);
    expect(t.client.http.budget.spent).toBe(0);
  });

  it("fails clearly after a second 401", async () => {
    const t = testClient([
      {
        method: "GET",
        path: ENV_PATH,
        replies: [error(401, "InvalidAuthenticationToken"), error(401, "InvalidAuthenticationToken")],
      },
    ]);
    const failure = await rejection(t.client.admin.getEnvironment(ENV_ID));
    expect(t.fake.requests).toHaveLength(2);
    expect(failure.code).toBe("TENANT_UNAUTHORIZED");
  });

  it("turns the unregistered-app 403 into the management-application advice", async () => {
    const t = testClient([
      {
        method: "GET",
        path: ENV_PATH,
        replies: [
          {
            status: 403,
            body: {
              error: {
                code: "Forbidden",
                message: `The service principal with id '123' for application 456 does not have permission to access the path '${ENV_PATH}' in tenant 789.`,
              },
            },
          },
        ],
      },
    ]);
    const failure = await rejection(t.client.admin.getEnvironment(ENV_ID));
    expect(t.fake.requests).toHaveLength(1);
    expect(failure.code).toBe("TENANT_NOT_MANAGEMENT_APP");
    expect(failure.message).toContain("pac admin application register");
    expect(failure.message).toContain("New-PowerAppManagementApp");
  });

  it("asks for the scope of the logical API, even through PPGOV_ENDPOINT", async () => {
    const t = testClient(
      [
        { method: "GET", path: ENV_PATH, replies: [ok(ENVIRONMENT)] },
        { method: "GET", path: "/licensing/billingPolicies", replies: [ok({ value: [] })] },
        { method: "GET", path: "/v1.0/subscribedSkus", replies: [ok({ value: [] })] },
        { method: "GET", path: "/providers/Microsoft.PowerApps/apis", replies: [ok({ value: [] })] },
      ],
      { env: { PPGOV_ENDPOINT: "http://127.0.0.1:9999" } },
    );
    await t.client.admin.getEnvironment(ENV_ID);
    await t.client.licensing.listBillingPolicies();
    await t.client.graph.listSubscribedSkus();
    await t.client.powerApps.listConnectors();
    expect(t.fake.requests.map((r) => r.url.origin)).toEqual(Array(4).fill("http://127.0.0.1:9999"));
    expect(t.fake.requests.map((r) => r.headers.get("authorization"))).toEqual([
      "Bearer tok-0-service.powerapps.com",
      "Bearer tok-0-api.powerplatform.com",
      "Bearer tok-0-graph.microsoft.com",
      "Bearer tok-0-service.powerapps.com",
    ]);
  });
});

describe("headers and logs", () => {
  it("sends one correlation id per run and a new request id per request", async () => {
    const t = testClient([
      { method: "GET", path: ENV_PATH, replies: [error(503, "X"), ok(ENVIRONMENT), ok(ENVIRONMENT)] },
    ]);
    await t.client.admin.getEnvironment(ENV_ID);
    await t.client.admin.getEnvironment(ENV_ID);
    const headers = t.fake.requests.map((r) => r.headers);
    expect(new Set(headers.map((h) => h.get("x-ms-correlation-id")))).toEqual(
      new Set([t.client.http.correlationId]),
    );
    expect(new Set(headers.map((h) => h.get("x-ms-client-request-id"))).size).toBe(3);
    expect(headers[0]?.get("user-agent")).toMatch(/^ppgov\/\d+\.\d+\.\d+/);
    expect(headers[0]?.get("content-type")).toBe("application/json");
  });

  it("logs every attempt at debug without the token or the query", async () => {
    const t = testClient([
      { method: "GET", path: ENV_PATH, replies: [error(429, "X", { "Retry-After": "1" }), ok(ENVIRONMENT)] },
    ]);
    await t.client.admin.getEnvironment(ENV_ID);
    const lines = t
      .logs()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = lines.filter((l) => l.msg === "tenant request");
    expect(requests.map((l) => [l.method, l.path, l.status, l.attempt])).toEqual([
      ["GET", ENV_PATH, 429, 1],
      ["GET", ENV_PATH, 200, 2],
    ]);
    expect(typeof requests[0]?.durationMs).toBe("number");
    expect(requests.map((l) => l.correlationId)).toEqual([
      t.client.http.correlationId,
      t.client.http.correlationId,
    ]);
    expect(requests[0]?.requestId).toBe(t.fake.requests[0]?.headers.get("x-ms-client-request-id"));
    expect(lines.some((l) => String(l.msg).startsWith("retrying after 429"))).toBe(true);
    expect(t.logs()).not.toContain("tok-0");
    expect(t.logs()).not.toContain("api-version");
  });
});

describe("paging", () => {
  it("follows nextLink across many pages, through PPGOV_ENDPOINT", async () => {
    const pages = 12;
    const replies: Reply[] = Array.from({ length: pages }, (_, page) =>
      ok({
        value: [{ ...(ENVIRONMENT as object), name: `env-${page}` }],
        ...(page < pages - 1
          ? {
              nextLink: `https://api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=2023-06-01&$skiptoken=${page + 1}`,
            }
          : {}),
      }),
    );
    const t = testClient(
      [
        {
          method: "GET",
          path: "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments",
          replies,
        },
      ],
      {
        env: { PPGOV_ENDPOINT: "http://127.0.0.1:9999/" },
      },
    );
    const all = await t.client.admin.listEnvironments();
    expect(all.map((e) => e.name)).toEqual(Array.from({ length: pages }, (_, p) => `env-${p}`));
    expect(t.fake.requests).toHaveLength(pages);
    expect(t.fake.requests.every((r) => r.url.origin === "http://127.0.0.1:9999")).toBe(true);
    expect(t.fake.requests[5]?.url.searchParams.get("$skiptoken")).toBe("5");
  });

  it("asks for the next page before the caller works on the current one", async () => {
    const link = (page: number): string =>
      `https://api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=2023-06-01&$skiptoken=${page}`;
    const t = testClient([
      {
        method: "GET",
        path: "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments",
        replies: [
          ok({ value: [{ ...(ENVIRONMENT as object), name: "env-0" }], nextLink: link(1) }),
          ok({ value: [{ ...(ENVIRONMENT as object), name: "env-1" }], nextLink: link(2) }),
          // The caller stops before this page: its failure must not surface as an unhandled rejection.
          error(500, "InternalServerError"),
          error(500, "InternalServerError"),
          error(500, "InternalServerError"),
          error(500, "InternalServerError"),
          error(500, "InternalServerError"),
          error(500, "InternalServerError"),
        ],
      },
    ]);
    const seen: string[] = [];
    const requestsWhenSeen: number[] = [];
    for await (const environment of t.client.admin.iterateEnvironments()) {
      // Let the client's pending work run, as a caller starting its own requests would.
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(environment.name);
      requestsWhenSeen.push(t.fake.requests.length);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(["env-0", "env-1"]);
    // While the caller holds page 1, page 2 is already asked for; while it holds page 2, page 3.
    // (The page-3 request fails and is retried at once with the test's instant sleep, hence "at least".)
    expect(requestsWhenSeen[0]).toBe(2);
    expect(requestsWhenSeen[1]).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 20));
  });

  it("follows @odata.nextLink (Graph, PP API)", async () => {
    const sku = (n: number): unknown => ({
      id: `t_${n}`,
      skuId: `sku-${n}`,
      skuPartNumber: `SKU${n}`,
      consumedUnits: 1,
      prepaidUnits: { enabled: 5 },
      servicePlans: [],
    });
    const t = testClient([
      {
        method: "GET",
        path: "/v1.0/subscribedSkus",
        replies: [
          ok({
            value: [sku(1), sku(2)],
            "@odata.nextLink": "https://graph.microsoft.com/v1.0/subscribedSkus?$skiptoken=a",
          }),
          ok({
            value: [sku(3)],
            "@odata.nextLink": "https://graph.microsoft.com/v1.0/subscribedSkus?$skiptoken=b",
          }),
          ok({ value: [sku(4)] }),
        ],
      },
    ]);
    const skus = await t.client.graph.listSubscribedSkus();
    expect(skus.map((s) => s.skuPartNumber)).toEqual(["SKU1", "SKU2", "SKU3", "SKU4"]);
    expect(t.fake.requests.map((r) => r.url.href)).toEqual([
      "https://graph.microsoft.com/v1.0/subscribedSkus",
      "https://graph.microsoft.com/v1.0/subscribedSkus?$skiptoken=a",
      "https://graph.microsoft.com/v1.0/subscribedSkus?$skiptoken=b",
    ]);
  });

  it("stops on a next link that repeats", async () => {
    const loop = ok({
      value: [],
      nextLink:
        "https://api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/environmentGroups?page=2",
    });
    const t = testClient([
      {
        method: "GET",
        path: "/providers/Microsoft.BusinessAppPlatform/environmentGroups",
        replies: [loop, loop, loop],
      },
    ]);
    await expect(t.client.admin.listEnvironmentGroups()).rejects.toThrow(/same next page link twice/);
    expect(t.fake.requests).toHaveLength(2);
  });
});

describe("lifecycle operations", () => {
  const CREATE_PATH = "/providers/Microsoft.BusinessAppPlatform/environments";
  const OP_PATH =
    "/providers/Microsoft.BusinessAppPlatform/lifecycleOperations/b03e1e6d-73db-4367-90e1-2e378bf7e2fc";
  const LOCATION = `https://europe.api.bap.microsoft.com${OP_PATH}?api-version=2023-06-01`;
  const succeeded = fixture("environment/resource/Validate_Create/get_lifecycle.json");
  const running = { ...(succeeded as object), state: { id: "Running" } };

  it("polls the regional Location through PPGOV_ENDPOINT until Succeeded and returns the new id", async () => {
    const t = testClient(
      [
        { method: "POST", path: CREATE_PATH, replies: [{ status: 202, headers: { Location: LOCATION } }] },
        { method: "GET", path: OP_PATH, replies: [ok(running), { status: 409 }, ok(succeeded)] },
      ],
      { env: { PPGOV_ENDPOINT: "http://127.0.0.1:9999" } },
    );
    const result = await t.client.admin.createEnvironment({
      location: "europe",
      properties: { displayName: "x", environmentSku: "Sandbox" },
    });
    expect(result.environmentId).toBe(ENV_ID);
    expect(t.fake.requests).toHaveLength(4);
    expect(t.fake.requests.slice(1).map((r) => r.url.href)).toEqual(
      Array(3).fill(`http://127.0.0.1:9999${OP_PATH}?api-version=2023-06-01`),
    );
    expect(t.sleeps).toEqual([10, 10]);
  });

  it.each<{
    name: string;
    accepted: Record<string, string>;
    polls: Record<string, string>[];
    sleeps: number[];
  }>([
    {
      name: "without Retry-After, waits 1 s, 2 s, 4 s, then every 5 s",
      accepted: {},
      polls: [{}, {}, {}, {}, {}],
      sleeps: [1000, 2000, 4000, 5000, 5000],
    },
    {
      name: "waits the 202's Retry-After between every poll",
      accepted: { "Retry-After": "7" },
      polls: [{}, {}, {}],
      sleeps: [7000, 7000, 7000],
    },
    {
      name: "without one on the 202, a poll's own Retry-After counts for the wait after it",
      accepted: {},
      polls: [{}, { "Retry-After": "3" }, {}],
      sleeps: [1000, 3000, 4000],
    },
  ])("lifecycle polling $name", async ({ accepted, polls, sleeps }) => {
    const t = testClient(
      [
        {
          method: "PATCH",
          path: ENV_PATH,
          replies: [{ status: 202, headers: { Location: LOCATION, ...accepted } }],
        },
        {
          method: "GET",
          path: OP_PATH,
          replies: [...polls.map((headers) => ({ status: 200, body: running, headers })), ok(succeeded)],
        },
      ],
      // The defaults (DEFAULT_LIFECYCLE_OPTIONS), not testClient's 10 ms.
      { lifecycle: {} },
    );
    await t.client.admin.updateEnvironment(ENV_ID, { properties: { displayName: "y" } });
    expect(t.sleeps).toEqual(sleeps);
    expect(t.fake.unusedReplies()).toEqual([]);
  });

  it("treats a 404 on the operation as done (delete)", async () => {
    const t = testClient([
      { method: "DELETE", path: ENV_PATH, replies: [{ status: 202, headers: { Location: LOCATION } }] },
      { method: "GET", path: OP_PATH, replies: [{ status: 404 }] },
    ]);
    await t.client.admin.deleteEnvironment(ENV_ID);
    expect(t.fake.requests.map((r) => r.method)).toEqual(["DELETE", "GET"]);
    expect(t.fake.requests[0]?.body).toEqual({ code: "7", message: "Deleted by ppgov" });
  });

  it("reports a Failed operation with the failing stage", async () => {
    const t = testClient([
      { method: "POST", path: CREATE_PATH, replies: [{ status: 202, headers: { Location: LOCATION } }] },
      {
        method: "GET",
        path: OP_PATH,
        replies: [ok(fixture("environment/resource/Validate_Create_Lifecycle_Failed/get_lifecycle.json"))],
      },
    ]);
    const failure = t.client.admin.createEnvironment({
      location: "europe",
      properties: { displayName: "Sales", environmentSku: "Sandbox" },
    });
    await expect(failure).rejects.toBeInstanceOf(LifecycleFailedError);
    await expect(failure).rejects.toThrow(
      'create environment "Sales" failed at stage "Run" (lifecycle operation b03e1e6d-73db-4367-90e1-2e378bf7e2fc, type Create)',
    );
    expect(t.fake.requests).toHaveLength(2);
  });

  it("gives up at the deadline", async () => {
    let clock = 0;
    const t = testClient(
      [
        {
          method: "PATCH",
          path: ENV_PATH,
          replies: [{ status: 202, headers: { "Operation-Location": LOCATION } }],
        },
        { method: "GET", path: OP_PATH, replies: [ok(running), ok(running), ok(running)] },
      ],
      {
        now: () => clock,
        sleep: (ms) => {
          clock += ms;
          return Promise.resolve();
        },
        lifecycle: { pollIntervalMs: 1000, maxPollIntervalMs: 1000, deadlineMs: 2500 },
      },
    );
    await expect(
      t.client.admin.updateEnvironment(ENV_ID, { properties: { displayName: "y" } }),
    ).rejects.toThrow(`update environment ${ENV_ID} did not finish within 3 s`);
    expect(t.fake.requests).toHaveLength(4);
  });

  it("re-sends a change refused with 409 OperationNotStartable", async () => {
    const t = testClient([
      {
        method: "PATCH",
        path: ENV_PATH,
        replies: [error(409, "OperationNotStartable"), { status: 202, headers: { Location: LOCATION } }],
      },
      { method: "GET", path: OP_PATH, replies: [ok(succeeded)] },
    ]);
    await t.client.admin.updateEnvironment(ENV_ID, { properties: { displayName: "y" } });
    expect(t.fake.requests.map((r) => r.method)).toEqual(["PATCH", "PATCH", "GET"]);
  });

  describe("managed-environment settings answered with 409 (wire-formats §3.2)", () => {
    const GOVERNANCE_PATH = `/providers/Microsoft.BusinessAppPlatform/environments/${ENV_ID}/governanceConfiguration`;
    const managed = {
      protectionLevel: "Standard" as const,
      settings: { extendedSettings: { solutionCheckerMode: "warn" } },
    };
    const withGovernance = (governanceConfiguration: unknown): unknown => ({
      ...(ENVIRONMENT as { properties: object }),
      properties: { ...(ENVIRONMENT as { properties: object }).properties, governanceConfiguration },
    });

    it("are done when the environment already is as asked", async () => {
      const t = testClient([
        { method: "POST", path: GOVERNANCE_PATH, replies: [error(409, "Conflict")] },
        { method: "GET", path: ENV_PATH, replies: [ok(withGovernance(managed))] },
      ]);
      await t.client.admin.setGovernanceConfiguration(ENV_ID, managed);
      expect(t.fake.requests.map((r) => r.method)).toEqual(["POST", "GET"]);
      expect(t.fake.unusedReplies()).toEqual([]);
    });

    it("are sent again when the environment is not as asked yet, then awaited", async () => {
      const t = testClient([
        {
          method: "POST",
          path: GOVERNANCE_PATH,
          replies: [error(409, "Conflict"), { status: 202, headers: { Location: LOCATION } }],
        },
        {
          method: "GET",
          path: ENV_PATH,
          replies: [ok(withGovernance({ protectionLevel: "Standard", settings: { extendedSettings: {} } }))],
        },
        { method: "GET", path: OP_PATH, replies: [ok(succeeded)] },
      ]);
      await t.client.admin.setGovernanceConfiguration(ENV_ID, managed);
      expect(t.fake.requests.map((r) => r.method)).toEqual(["POST", "GET", "POST", "GET"]);
      expect(t.sleeps.length).toBeGreaterThan(0);
    });

    it("fail with the 409 when the environment never gets there", async () => {
      // The first answer and the 10 busy retries: 11 refusals, each followed by a look at the environment.
      const t = testClient([
        {
          method: "POST",
          path: GOVERNANCE_PATH,
          replies: Array.from({ length: 11 }, () => error(409, "Conflict")),
        },
        {
          method: "GET",
          path: ENV_PATH,
          replies: Array.from({ length: 11 }, () => ok(withGovernance({ protectionLevel: "Basic" }))),
        },
      ]);
      const failure = await rejection(t.client.admin.setGovernanceConfiguration(ENV_ID, managed));
      expect(failure.status).toBe(409);
      expect(failure.serviceCode).toBe("Conflict");
      expect(t.fake.unusedReplies()).toEqual([]);
    });
  });

  it("re-sends a delete refused with a bare 409", async () => {
    const t = testClient([{ method: "DELETE", path: ENV_PATH, replies: [{ status: 409 }, { status: 204 }] }]);
    await t.client.admin.deleteEnvironment(ENV_ID);
    expect(t.fake.requests.map((r) => r.method)).toEqual(["DELETE", "DELETE"]);
  });

  it("does not re-send a create refused with another 409", async () => {
    const t = testClient([
      { method: "POST", path: CREATE_PATH, replies: [error(409, "InsufficientCapacity_StorageDriven")] },
    ]);
    const failure = await rejection(
      t.client.admin.createEnvironment({
        location: "europe",
        properties: { displayName: "x", environmentSku: "Sandbox" },
      }),
    );
    expect(failure.serviceCode).toBe("InsufficientCapacity_StorageDriven");
    expect(t.fake.requests).toHaveLength(1);
  });

  it("waits until a changed environment has settled and its Dataverse is visible", async () => {
    const without = fixture(
      "environment/resource/Validate_Create_Waits_For_Dataverse_Metadata/get_environment_without_dataverse.json",
    ) as {
      properties: object;
    };
    const running = {
      ...without,
      properties: { ...without.properties, states: { management: { id: "Running" } } },
    };
    const withDataverse = fixture(
      "environment/resource/Validate_Create_Waits_For_Dataverse_Metadata/get_environment_with_dataverse.json",
    );
    const t = testClient([
      { method: "GET", path: ENV_PATH, replies: [ok(running), ok(without), ok(withDataverse)] },
    ]);
    await t.client.admin.waitForEnvironment(ENV_ID, environmentSettled, "the update");
    expect(t.fake.requests).toHaveLength(2);
    const env = await t.client.admin.waitForEnvironment(ENV_ID, dataverseVisible, "Dataverse");
    expect(env.properties.linkedEnvironmentMetadata?.instanceUrl).toMatch(/^https:/);
    expect(t.fake.requests).toHaveLength(3);
    expect(t.sleeps).toEqual([10]);
  });

  it("waits for provisionInstance on the environment's provisioningState", async () => {
    const provisioning = fixture(
      "environment/resource/Validate_Create_Environment_And_Dataverse/get_lifecycle_new_dataverse.json",
    ) as {
      properties: Record<string, unknown>;
    };
    const inProgress = {
      ...provisioning,
      properties: { ...provisioning.properties, provisioningState: "LinkedDatabaseProvisioning" },
    };
    const t = testClient([
      {
        method: "POST",
        path: `/providers/Microsoft.BusinessAppPlatform/environments/${ENV_ID}/provisionInstance`,
        replies: [{ status: 202, headers: { Location: LOCATION } }],
      },
      { method: "GET", path: OP_PATH, replies: [{ status: 202 }, ok(inProgress), ok(provisioning)] },
    ]);
    await t.client.admin.provisionInstance(ENV_ID, { baseLanguage: 1033, currency: { code: "USD" } });
    expect(t.fake.requests).toHaveLength(4);
  });
});

describe("response checks", () => {
  const POLICY_PATH = "/providers/PowerPlatform.Governance/v2/policies/p1";

  it("names the endpoint and field of a shape mismatch", async () => {
    const policy = fixture(
      "dlp_policy/datasource/Validate_Read/get_policy_00000000-0000-0000-0000-000000000001.json",
    ) as {
      policyDefinition: object;
    };
    const broken = { ...policy, policyDefinition: { ...policy.policyDefinition, connectorGroups: {} } };
    const t = testClient([{ method: "GET", path: POLICY_PATH, replies: [ok(broken)] }]);
    await expect(t.client.governance.getPolicy("p1")).rejects.toThrow(
      "unexpected response from GET /providers/PowerPlatform.Governance/v2/policies/{id}: policyDefinition.connectorGroups must be an array (got an object)",
    );
    expect(t.fake.requests).toHaveLength(1);
  });

  it("names a missing field inside a list item", async () => {
    const t = testClient([
      {
        method: "GET",
        path: "/licensing/billingPolicies",
        replies: [ok({ value: [{ id: "b1", name: "n", status: "Enabled", location: "europe" }] })],
      },
    ]);
    await expect(t.client.licensing.listBillingPolicies()).rejects.toThrow(
      "unexpected response from GET /licensing/billingPolicies: value[0].billingInstrument is missing",
    );
  });

  it("reports an HTML page instead of JSON", async () => {
    const t = testClient([
      {
        method: "GET",
        path: POLICY_PATH,
        replies: [
          {
            status: 200,
            raw: "<!DOCTYPE html><html><head><title>Sign in to your account</title></head></html>",
            headers: { "content-type": "text/html" },
          },
        ],
      },
    ]);
    await expect(t.client.governance.getPolicy("p1")).rejects.toThrow(
      'unexpected response from GET /providers/PowerPlatform.Governance/v2/policies/{id}: HTTP 200 returned an HTML page ("Sign in to your account") instead of JSON',
    );
    expect(t.fake.requests).toHaveLength(1);
  });

  it("reports truncated JSON", async () => {
    const t = testClient([
      {
        method: "GET",
        path: POLICY_PATH,
        replies: [{ status: 200, raw: '{"policyDefinition": {"name": "p1", "displayN' }],
      },
    ]);
    await expect(t.client.governance.getPolicy("p1")).rejects.toThrow(
      /^unexpected response from GET \/providers\/PowerPlatform.Governance\/v2\/policies\/\{id\}: the body is not valid JSON \(45 characters; it may have been cut off\)$/,
    );
    expect(t.fake.requests).toHaveLength(1);
  });

  it("reads a 404 EnvironmentAllocationNotFound as no allocations", async () => {
    const t = testClient([
      {
        method: "GET",
        path: `/licensing/environments/${ENV_ID}/allocations`,
        replies: [{ status: 404, body: { status: 404, error: { code: "EnvironmentAllocationNotFound" } } }],
      },
    ]);
    expect(await t.client.licensing.getEnvironmentAllocations(ENV_ID)).toEqual([]);
  });

  it("reads allocations wrapped in value", async () => {
    const t = testClient([
      {
        method: "GET",
        path: `/licensing/environments/${ENV_ID}/allocations`,
        replies: [ok({ value: [{ currencyType: "AppPass", allocated: 3 }] })],
      },
    ]);
    expect(await t.client.licensing.getEnvironmentAllocations(ENV_ID)).toEqual([
      { currencyType: "AppPass", allocated: 3 },
    ]);
  });
});

describe("response size", () => {
  const size = Buffer.byteLength(JSON.stringify(ENVIRONMENT));

  it("reads a body as long as the limit", async () => {
    const t = testClient([{ method: "GET", path: ENV_PATH, replies: [ok(ENVIRONMENT)] }], {
      maxResponseBytes: size,
    });
    expect((await t.client.admin.getEnvironment(ENV_ID))?.name).toBe(ENV_ID);
  });

  it("refuses a body whose Content-Length is over the limit, naming the endpoint, without retrying", async () => {
    const t = testClient(
      [{ method: "GET", path: ENV_PATH, replies: [ok(ENVIRONMENT, { "content-length": String(size) })] }],
      { maxResponseBytes: size - 1 },
    );
    const failure = await rejection(t.client.admin.getEnvironment(ENV_ID));
    expect(failure.code).toBe("TENANT_RESPONSE_TOO_LARGE");
    expect(failure.message).toBe(
      `unexpected response from GET /providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/{id}: the body is ${size} bytes (Content-Length), more than the ${size - 1} bytes ppgov reads from one answer; check PPGOV_ENDPOINT and the service`,
    );
    expect(t.fake.requests).toHaveLength(1);
  });

  /** A local server answering every request with `send`; the tenant client pointed at it. */
  async function againstServer(
    send: (response: ServerResponse) => void,
    check: (client: TenantClient) => Promise<void>,
  ): Promise<void> {
    const server = createServer((_request, response) => send(response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const secrets = new SecretRegistry();
      await check(
        createTenantClient({
          env: { PPGOV_ENDPOINT: `http://127.0.0.1:${port}`, PPGOV_TOKEN: "token" },
          logger: captureLogger(secrets).logger,
          secrets,
          maxResponseBytes: 1024 * 1024,
        }),
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it("stops reading an unannounced (chunked) body at the limit (real socket)", async () => {
    const total = 8 * 1024 * 1024;
    let body: ReturnType<typeof writeChunkedBody> | undefined;
    await againstServer(
      (response) => (body = writeChunkedBody(response, total)),
      async (client) => {
        const failure = await rejection(client.admin.getEnvironment(ENV_ID));
        expect(failure.code).toBe("TENANT_RESPONSE_TOO_LARGE");
        expect(failure.message).toContain("the body is longer than the 1 MiB ppgov reads from one answer");
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(body?.closedEarly()).toBe(true);
        expect(body?.written()).toBeLessThan(total);
      },
    );
  });

  it("limits a compressed body by its decoded size, not its Content-Length (real socket)", async () => {
    // 8 MiB of JSON that compresses to a few kilobytes: a short Content-Length says nothing of its size.
    const compressed = gzipSync(`[${'"x",'.repeat(2 * 1024 * 1024)}"x"]`);
    expect(compressed.length).toBeLessThan(64 * 1024);
    await againstServer(
      (response) => {
        response.writeHead(200, {
          "content-type": "application/json",
          "content-encoding": "gzip",
          "content-length": String(compressed.length),
        });
        response.end(compressed);
      },
      async (client) => {
        const failure = await rejection(client.admin.getEnvironment(ENV_ID));
        expect(failure.code).toBe("TENANT_RESPONSE_TOO_LARGE");
        expect(failure.message).toContain("the body is longer than the 1 MiB");
      },
    );
  });

  it("reads a body with a UTF-8 byte order mark as Response.text() does", async () => {
    const t = testClient([
      {
        method: "GET",
        path: ENV_PATH,
        replies: [{ status: 200, raw: `\uFEFF${JSON.stringify(ENVIRONMENT)}` }],
      },
    ]);
    expect((await t.client.admin.getEnvironment(ENV_ID))?.name).toBe(ENV_ID);
  });
});
