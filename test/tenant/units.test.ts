import { describe, expect, it } from "vitest";
import { SecretRegistry } from "../../src/adapters/log/secrets.js";
import { mapWithConcurrency } from "../../src/adapters/tenant/concurrency.js";
import {
  chooseCredential,
  createTokenProvider,
  fetchGitHubAssertion,
  NO_CREDENTIALS_MESSAGE,
} from "../../src/adapters/tenant/credential.js";
import { apiForPath, EndpointResolver } from "../../src/adapters/tenant/endpoints.js";
import { parseServiceError } from "../../src/adapters/tenant/errors.js";
import { queryString } from "../../src/adapters/tenant/query.js";
import { backoffDelayMs, DEFAULT_RETRY_POLICY, parseRetryAfterMs } from "../../src/adapters/tenant/retry.js";
import { cachingTokenProvider } from "../../src/adapters/tenant/token-provider.js";
import { fieldPath } from "../../src/adapters/tenant/validator.js";
import { FakeFetch } from "./fake-fetch.js";

describe("endpoints", () => {
  it("maps paths to APIs by prefix, case-insensitively", () => {
    expect(apiForPath("/providers/Microsoft.BusinessAppPlatform/environments")).toBe("bap");
    expect(apiForPath("/providers/PowerPlatform.Governance/v2/policies")).toBe("bap");
    expect(apiForPath("/providers/microsoft.powerapps/apis")).toBe("powerapps");
    expect(apiForPath("/licensing/BillingPolicies")).toBe("ppapi");
    expect(apiForPath("/governance/ruleSets/x")).toBe("ppapi");
    expect(apiForPath("/environmentmanagement/environmentGroups")).toBe("ppapi");
    expect(apiForPath("/v1.0/subscribedSkus")).toBe("graph");
    expect(apiForPath("/other")).toBeUndefined();
  });

  it("uses the real hosts and scopes without an override", () => {
    const resolver = new EndpointResolver({});
    expect(resolver.url("bap", "/providers/Microsoft.BusinessAppPlatform/locations?api-version=1").href).toBe(
      "https://api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/locations?api-version=1",
    );
    expect(resolver.url("powerapps", "/providers/Microsoft.PowerApps/apis").host).toBe("api.powerapps.com");
    expect(resolver.url("graph", "/v1.0/subscribedSkus").host).toBe("graph.microsoft.com");
    const regional = new URL(
      "https://europe.api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/lifecycleOperations/1",
    );
    expect(resolver.follow(regional.href, regional).host).toBe("europe.api.bap.microsoft.com");
    expect(resolver.scopeFor(regional)).toBe("https://service.powerapps.com/.default");
    expect(resolver.tenantUrl("00000000-0000-0000-0000-000000000001", "/governance/x").host).toBe(
      "000000000000000000000000000000.01.tenant.api.powerplatform.com",
    );
    expect(resolver.scopeFor(resolver.tenantUrl("00000000-0000-0000-0000-000000000001", "/x"))).toBe(
      "https://api.powerplatform.com/.default",
    );
  });

  it("sends every host to PPGOV_ENDPOINT, keeping path and query, under its base path", () => {
    const resolver = new EndpointResolver({ endpoint: "http://127.0.0.1:8080/emu/" });
    const link =
      "https://europe.api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/lifecycleOperations/7?api-version=2023-06-01";
    const followed = resolver.follow(link, new URL("https://api.bap.microsoft.com/"));
    expect(followed.href).toBe(
      "http://127.0.0.1:8080/emu/providers/Microsoft.BusinessAppPlatform/lifecycleOperations/7?api-version=2023-06-01",
    );
    expect(resolver.scopeFor(followed)).toBe("https://service.powerapps.com/.default");
    expect(resolver.scopeFor(resolver.url("graph", "/v1.0/groups/x"))).toBe(
      "https://graph.microsoft.com/.default",
    );
  });

  it("has per-cloud hosts and scopes", () => {
    const gcc = new EndpointResolver({ cloud: "gcc" });
    expect(gcc.url("bap", "/providers/Microsoft.BusinessAppPlatform/x").host).toBe(
      "gov.api.bap.microsoft.us",
    );
    expect(gcc.scopeFor(gcc.url("ppapi", "/licensing/x"))).toBe(
      "https://api.gov.powerplatform.microsoft.us/.default",
    );
    const china = new EndpointResolver({ cloud: "china" });
    expect(china.scopeFor(china.url("bap", "/providers/Microsoft.BusinessAppPlatform/x"))).toBe(
      "https://service.powerapps.cn/.default",
    );
  });

  it("rejects a PPGOV_ENDPOINT that is not an http(s) URL", () => {
    expect(() => new EndpointResolver({ endpoint: "127.0.0.1:8080" })).toThrow(
      'PPGOV_ENDPOINT must be an http(s) base URL such as http://127.0.0.1:8080 (got "127.0.0.1:8080")',
    );
  });

  it("builds queries with %20 and readable OData keys", () => {
    expect(
      queryString({ $filter: "environment eq '~Default'", "api-version": "2019-05-01", skip: undefined }),
    ).toBe("?$filter=environment%20eq%20'~Default'&api-version=2019-05-01");
    expect(queryString({ $expand: "properties/billingPolicy,properties.capacity" })).toBe(
      "?$expand=properties/billingPolicy,properties.capacity",
    );
  });
});

