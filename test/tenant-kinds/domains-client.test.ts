import { afterEach, describe, expect, it } from "vitest";
import { readLiveTenant } from "../../src/adapters/tenant/live-reader.js";
import { findTenantIdByDomain } from "../../src/adapters/tenant/tenant-domains.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import { clientForEmulator } from "../tenant/fake-fetch.js";

const FABRIKAM = "11111111-1111-1111-1111-111111111111";
const QUOTED = "22222222-2222-2222-2222-222222222222";
const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

async function emulator(): Promise<RunningEmulator> {
  const started = await startEmulator({
    seed: {
      tenantDomains: { "fabrikam.onmicrosoft.com": FABRIKAM.toUpperCase(), "o'brien.example": QUOTED },
    },
    lifecycleDelayMs: 0,
  });
  running.push(started);
  return started;
}

describe("tenant domains over HTTP (Graph findTenantInformationByDomainName)", () => {
  it("the emulator answers a seeded domain's tenantInformation and 404 for others", async () => {
    const { url } = await emulator();
    const get = (domain: string) =>
      fetch(
        `${url}/v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='${encodeURIComponent(domain)}')`,
        { headers: { Authorization: "Bearer ppgov-dev" } },
      );
    const found = await get("Fabrikam.onmicrosoft.com");
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({
      tenantId: FABRIKAM.toUpperCase(),
      defaultDomainName: "fabrikam.onmicrosoft.com",
    });
    const missing = await get("nobody.example");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe(
      "Request_ResourceNotFound",
    );
  });

  it("the reader resolves the domains the requirements name (quotes escaped), null for unknown ones", async () => {
    const client = clientForEmulator((await emulator()).url);
    expect(await findTenantIdByDomain(client.http, "o'brien.example")).toBe(QUOTED);
    const live = await readLiveTenant(client, {
      collections: ["environments"],
      licenseGroupIds: [],
      allLicensedGroups: false,
      tenantDomains: ["fabrikam.onmicrosoft.com", "nobody.example"],
    });
    expect(live.tenantDomains).toEqual({ "fabrikam.onmicrosoft.com": FABRIKAM, "nobody.example": null });
    const none = await readLiveTenant(client, {
      collections: ["environments"],
      licenseGroupIds: [],
      allLicensedGroups: false,
    });
    expect(none.tenantDomains).toBeUndefined();
  });
});
