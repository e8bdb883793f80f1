import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { seededRandom, decideFault } from "../../src/emulator/faults.js";
import { LifecycleRegistry } from "../../src/emulator/lifecycle.js";
import type { RunningEmulator } from "../../src/emulator/server.js";
import { BAP, call, closeAll, waitForOperation, withEmulator } from "./helpers.js";

const started: RunningEmulator[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await closeAll(started);
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const LIST = `${BAP}/scopes/admin/environments?api-version=2023-06-01`;

describe("control endpoints", () => {
  it("logs method, path with query and status since the last reset, without auth", async () => {
    const emulator = await withEmulator(started);
    const before = Date.now();
    // The Host header each request named (fetch names the emulator's own host and port).
    const host = new URL(emulator.url).host;
    await call(emulator, "GET", LIST);
    await call(emulator, "GET", "/licensing/billingPolicies", { token: null });
    const log = await call<{ at: number }[]>(emulator, "GET", "/_emulator/requests", { token: null });
    expect(log.status).toBe(200);
    expect(log.body).toEqual([
      { method: "GET", path: LIST, status: 200, at: expect.any(Number) as number, host },
      {
        method: "GET",
        path: "/licensing/billingPolicies",
        status: 401,
        at: expect.any(Number) as number,
        host,
      },
    ]);
    // Arrival times, in order, from this test's requests.
    const [first, second] = log.body;
    expect(first!.at).toBeGreaterThanOrEqual(before);
    expect(second!.at).toBeGreaterThanOrEqual(first!.at);
    expect(emulator.requests()).toEqual(log.body);
    expect((await call(emulator, "POST", "/_emulator/reset", { token: null })).status).toBe(200);
    expect((await call<unknown[]>(emulator, "GET", "/_emulator/requests", { token: null })).body).toEqual([]);
  });

  it("returns the whole state in the seed format", async () => {
    const emulator = await withEmulator(started);
    await call(emulator, "POST", `${BAP}/environmentGroups`, { body: { displayName: "G", description: "" } });
    const state = await call<Record<string, unknown[]>>(emulator, "GET", "/_emulator/state", { token: null });
    expect(state.body.environmentGroups).toHaveLength(1);
    expect(Object.keys(state.body)).toEqual(
      expect.arrayContaining(["environments", "dlpPolicies", "currencyPool", "groups"]),
    );
    expect(emulator.state().environmentGroups).toHaveLength(1);
  });

  it("returns request ids and echoes the client's request id, per API dialect", async () => {
    const emulator = await withEmulator(started);
    const bap = await fetch(`${emulator.url}${LIST}`, {
      headers: { Authorization: "Bearer ppgov-dev", "x-ms-client-request-id": "abc-123" },
    });
    expect(bap.headers.get("x-ms-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(bap.headers.get("x-ms-client-request-id")).toBe("abc-123");
    const graph = await fetch(`${emulator.url}/v1.0/subscribedSkus`, {
      headers: { Authorization: "Bearer ppgov-dev", "client-request-id": "def-456" },
    });
    expect(graph.headers.get("request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(graph.headers.get("client-request-id")).toBe("def-456");
  });

  it("validates a faults document", async () => {
    const emulator = await withEmulator(started);
    const bad = await call(emulator, "PUT", "/_emulator/faults", { token: null, body: { rate429: 2 } });
    expect(bad.status).toBe(400);
    const unknown = await call(emulator, "PUT", "/_emulator/faults", { token: null, body: { rateFoo: 0.1 } });
    expect(unknown.status).toBe(400);
  });
});

describe("fault injection", () => {
  /** The statuses a fixed faultSeed produces, computed with the same PRNG the emulator uses. */
  function expectedStatuses(
    seed: number,
    count: number,
    faults: Parameters<typeof decideFault>[0],
  ): number[] {
    const random = seededRandom(seed);
    return Array.from({ length: count }, () => {
      const decision = decideFault(faults, random);
      if (decision.kind === "throttle") return 429;
      if (decision.kind === "error") return decision.status;
      return 200;
    });
  }

  it("throttles with Retry-After and fails with 500/503 at the configured rates, reproducibly", async () => {
    const faults = { rate429: 0.3, retryAfterSeconds: 2, rate5xx: 0.2 };
    const emulator = await withEmulator(started, { faultSeed: 42 });
    const put = await call(emulator, "PUT", "/_emulator/faults", { token: null, body: faults });
    expect(put.status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const result = await call(emulator, "GET", LIST);
      statuses.push(result.status);
      if (result.status === 429) {
        expect(result.headers.get("retry-after")).toBe("2");
        expect(result.body).toMatchObject({ error: { code: "TooManyRequests" } });
      }
    }
    expect(statuses).toEqual(expectedStatuses(42, 40, faults));
    const count = (status: number) => statuses.filter((s) => s === status).length;
    // Exact counts for faultSeed 42 over 40 requests: a change means the PRNG or the draw order changed.
    expect({ 429: count(429), 500: count(500), 503: count(503), 200: count(200) }).toEqual({
      429: 9,
      500: 5,
      503: 2,
      200: 24,
    });
    expect(emulator.requests().map((r) => r.status)).toEqual(statuses);
    // A second emulator with the same seed produces the same sequence.
    const twin = await withEmulator(started, { faultSeed: 42, faults });
    const twinStatuses: number[] = [];
    for (let i = 0; i < 40; i++) twinStatuses.push((await call(twin, "GET", LIST)).status);
    expect(twinStatuses).toEqual(statuses);
  });

  it("drops connections before or during the response", async () => {
    const emulator = await withEmulator(started, { faultSeed: 7, faults: { rateDrop: 1 } });
    let failures = 0;
    for (let i = 0; i < 6; i++) {
      await call(emulator, "GET", LIST).then(
        () => undefined,
        () => failures++,
      );
    }
    expect(failures).toBe(6);
    const log = emulator.requests();
    expect(log).toHaveLength(6);
    // faultSeed 7 drops four before a status (logged 0) and two mid-body (logged with the status being sent).
    expect(log.map((entry) => entry.status)).toEqual([0, 0, 0, 0, 200, 200]);
    emulator.setFaults({});
    expect((await call(emulator, "GET", LIST)).status).toBe(200);
  });

  it("adds latency", async () => {
    const emulator = await withEmulator(started, { faults: { latencyMs: 80 } });
    const start = Date.now();
    await call(emulator, "GET", LIST);
    expect(Date.now() - start).toBeGreaterThanOrEqual(75);
  });

  it("sends Retry-After with the 202 and on running polls when operations take seconds", async () => {
    const emulator = await withEmulator(started, { lifecycleDelayMs: 1500 });
    const created = await call(emulator, "POST", `${BAP}/environments?api-version=2023-06-01`, {
      body: { location: "europe", properties: { displayName: "Slow", environmentSku: "Sandbox" } },
    });
    expect(created.headers.get("retry-after")).toBe("2");
    const poll = await call(emulator, "GET", created.headers.get("location")!);
    expect(poll.headers.get("retry-after")).toBe("2");
  });

  it("ends lifecycle operations Failed with the real Failed body, without applying them", async () => {
    const emulator = await withEmulator(started, { faults: { lifecycleFailRate: 1 } });
    const created = await call(emulator, "POST", `${BAP}/environments?api-version=2023-06-01`, {
      body: { location: "europe", properties: { displayName: "Doomed", environmentSku: "Sandbox" } },
    });
    const done = await waitForOperation(emulator, created.headers.get("location")!);
    expect(done.body.state.id).toBe("Failed");
    expect(done.body.links.environment.path).toBe("");
    const stages = (done.body as unknown as { stages: { id: string; state: { id: string } }[] }).stages;
    expect(stages.map((s) => `${s.id}:${s.state.id}`)).toEqual([
      "Validate:Succeeded",
      "Prepare:Succeeded",
      "Run:Failed",
    ]);
    expect(emulator.state().environments).toEqual([]);
  });
});

describe("authentication", () => {
  it("requires a bearer token and accepts the dev token for every API", async () => {
    const emulator = await withEmulator(started, { devToken: "local-dev-token" });
    const missing = await call(emulator, "GET", LIST, { token: null });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(missing.body).toMatchObject({ error: { code: "InvalidAuthenticationToken" } });
    expect((await call(emulator, "GET", LIST, { token: "wrong" })).status).toBe(401);
    for (const path of [
      LIST,
      "/providers/Microsoft.PowerApps/apis",
      "/licensing/billingPolicies",
      "/v1.0/subscribedSkus",
    ]) {
      expect((await call(emulator, "GET", path, { token: "local-dev-token" })).status).toBe(200);
    }
    const graph401 = await call<{ error: { innerError?: unknown } }>(
      emulator,
      "GET",
      "/v1.0/subscribedSkus",
      { token: null },
    );
    expect(graph401.body.error.innerError).toBeDefined();
  });

  const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ISSUER = "https://login.microsoftonline.com/6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b/v2.0";

  function sign(
    claims: Record<string, unknown>,
    privateKey: KeyObject = keys.privateKey,
    kid = "k1",
  ): string {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const head = encode({ alg: "RS256", typ: "JWT", kid });
    const body = encode({
      iss: ISSUER,
      iat: now,
      nbf: now - 5,
      exp: now + 600,
      tid: "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
      ...claims,
    });
    const signature = createSign("RSA-SHA256")
      .update(`${head}.${body}`)
      .sign(privateKey)
      .toString("base64url");
    return `${head}.${body}.${signature}`;
  }

  it("accepts RS256 JWTs from the local authority only for the audience of the API called", async () => {
    const publicPem = keys.publicKey.export({ type: "spki", format: "pem" }).toString();
    const emulator = await withEmulator(started, { jwt: { issuer: ISSUER, publicKeys: [publicPem] } });
    const bap = sign({ aud: "https://service.powerapps.com/" });
    const pp = sign({ aud: "https://api.powerplatform.com" });
    const graph = sign({ aud: "https://graph.microsoft.com" });
    expect((await call(emulator, "GET", LIST, { token: bap })).status).toBe(200);
    expect(
      (await call(emulator, "GET", LIST, { token: sign({ aud: "https://api.bap.microsoft.com" }) })).status,
    ).toBe(200);
    expect((await call(emulator, "GET", "/providers/Microsoft.PowerApps/apis", { token: bap })).status).toBe(
      200,
    );
    expect((await call(emulator, "GET", "/licensing/billingPolicies", { token: pp })).status).toBe(200);
    expect((await call(emulator, "GET", "/v1.0/subscribedSkus", { token: graph })).status).toBe(200);
    const wrongAudience = await call(emulator, "GET", LIST, { token: pp });
    expect(wrongAudience.status).toBe(401);
    expect(JSON.stringify(wrongAudience.body)).toContain("audience");
    expect((await call(emulator, "GET", "/licensing/billingPolicies", { token: bap })).status).toBe(401);
    expect((await call(emulator, "GET", "/v1.0/subscribedSkus", { token: pp })).status).toBe(401);
    // Expired, wrong issuer, foreign key: all refused.
    expect(
      (await call(emulator, "GET", LIST, { token: sign({ aud: "https://service.powerapps.com/", exp: 1 }) }))
        .status,
    ).toBe(401);
    expect(
      (
        await call(emulator, "GET", LIST, {
          token: sign({ aud: "https://service.powerapps.com/", iss: "https://evil" }),
        })
      ).status,
    ).toBe(401);
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    expect(
      (
        await call(emulator, "GET", LIST, {
          token: sign({ aud: "https://service.powerapps.com/" }, other.privateKey),
        })
      ).status,
    ).toBe(401);
    // The dev token still works alongside JWTs.
    expect((await call(emulator, "GET", LIST)).status).toBe(200);
  });

  it("answers the real 403 to apps not registered as management applications (admin API only)", async () => {
    const publicPem = keys.publicKey.export({ type: "spki", format: "pem" }).toString();
    const registered = "11111111-2222-4333-8444-555555555555";
    const emulator = await withEmulator(started, {
      jwt: { issuer: ISSUER, publicKeys: [publicPem], managementApplications: [registered] },
    });
    const stranger = sign({
      aud: "https://service.powerapps.com/",
      appid: "99999999-2222-4333-8444-555555555555",
    });
    const refused = await call<{ error: { code: string; message: string } }>(emulator, "GET", LIST, {
      token: stranger,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain("does not have permission to access the path");
    const member = sign({ aud: "https://service.powerapps.com/", appid: registered });
    expect((await call(emulator, "GET", LIST, { token: member })).status).toBe(200);
    // Registration is a Power Platform admin concept: Graph does not care.
    const graph = sign({ aud: "https://graph.microsoft.com", appid: "99999999-2222-4333-8444-555555555555" });
    expect((await call(emulator, "GET", "/v1.0/subscribedSkus", { token: graph })).status).toBe(200);
  });

  it("verifies JWTs against a JWKS fetched from jwksUrl", async () => {
    const jwk = { ...keys.publicKey.export({ format: "jwk" }), kid: "k1", use: "sig" };
    const server = createServer((_request, response) => {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`;
    const emulator = await withEmulator(started, { jwt: { issuer: ISSUER, jwksUrl } });
    expect(
      (await call(emulator, "GET", LIST, { token: sign({ aud: "https://service.powerapps.com/" }) })).status,
    ).toBe(200);
    expect(
      (
        await call(emulator, "GET", LIST, {
          token: sign({ aud: "https://service.powerapps.com/" }, keys.privateKey, "k2"),
        })
      ).status,
    ).toBe(401);
  });
});

describe("lifecycle operation retention", () => {
  it("forgets finished operations after a while, answering 404 as the service does", () => {
    let applied = 0;
    const registry = new LifecycleRegistry(
      0,
      () => 0,
      () => 0.5,
      () => undefined,
    );
    const operation = registry.start({ environmentId: "E1", type: "Update", apply: () => applied++ });
    const start = Date.now();
    expect(registry.settle(start + 1)).toBe(true);
    expect(applied).toBe(1);
    expect(registry.get(operation.id)?.state).toBe("Succeeded");
    registry.settle(start + 10 * 60_000);
    expect(registry.get(operation.id)).toBeDefined();
    registry.settle(start + 16 * 60_000);
    expect(registry.get(operation.id)).toBeUndefined();
    registry.close();
  });
});
