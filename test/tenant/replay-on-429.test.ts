import { afterEach, describe, expect, it } from "vitest";
import type { FetchLike, RequestSpec } from "../../src/adapters/tenant/http-client.js";
import { TenantApiError } from "../../src/adapters/tenant/index.js";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { testClient, clientForEmulator } from "./fake-fetch.js";

const CREATE: RequestSpec = {
  method: "POST",
  api: "bap",
  path: "/providers/PowerPlatform.Governance/v2/policies",
  endpoint: "POST /providers/PowerPlatform.Governance/v2/policies",
  body: { policyDefinition: { displayName: "x" } },
  expect: [201],
};

const failureOf = async (promise: Promise<unknown>): Promise<TenantApiError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TenantApiError) return error;
    throw error;
  }
  throw new Error("expected a TenantApiError");
};

describe("a non-idempotent request (a create's POST)", () => {
  it("is sent again after a 429's Retry-After: a throttled request was not processed", async () => {
    const t = testClient([
      {
        method: "POST",
        path: CREATE.path ?? "",
        replies: [
          { status: 429, headers: { "Retry-After": "3" }, body: { error: { code: "TooManyRequests" } } },
          { status: 201, body: { created: true } },
        ],
      },
    ]);
    const response = await t.client.http.send<{ created: boolean }>(CREATE);
    expect(response.status).toBe(201);
    expect(t.fake.requests.map((request) => request.method)).toEqual(["POST", "POST"]);
    expect(t.sleeps).toEqual([3000]);
  });

  it.each([500, 503])("is not sent again after a %i: the work may have been done", async (status) => {
    const t = testClient([
      {
        method: "POST",
        path: CREATE.path ?? "",
        replies: [{ status, body: { error: { code: "ServerError" } } }],
      },
    ]);
    const failure = await failureOf(t.client.http.send(CREATE));
    expect(t.fake.requests).toHaveLength(1);
    expect(failure.status).toBe(status);
    expect(failure.message).toContain("Not retried automatically because the request is not idempotent");
  });

  it("still gives up at the retry budget under a sustained 429", async () => {
    const throttled = { status: 429, headers: { "Retry-After": "0" }, body: {} };
    const t = testClient(
      [{ method: "POST", path: CREATE.path ?? "", replies: Array.from({ length: 3 }, () => throttled) }],
      { retryBudget: 2 },
    );
    const failure = await failureOf(t.client.http.send(CREATE));
    expect(failure.code).toBe("TENANT_RETRY_BUDGET");
    expect(t.fake.requests).toHaveLength(3);
  });
});

describe("a DLP create throttled by the emulator", () => {
  const running: RunningEmulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((emulator) => emulator.close()));
  });

  it("is sent again and creates the policy once", async () => {
    const emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath) });
    running.push(emulator);
    let creates = 0;
    // The emulator throttles exactly the first create's POST (its 429 comes before any handling).
    const fetchImpl: FetchLike = async (input, init) => {
      const isCreate = init.method === "POST" && input.pathname.endsWith("/v2/policies");
      if (isCreate && creates++ === 0) {
        emulator.setFaults({ rate429: 1, retryAfterSeconds: 0 });
        try {
          return await fetch(input, init);
        } finally {
          emulator.setFaults({});
        }
      }
      return fetch(input, init);
    };
    const client = clientForEmulator(emulator.url, {
      fetch: fetchImpl,
    });
    const before = emulator.state().dlpPolicies?.length ?? 0;
    emulator.resetRequests();

    const created = await client.governance.createPolicy({
      policyDefinition: {
        displayName: "Throttled create",
        defaultConnectorsClassification: "General",
        connectorGroups: [
          { classification: "Confidential", connectors: [] },
          { classification: "General", connectors: [] },
          { classification: "Blocked", connectors: [] },
        ],
        environmentType: "AllEnvironments",
        environments: [],
      },
      customConnectorUrlPatternsDefinition: { rules: null },
    });

    const posts = emulator.requests().filter((entry) => entry.method === "POST");
    expect(posts.map((entry) => entry.status)).toEqual([429, 201]);
    const policies = emulator.state().dlpPolicies ?? [];
    expect(policies).toHaveLength(before + 1);
    const named = policies.filter((policy) => policy.policyDefinition.displayName === "Throttled create");
    expect(named.map((policy) => policy.policyDefinition.name)).toEqual([created.policyDefinition.name]);
  });
});
