/**
 * Issue 7: ids that reach a request path — from the tenant, from a document, or produced by an earlier
 * step — are URL-encoded, so "../", "?$filter=", "%2F" or quotes can neither reach another resource
 * nor add a query. Checked on the client's own reads and on the steps a plan carries.
 */
import { describe, expect, it } from "vitest";
import { substituteStep } from "../../src/app/apply-engine.js";
import type { StepRequest } from "../../src/core/kinds/resource-kind.js";
import { deleteRuleSetStep, removeFromGroupStep } from "../../src/core/kinds/environment-group.js";
import { idInPath, placeholder, placeholderText } from "../../src/core/kinds/placeholder.js";
import type { PlanStep } from "../../src/core/plan/index.js";
import { EndpointResolver } from "../../src/adapters/tenant/endpoints.js";
import { executeStep } from "../../src/adapters/tenant/index.js";
import { testClient } from "../tenant/fake-fetch.js";

const HOSTILE = ["../../x", "a/b", "x?$filter=name eq 'y'", "%2F..%2F", "a'b\"c", "a#frag", "a b&c=d"];

/** What a server sees: exactly one path segment for the id, and no query the client did not write. */
function expectOneSegment(path: string, prefix: string, suffix: string, id: string): void {
  expect(path.startsWith(prefix)).toBe(true);
  const segment = path.slice(prefix.length, path.length - suffix.length);
  expect(path.endsWith(suffix)).toBe(true);
  expect(segment).not.toMatch(/[/?#]/);
  expect(decodeURIComponent(segment)).toBe(id);
}

describe("ids in request paths", () => {
  it.each(HOSTILE)("the client encodes %j in its reads", async (id) => {
    const { client, fake } = testClient([
      { method: "GET", path: /./, replies: [{ status: 404, body: { error: { code: "NotFound" } } }] },
    ]);
    await client.governance.getPolicy(id).catch(() => undefined);
    const url = fake.requests[0]!.url;
    const prefix = "/providers/PowerPlatform.Governance/v2/policies/";
    expect(url.pathname.startsWith(prefix), url.href).toBe(true);
    expect(url.search).toBe("");
    expect(decodeURIComponent(url.pathname.slice(prefix.length))).toBe(id);
    expect(url.pathname.slice(prefix.length)).not.toContain("/");
  });

  it.each(HOSTILE)("plan steps encode %j taken from the tenant", (id) => {
    expect(decodeURIComponent(idInPath(id))).toBe(id);
    expect(idInPath(id)).not.toMatch(/[/?#]/);
    const ruleSet = deleteRuleSetStep(id);
    expectOneSegment(ruleSet.path, "/governance/ruleSets/", "?api-version=2021-10-01-preview", id);
    const removal = removeFromGroupStep(id, id);
    expect(removal.path.split("?")[0]!.split("/")).toHaveLength(6);
    expect(removal.path.split("?")).toHaveLength(2);
  });

  it("leaves ordinary ids as they are", () => {
    for (const id of ["Default-5e1c0b52-9b3a-4f6e-8a21-5c4b3d2e1f00", "3f1c0b52-9b3a-4f6e-8a21-5c4b3d2e1f00"])
      expect(idInPath(id)).toBe(id);
  });

  it.each(HOSTILE)("an id %j produced by an earlier step is encoded when substituted into a path", (id) => {
    const ref = placeholder("Environment/dev");
    const step = {
      id: "s1",
      path: `/licensing/environments/${placeholderText(ref)}/allocations?api-version=2022-03-01-preview`,
      body: { environmentId: ref },
    } as unknown as PlanStep;
    const concrete = substituteStep(step, new Map([[ref.$ref, id]]));
    expectOneSegment(
      concrete.path,
      "/licensing/environments/",
      "/allocations?api-version=2022-03-01-preview",
      id,
    );
    // Bodies carry the id as a value, not in a URL: unchanged.
    expect(concrete.body).toEqual({ environmentId: id });
  });

  it.each(["evil.example/x#", "a@evil.example", "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b.evil"])(
    "a tenant id %j never becomes a host name a token is sent to",
    async (tenantId) => {
      const { client, fake } = testClient([]);
      const step: StepRequest = {
        label: "x",
        description: "tenant-host step",
        api: "powerplatform-tenant",
        method: "GET",
        path: "/governance/ruleSets/x?api-version=1",
        expect: [200],
        async: "none",
        idempotent: true,
      };
      await expect(executeStep(client, step, { tenantId })).rejects.toThrow(/is not a GUID/);
      expect(fake.requests).toEqual([]);
    },
  );

  it("links the service hands back (Location, nextLink) are followed only to the cloud's own hosts", () => {
    const resolver = new EndpointResolver({});
    const base = new URL(
      "https://api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/environments",
    );
    for (const foreign of [
      "https://evil.example/providers/Microsoft.BusinessAppPlatform/lifecycleOperations/1",
      "http://api.bap.microsoft.com/x",
      "https://api.bap.microsoft.com.evil.example/x",
      "//evil.example/x",
      // Regional hosts: one DNS label only, and only for BAP, PowerApps and Flow.
      "https://a.b.api.flow.microsoft.com/providers/Microsoft.ProcessSimple/x",
      "https://emea.graph.microsoft.com/v1.0/groups",
      "https://-x.api.powerapps.com/providers/Microsoft.PowerApps/apps",
      // A host of another token audience than the path needs.
      "https://emea.api.powerapps.com/providers/Microsoft.ProcessSimple/scopes/admin/environments/e/v2/flows",
      "https://graph.microsoft.com/providers/Microsoft.BusinessAppPlatform/environments",
    ])
      expect(() => resolver.follow(foreign, base), foreign).toThrow(/refusing to send a token there/);
    for (const own of [
      "/providers/Microsoft.BusinessAppPlatform/lifecycleOperations/1",
      "https://europe.api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/lifecycleOperations/1",
      "https://graph.microsoft.com/v1.0/groups?$skiptoken=x",
      "https://000000000000000000000000000000.01.tenant.api.powerplatform.com/governance/x",
      "https://emea.api.flow.microsoft.com:11777/providers/Microsoft.ProcessSimple/scopes/admin/environments/e/v2/flows?$skiptoken=x",
      "https://emea.api.powerapps.com/providers/Microsoft.PowerApps/scopes/admin/environments/e/apps?$skiptoken=x",
      "https://emea.api.bap.microsoft.com:443/providers/Microsoft.PowerApps/apis",
    ])
      expect(resolver.follow(own, base).protocol, own).toBe("https:");
    expect(
      resolver.scopeFor(
        new URL("https://emea.api.flow.microsoft.com:11777/providers/Microsoft.ProcessSimple/x"),
      ),
    ).toBe("https://service.flow.microsoft.com/.default");
    // Through PPGOV_ENDPOINT every link is rebased onto the emulator, whatever host it named.
    const emulated = new EndpointResolver({ endpoint: "http://127.0.0.1:8080" });
    expect(emulated.follow("https://evil.example/x", base).origin).toBe("http://127.0.0.1:8080");
  });
});
