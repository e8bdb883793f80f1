import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/server.js";
import { BAP, call, closeAll, withEmulator } from "../emulator/helpers.js";
import { compareShape } from "../emulator/shape.js";
import { TF_FIXTURES } from "../helpers/tf-fixtures.js";

const FIXTURES = TF_FIXTURES.replace(/\/$/, "");
const TENANT = "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const PARTNER = "11111111-1111-1111-1111-111111111111";
const ISOLATION = `/providers/PowerPlatform.Governance/v1/tenants/${TENANT}/tenantIsolationPolicy`;
const LIST = `${BAP}/listTenantSettings?api-version=2023-06-01`;
const UPDATE = `${BAP}/scopes/admin/updateTenantSettings?api-version=2023-06-01`;

const fixture = (path: string): unknown => JSON.parse(readFileSync(`${FIXTURES}/${path}`, "utf8"));

const started: RunningEmulator[] = [];
afterAll(() => closeAll(started));

const policyBody = (inbound: boolean, outbound: boolean) => ({
  properties: {
    tenantId: TENANT,
    isDisabled: false,
    allowedTenants: [{ tenantId: PARTNER, direction: { inbound, outbound } }],
  },
});

describe("emulator: tenant settings", () => {
  it("lists the recorded settings object and merges a partial update, answering the full object", async () => {
    const emulator = await withEmulator(started, { seed: { tenantId: TENANT } });
    const listed = await call(emulator, "POST", LIST, { body: {} });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual(fixture("tenant_settings/datasource/post_list_tenant_settings.json"));

    const updated = await call<Record<string, unknown>>(emulator, "POST", UPDATE, {
      body: { powerPlatform: { governance: { policy: { enableDesktopFlowDataPolicyManagement: true } } } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      walkMeOptOut: false,
      powerPlatform: {
        governance: { disableAdminDigest: false, policy: { enableDesktopFlowDataPolicyManagement: true } },
        search: { disableDocsSearch: false },
      },
    });
    // The answer has the recorded update's shape (every recorded key, same JSON types).
    expect(
      compareShape(
        fixture("tenant_settings/resources/Validate_Create/post_update_tenant_settings.json"),
        updated.body,
      ),
    ).toEqual([]);
    expect((await call(emulator, "POST", LIST, { body: {} })).body).toEqual(updated.body);
  });

  it("refuses an update that is not an object", async () => {
    const emulator = await withEmulator(started, { seed: { tenantId: TENANT } });
    const refused = await call(emulator, "POST", UPDATE, { body: [true] });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: "InvalidRequestContent" } });
  });
});

describe("emulator: tenant isolation", () => {
  it("answers 404 without a policy and 200 with the recorded shape after a PUT", async () => {
    const emulator = await withEmulator(started, { seed: { tenantId: TENANT } });
    const none = await call(emulator, "GET", ISOLATION);
    expect(none.status).toBe(404);
    const put = await call(emulator, "PUT", ISOLATION, { body: policyBody(true, false) });
    expect(put.status).toBe(200);
    expect(
      compareShape(
        fixture("tenant_isolation_policy/resource/Validate_Create/policy_response.json"),
        put.body,
      ),
    ).toEqual([]);
    expect((await call(emulator, "GET", ISOLATION)).body).toEqual(policyBody(true, false));
  });

  it("with isolationAsyncMs, a PUT answers 202 + Location; polls answer 202 until the change is in force", async () => {
    const emulator = await withEmulator(started, {
      seed: { tenantId: TENANT, tenantIsolationPolicy: policyBody(true, false) },
    });
    expect(
      (await call(emulator, "PUT", "/_emulator/faults", { body: { isolationAsyncMs: 150 } })).status,
    ).toBe(200);
    const accepted = await call(emulator, "PUT", ISOLATION, { body: policyBody(true, true) });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toBeUndefined();
    expect(accepted.headers.get("retry-after")).toBe("1");
    const location = accepted.headers.get("location")!;
    expect(location).toMatch(new RegExp(`^${emulator.url}${ISOLATION}/operations/[0-9a-f-]{36}$`));

    const early = await call(emulator, "GET", location);
    expect(early.status).toBe(202);
    // Until the operation ends, the policy in force is the old one.
    expect((await call(emulator, "GET", ISOLATION)).body).toEqual(policyBody(true, false));

    await new Promise((resolve) => setTimeout(resolve, 170));
    const done = await call(emulator, "GET", location);
    expect(done.status).toBe(200);
    expect((await call(emulator, "GET", ISOLATION)).body).toEqual(policyBody(true, true));
    expect(
      (await call(emulator, "GET", `${ISOLATION}/operations/00000000-0000-0000-0000-000000000000`)).status,
    ).toBe(404);
  });

  it("refuses another tenant's path and a malformed tenant id with the recorded error shape", async () => {
    const emulator = await withEmulator(started, { seed: { tenantId: TENANT } });
    const other = await call(emulator, "GET", ISOLATION.replace(TENANT, PARTNER));
    expect(other.status).toBe(403);
    const bad = await call(emulator, "PUT", ISOLATION, {
      body: { properties: { allowedTenants: [{ tenantId: "contoso.com" }] } },
    });
    expect(bad.status).toBe(400);
    expect(
      compareShape(
        fixture("tenant_isolation_policy/resource/Validate_Create_Error/error_response.json"),
        bad.body,
      ),
    ).toEqual([]);
  });

  it("keeps the policy in the state it exposes (seed format)", async () => {
    const emulator = await withEmulator(started, { seed: { tenantId: TENANT } });
    await call(emulator, "PUT", ISOLATION, { body: policyBody(false, true) });
    const state = await call<{ tenantIsolationPolicy: unknown; tenantSettings: unknown }>(
      emulator,
      "GET",
      "/_emulator/state",
    );
    expect(state.body.tenantIsolationPolicy).toEqual(policyBody(false, true));
    expect(state.body.tenantSettings).toMatchObject({ walkMeOptOut: false });
  });
});
