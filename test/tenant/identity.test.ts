import { ClientSecretCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jwtClaims, startLocalAuthority, type LocalAuthority } from "../helpers/local-authority.js";

const TENANT = "11111111-2222-3333-4444-555555555555";
const CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const SECRET = "s3cret-value-for-tests";

describe("@azure/identity against a local HTTPS authority", () => {
  let authority: LocalAuthority;
  beforeAll(async () => {
    authority = await startLocalAuthority({ tenantId: TENANT, clients: { [CLIENT]: SECRET } });
  });
  afterAll(() => authority.close());

  it("ClientSecretCredential gets an RS256 token whose audience matches the scope", async () => {
    const credential = new ClientSecretCredential(TENANT, CLIENT, SECRET, {
      authorityHost: authority.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: authority.certificatePem },
    });
    const token = await credential.getToken("https://service.powerapps.com/.default");
    const claims = jwtClaims(token.token);
    expect(claims.aud).toBe("https://service.powerapps.com/");
    expect(claims.iss).toBe(authority.issuer);
    expect(claims.tid).toBe(TENANT);
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now());
    expect(authority.tokenRequests).toEqual([
      { clientId: CLIENT, scope: "https://service.powerapps.com/.default", grant: "secret" },
    ]);
  });
});