describe("retry arithmetic", () => {
  it("parses Retry-After seconds and HTTP-dates", () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(parseRetryAfterMs("7", now)).toBe(7000);
    expect(parseRetryAfterMs(" 0 ", now)).toBe(0);
    expect(parseRetryAfterMs("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfterMs("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
    expect(parseRetryAfterMs("soon", now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });

  it("caps exponential backoff and applies full jitter", () => {
    const max = (): number => 0.999999;
    expect(backoffDelayMs(1, DEFAULT_RETRY_POLICY, max)).toBe(499);
    expect(backoffDelayMs(3, DEFAULT_RETRY_POLICY, max)).toBe(1999);
    expect(backoffDelayMs(30, DEFAULT_RETRY_POLICY, max)).toBe(29_999);
    expect(backoffDelayMs(5, DEFAULT_RETRY_POLICY, () => 0)).toBe(0);
  });
});

describe("error bodies", () => {
  it("reads BAP, PP API (with status), OData details and Graph shapes", () => {
    expect(parseServiceError({ error: { code: "A", message: "m", detailUrlType: "NotSpecified" } })).toEqual({
      code: "A",
      message: "m",
    });
    expect(parseServiceError({ status: 404, error: { code: "EnvironmentAllocationNotFound" } })).toEqual({
      code: "EnvironmentAllocationNotFound",
    });
    expect(
      parseServiceError({
        error: { code: "BadRequest", message: "Invalid", details: [{ code: "V", message: "GUID" }] },
      }),
    ).toEqual({
      code: "BadRequest",
      message: "Invalid; GUID",
    });
    expect(
      parseServiceError({
        error: { code: "Request_ResourceNotFound", message: "gone", innerError: { "request-id": "r" } },
      }),
    ).toEqual({
      code: "Request_ResourceNotFound",
      message: "gone",
    });
    expect(parseServiceError("<html>")).toEqual({});
  });

  it("formats field paths", () => {
    expect(fieldPath("/value/3/properties")).toBe("value[3].properties");
    expect(fieldPath("", "policyDefinition")).toBe("policyDefinition");
    expect(fieldPath("")).toBe("the body");
  });
});

describe("credential choice", () => {
  const sp = { AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c" };

  it("prefers PPGOV_TOKEN, then the service principal's credential", () => {
    expect(chooseCredential({ PPGOV_TOKEN: "x", ...sp, AZURE_CLIENT_SECRET: "s" }).kind).toBe("static-token");
    expect(chooseCredential({ ...sp, AZURE_CLIENT_SECRET: "s" }).kind).toBe("client-secret");
    expect(chooseCredential({ ...sp, AZURE_CLIENT_CERTIFICATE_PATH: "/c.pem" }).kind).toBe(
      "client-certificate",
    );
    expect(chooseCredential({ ...sp, AZURE_FEDERATED_TOKEN_FILE: "/t" }).kind).toBe("federated-token-file");
    expect(
      chooseCredential({
        ...sp,
        ACTIONS_ID_TOKEN_REQUEST_URL: "https://x",
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: "y",
      }).kind,
    ).toBe("github-oidc");
    expect(chooseCredential({ IDENTITY_ENDPOINT: "http://169.254.169.254" }).kind).toBe("managed-identity");
    expect(chooseCredential({})).toEqual({ kind: "azure-cli", tenantId: undefined });
  });

  it("names what is missing", () => {
    expect(() => chooseCredential({ AZURE_CLIENT_SECRET: "s" })).toThrow(
      "incomplete service principal credentials: AZURE_TENANT_ID and AZURE_CLIENT_ID are not set",
    );
    expect(() => chooseCredential({ AZURE_TENANT_ID: "t", AZURE_CLIENT_SECRET: "s" })).toThrow(
      "AZURE_CLIENT_ID is not set",
    );
    expect(() => chooseCredential({ ...sp, ACTIONS_ID_TOKEN_REQUEST_URL: "https://x" })).toThrow(
      "give the job `permissions: id-token: write`",
    );
    expect(() => chooseCredential(sp)).toThrow("no client credential");
  });

  it("explains every option when nothing is configured and the Azure CLI cannot help", async () => {
    // AzureCliCredential runs `az` from this process's PATH: hide it so a developer's login cannot leak in.
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      const provider = createTokenProvider({ env: {}, secrets: new SecretRegistry() });
      expect(provider.description).toBe("Azure CLI login");
      await expect(provider.getToken("https://service.powerapps.com/.default")).rejects.toThrow(
        NO_CREDENTIALS_MESSAGE,
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it("fetches a GitHub OIDC assertion for the Entra ID audience and registers it as a secret", async () => {
    const fake = new FakeFetch([
      { method: "GET", path: "/idtoken", replies: [{ status: 200, body: { value: "eyJ.assertion.sig" } }] },
    ]);
    const secrets = new SecretRegistry();
    const value = await fetchGitHubAssertion(
      "https://actions.example/idtoken?api-version=2.0",
      "req-token",
      secrets,
      fake.fetch,
    );
    expect(value).toBe("eyJ.assertion.sig");
    const request = fake.requests[0]!;
    expect(request.url.searchParams.get("audience")).toBe("api://AzureADTokenExchange");
    expect(request.url.searchParams.get("api-version")).toBe("2.0");
    expect(request.headers.get("authorization")).toBe("bearer req-token");
    expect(secrets.scrub("got eyJ.assertion.sig")).toBe("got [redacted]");
  });

  it("explains a refused GitHub OIDC request", async () => {
    const fake = new FakeFetch([{ method: "GET", path: "/idtoken", replies: [{ status: 403, body: {} }] }]);
    await expect(
      fetchGitHubAssertion("https://actions.example/idtoken", "t", new SecretRegistry(), fake.fetch),
    ).rejects.toThrow(
      "GitHub OIDC: the Actions ID token endpoint answered HTTP 403; does the job have `permissions: id-token: write`?",
    );
  });
});

describe("token cache", () => {
  it("caches per scope until near expiry, shares in-flight requests and registers tokens", async () => {
    let clock = 0;
    let minted = 0;
    const secrets = new SecretRegistry();
    const provider = cachingTokenProvider({
      description: "test",
      secrets,
      now: () => clock,
      source: (scope) =>
        Promise.resolve({ token: `token-${++minted}-${scope}`, expiresOnTimestamp: clock + 3_600_000 }),
    });
    const [a, b] = await Promise.all([provider.getToken("s1"), provider.getToken("s1")]);
    expect(a).toBe(b);
    expect(minted).toBe(1);
    expect(await provider.getToken("s2")).toBe("token-2-s2");
    clock += 50 * 60_000;
    expect(await provider.getToken("s1")).toBe("token-1-s1");
    clock += 6 * 60_000; // within five minutes of expiry
    expect(await provider.getToken("s1")).toBe("token-3-s1");
    provider.invalidate("s1");
    expect(await provider.getToken("s1")).toBe("token-4-s1");
    expect(secrets.scrub("token-4-s1")).toBe("[redacted]");
  });
});

describe("bounded concurrency", () => {
  it("keeps order and never exceeds the limit", async () => {
    let active = 0;
    let peak = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, n));
      active -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(peak).toBe(3);
  });

  it("fails fast and starts nothing after a failure", async () => {
    const started: number[] = [];
    await expect(
      mapWithConcurrency([1, 2, 3, 4], 1, (n) => {
        started.push(n);
        return n === 2 ? Promise.reject(new Error("boom")) : Promise.resolve(n);
      }),
    ).rejects.toThrow("boom");
    expect(started).toEqual([1, 2]);
  });
});
