/**
 * Real credentials end to end: @azure/identity (unmodified) gets RS256 JWTs from a local HTTPS
 * authority, and the emulator accepts each token only for the API its audience names.
 */
import { execFile } from "node:child_process";
import { constants, createVerify, X509Certificate, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ClientSecretCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import { jwtClaims, startLocalAuthority, type LocalAuthority } from "../helpers/local-authority.js";
import { makeTestCertificate } from "../helpers/test-certificate.js";

const TENANT = "11111111-2222-3333-4444-555555555555";
const CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const OIDC_CLIENT = "99999999-8888-7777-6666-555555555555";
const CERT_CLIENT = "cccccccc-0000-0000-0000-000000000001";
const FILE_CLIENT = "ffffffff-0000-0000-0000-000000000001";
const WORKLOAD_TOKEN = "eyJ.workload-identity-token.sig";
const SECRET = "s3cret-value-for-tests";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SKU = {
  id: `${TENANT}_sku1`,
  skuId: "sku1",
  skuPartNumber: "POWERAPPS_PER_USER",
  consumedUnits: 3,
  prepaidUnits: { enabled: 10 },
  servicePlans: [],
  capabilityStatus: "Enabled",
  appliesTo: "User",
};

describe("credentials against a local HTTPS authority and the emulator", () => {
  let authority: LocalAuthority;
  let emulator: RunningEmulator;
  let workDir: string;
  let certificateFile: string;
  let tokenFile: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "ppgov-identity-"));
    // A client certificate (key + certificate in one PEM, as AZURE_CLIENT_CERTIFICATE_PATH expects).
    const { keyPath, certificatePem } = makeTestCertificate(workDir, "client");
    certificateFile = join(workDir, "client.pem");
    writeFileSync(certificateFile, readFileSync(keyPath, "utf8") + certificatePem);
    const certificateKey = new X509Certificate(certificatePem).publicKey;
    tokenFile = join(workDir, "federated-token");
    writeFileSync(tokenFile, `${WORKLOAD_TOKEN}\n`);
    authority = await startLocalAuthority({
      tenantId: TENANT,
      clients: { [CLIENT]: SECRET },
      federated: {
        // GitHub OIDC: exactly the ID tokens the Actions endpoint issued.
        [OIDC_CLIENT]: (assertion) => authority.actions.issued.includes(assertion),
        // Certificate: a client assertion signed with the certificate's key.
        [CERT_CLIENT]: (assertion) => verifiesWith(assertion, certificateKey),
        // Workload identity: the token in the file.
        [FILE_CLIENT]: (assertion) => assertion === WORKLOAD_TOKEN,
      },
    });
    emulator = await startEmulator({
      jwt: { issuer: authority.issuer, publicKeys: [authority.publicKeyPem], tenantId: TENANT },
      seed: { subscribedSkus: [SKU] },
    });
  });
  afterAll(async () => {
    await emulator.close();
    await authority.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function call(path: string, token: string): Promise<number> {
    const response = await fetch(`${emulator.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    return response.status;
  }

  it("ClientSecretCredential gets a token the emulator accepts only for the right audience", async () => {
    const credential = new ClientSecretCredential(TENANT, CLIENT, SECRET, {
      authorityHost: authority.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: authority.certificatePem },
    });
    const bap = await credential.getToken("https://service.powerapps.com/.default");
    const graph = await credential.getToken("https://graph.microsoft.com/.default");
    expect(jwtClaims(bap.token)).toMatchObject({
      aud: "https://service.powerapps.com/",
      iss: authority.issuer,
      tid: TENANT,
    });
    expect(jwtClaims(graph.token).aud).toBe("https://graph.microsoft.com");
    expect(bap.expiresOnTimestamp).toBeGreaterThan(Date.now());

    const environments =
      "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=2023-06-01";
    expect(await call(environments, bap.token)).toBe(200);
    expect(await call("/v1.0/subscribedSkus", graph.token)).toBe(200);
    expect(await call(environments, graph.token)).toBe(401);
    expect(await call("/v1.0/subscribedSkus", bap.token)).toBe(401);
    expect(await call("/licensing/billingPolicies?api-version=2022-03-01-preview", bap.token)).toBe(401);
  });

  it("rejects a wrong client secret with the authority's error", async () => {
    const credential = new ClientSecretCredential(TENANT, CLIENT, "not-the-secret", {
      authorityHost: authority.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: authority.certificatePem },
    });
    await expect(credential.getToken("https://service.powerapps.com/.default")).rejects.toThrow(
      /AADSTS7000215/,
    );
  });

  /** Runs the built client in a child process, configured only by environment variables as a user would. */
  async function runClient(env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
    const script = `
      const root = ${JSON.stringify(ROOT)};
      const { createTenantClient } = await import(root + "dist/adapters/tenant/index.js");
      const { SecretRegistry } = await import(root + "dist/adapters/log/secrets.js");
      const { createLogger } = await import(root + "dist/adapters/log/logger.js");
      const secrets = new SecretRegistry();
      const logger = createLogger({ level: "debug", secrets });
      const client = createTenantClient({ env: process.env, logger, secrets });
      const environments = await client.admin.listEnvironments();
      const skus = await client.graph.listSubscribedSkus();
      const again = await client.admin.listEnvironments();
      console.log(JSON.stringify({ credential: client.credential, environments: environments.length + again.length, skus: skus.map((s) => s.skuPartNumber) }));
    `;
    return promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
      env: {
        PATH: process.env.PATH ?? "",
        PPGOV_ENDPOINT: emulator.url,
        AZURE_TENANT_ID: TENANT,
        AZURE_AUTHORITY_HOST: authority.url,
        NODE_EXTRA_CA_CERTS: authority.certificatePath,
        ...env,
      },
      timeout: 30_000,
    });
  }

  it("the production client authenticates with a client secret from the environment", async () => {
    const before = authority.tokenRequests.length;
    const { stdout, stderr } = await runClient({ AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: SECRET });
    expect(JSON.parse(stdout)).toEqual({
      credential: "service principal with client secret",
      environments: 0,
      skus: ["POWERAPPS_PER_USER"],
    });
    const requests = authority.tokenRequests.slice(before);
    // One token per scope, cached for the second environments list.
    expect(requests.map((r) => r.scope)).toEqual([
      "https://service.powerapps.com/.default",
      "https://graph.microsoft.com/.default",
    ]);
    expect(stderr).toContain('"msg":"tenant request"');
    expect(stderr).not.toContain(SECRET);
    for (const { accessToken } of requests) expect(stderr).not.toContain(accessToken);
  });

  it("the production client uses GitHub OIDC with a fresh assertion per token request", async () => {
    const before = authority.tokenRequests.length;
    const { stdout, stderr } = await runClient({
      AZURE_CLIENT_ID: OIDC_CLIENT,
      ACTIONS_ID_TOKEN_REQUEST_URL: authority.actions.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: authority.actions.requestToken,
    });
    expect(JSON.parse(stdout)).toMatchObject({
      credential: "GitHub Actions OIDC",
      skus: ["POWERAPPS_PER_USER"],
    });
    const requests = authority.tokenRequests.slice(before);
    expect(requests.map((r) => r.grant)).toEqual(["assertion", "assertion"]);
    expect(new Set(requests.map((r) => r.assertion)).size).toBe(2);
    expect(authority.actions.audiences.slice(-2)).toEqual([
      "api://AzureADTokenExchange",
      "api://AzureADTokenExchange",
    ]);
    expect(stderr).not.toContain(authority.actions.requestToken);
    for (const { assertion, accessToken } of requests) {
      expect(stderr).not.toContain(assertion);
      expect(stderr).not.toContain(accessToken);
    }
  });

  it("the production client authenticates with a certificate", async () => {
    const before = authority.tokenRequests.length;
    const { stdout } = await runClient({
      AZURE_CLIENT_ID: CERT_CLIENT,
      AZURE_CLIENT_CERTIFICATE_PATH: certificateFile,
    });
    expect(JSON.parse(stdout)).toMatchObject({
      credential: "service principal with certificate",
      skus: ["POWERAPPS_PER_USER"],
    });
    expect(authority.tokenRequests.slice(before).map((r) => [r.clientId, r.grant])).toEqual([
      [CERT_CLIENT, "assertion"],
      [CERT_CLIENT, "assertion"],
    ]);
  });

  it("the production client authenticates with a federated token file", async () => {
    const before = authority.tokenRequests.length;
    const { stdout, stderr } = await runClient({
      AZURE_CLIENT_ID: FILE_CLIENT,
      AZURE_FEDERATED_TOKEN_FILE: tokenFile,
    });
    expect(JSON.parse(stdout)).toMatchObject({ credential: "workload identity (federated token file)" });
    expect(authority.tokenRequests.slice(before).map((r) => r.assertion)).toEqual([
      WORKLOAD_TOKEN,
      WORKLOAD_TOKEN,
    ]);
    expect(stderr).not.toContain(WORKLOAD_TOKEN);
  });

  it("names what is missing when a service principal is half configured", async () => {
    const failure = await runClient({ AZURE_CLIENT_ID: CLIENT }).then(
      () => undefined,
      (e: unknown) => e as { stderr: string; code: number },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain("AZURE_TENANT_ID and AZURE_CLIENT_ID are set but no client credential");
  });
});

/** True when a JWT's signature (RS256, or PS256 as MSAL uses for certificates) verifies with `key`. */
function verifiesWith(jwt: string, key: KeyObject): boolean {
  const [header, payload, signature] = jwt.split(".");
  if (header === undefined || payload === undefined || signature === undefined) return false;
  const { alg } = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { alg?: string };
  const verifyKey = alg === "PS256" ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : key;
  return createVerify("RSA-SHA256")
    .update(`${header}.${payload}`)
    .verify(verifyKey, Buffer.from(signature, "base64url"));
}
