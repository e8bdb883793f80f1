/**
 * A local OAuth 2.0 authority shaped like Entra ID, served over HTTPS on 127.0.0.1 with a self-signed
 * certificate made for the test. Unmodified @azure/identity credentials get real RS256 JWTs from it,
 * and the emulator can be told to trust them (`jwt: { issuer, publicKeys: [publicKeyPem] }`).
 *
 * Serves: OpenID discovery (`/{tenant}/v2.0/.well-known/openid-configuration`), instance discovery
 * (`/common/discovery/instance`), the JWKS, the v2 token endpoint (client credentials with a secret or
 * a client assertion) and, for GitHub OIDC tests, an Actions-style ID token endpoint (`/actions/idtoken`).
 *
 * The certificate comes from the `openssl` CLI (present on CI images and dev machines); Node has no
 * X.509 writer, and this avoids a dependency used only by tests.
 */
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeTestCertificate } from "./test-certificate.js";

export interface LocalAuthorityOptions {
  tenantId: string;
  /** client id → client secret. */
  clients?: Record<string, string>;
  /** client id → predicate over a client assertion (federated credentials). */
  federated?: Record<string, (assertion: string) => boolean>;
  /** Lifetime of minted access tokens. Default 3600 s. */
  tokenLifetimeSeconds?: number;
}

export interface TokenRequestRecord {
  clientId: string;
  scope: string;
  grant: "secret" | "assertion";
  assertion?: string;
  /** The token minted. */
  accessToken: string;
}

export interface LocalAuthority {
  /** https://127.0.0.1:PORT (the AZURE_AUTHORITY_HOST value). */
  url: string;
  /** The `iss` claim of minted tokens. */
  issuer: string;
  jwksUrl: string;
  /** PEM of the token-signing public key (give it to the emulator). */
  publicKeyPem: string;
  /** PEM of the TLS certificate (trust it with NODE_EXTRA_CA_CERTS or tlsOptions.ca). */
  certificatePem: string;
  /** Path of the TLS certificate file, for NODE_EXTRA_CA_CERTS. */
  certificatePath: string;
  /** Every successful token request, in order. */
  tokenRequests: TokenRequestRecord[];
  /** GitHub OIDC: the URL to put in ACTIONS_ID_TOKEN_REQUEST_URL and the bearer it expects. */
  actions: { requestUrl: string; requestToken: string; issued: string[]; audiences: string[] };
  close(): Promise<void>;
}

/** Audience Entra ID puts in a token for a `.default` scope (service.powerapps.com keeps its slash). */
export function audienceForScope(scope: string): string {
  const resource = scope.replace(/\/\.default$/, "");
  return resource === "https://service.powerapps.com" ? "https://service.powerapps.com/" : resource;
}

export async function startLocalAuthority(options: LocalAuthorityOptions): Promise<LocalAuthority> {
  const dir = mkdtempSync(join(tmpdir(), "ppgov-authority-"));
  const { keyPath, certificatePath, certificatePem } = makeTestCertificate(dir);
  const signing = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomUUID();
  const publicKeyPem = signing.publicKey.export({ type: "spki", format: "pem" }).toString();

  const tokenRequests: TokenRequestRecord[] = [];
  const actions = {
    requestUrl: "",
    requestToken: `actions-${randomUUID()}`,
    issued: [] as string[],
    audiences: [] as string[],
  };
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  let base = "";
  const issuer = (): string => `${base}/${options.tenantId}/v2.0`;

  const server = createServer({ key: readFileSync(keyPath), cert: certificatePem }, (req, res) => {
    void handle(req, res).catch((error: unknown) =>
      send(res, 500, { error: "server_error", error_description: String(error) }),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", base);
    const tenant = options.tenantId;
    if (req.method === "GET" && url.pathname === "/common/discovery/instance") {
      return send(res, 200, {
        tenant_discovery_endpoint: `${base}/${tenant}/v2.0/.well-known/openid-configuration`,
        "api-version": "1.1",
        metadata: [{ preferred_network: url.host, preferred_cache: url.host, aliases: [url.host] }],
      });
    }
    if (req.method === "GET" && url.pathname.endsWith("/v2.0/.well-known/openid-configuration")) {
      return send(res, 200, {
        issuer: issuer(),
        authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
        device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
        end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        token_endpoint_auth_methods_supported: [
          "client_secret_post",
          "private_key_jwt",
          "client_secret_basic",
        ],
        tenant_region_scope: "EU",
        cloud_instance_name: "microsoftonline.com",
      });
    }
    if (req.method === "GET" && url.pathname === `/${tenant}/discovery/v2.0/keys`) {
      const jwk = signing.publicKey.export({ format: "jwk" });
      return send(res, 200, { keys: [{ ...jwk, kid, use: "sig", alg: "RS256" }] });
    }
    if (req.method === "POST" && url.pathname === `/${tenant}/oauth2/v2.0/token`) {
      return token(new URLSearchParams(await readBody(req)), res);
    }
    if (req.method === "GET" && url.pathname === "/actions/idtoken") {
      if (req.headers.authorization !== `bearer ${actions.requestToken}`)
        return send(res, 401, { message: "bad token" });
      const audience = url.searchParams.get("audience") ?? "";
      const idToken = sign(signing.privateKey, kid, {
        iss: "https://token.actions.githubusercontent.com",
        sub: "repo:contoso/governance:ref:refs/heads/main",
        aud: audience,
        jti: randomUUID(),
        ...times(300),
      });
      actions.issued.push(idToken);
      actions.audiences.push(audience);
      return send(res, 200, { value: idToken, count: actions.issued.length });
    }
    send(res, 404, { error: "not_found", error_description: `${req.method} ${url.pathname}` });
  }

  function token(form: URLSearchParams, res: ServerResponse): void {
    const clientId = form.get("client_id") ?? "";
    const scope = form.get("scope") ?? "";
    if (form.get("grant_type") !== "client_credentials")
      return oauthError(res, "unsupported_grant_type", "only client_credentials");
    const secret = form.get("client_secret");
    const assertion = form.get("client_assertion");
    let grant: "secret" | "assertion";
    if (secret !== null) {
      if (options.clients?.[clientId] !== secret)
        return oauthError(res, "invalid_client", "AADSTS7000215: Invalid client secret provided.");
      grant = "secret";
    } else if (assertion !== null) {
      const accepts = options.federated?.[clientId];
      if (accepts === undefined || !accepts(assertion)) {
        return oauthError(
          res,
          "invalid_client",
          "AADSTS700213: No matching federated identity record found.",
        );
      }
      grant = "assertion";
    } else {
      return oauthError(
        res,
        "invalid_client",
        "AADSTS7000216: client_assertion or client_secret is required.",
      );
    }
    const resourceScope = scope.split(" ").find((s) => s.endsWith("/.default"));
    if (resourceScope === undefined)
      return oauthError(res, "invalid_scope", "AADSTS1002012: a .default scope is required.");
    const accessToken = sign(signing.privateKey, kid, {
      aud: audienceForScope(resourceScope),
      iss: issuer(),
      tid: options.tenantId,
      appid: clientId,
      azp: clientId,
      sub: clientId,
      oid: clientId,
      roles: [],
      ver: "2.0",
      ...times(lifetime),
    });
    tokenRequests.push({
      clientId,
      scope: resourceScope,
      grant,
      ...(assertion === null ? {} : { assertion }),
      accessToken,
    });
    send(res, 200, {
      token_type: "Bearer",
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  actions.requestUrl = `${base}/actions/idtoken?api-version=2.0`;

  return {
    url: base,
    issuer: issuer(),
    jwksUrl: `${base}/${options.tenantId}/discovery/v2.0/keys`,
    publicKeyPem,
    certificatePem,
    certificatePath,
    tokenRequests,
    actions,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

/** Decodes a JWT's claims (no verification; tests only read what the authority put in). */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}

function times(lifetimeSeconds: number): { iat: number; nbf: number; exp: number } {
  const now = Math.floor(Date.now() / 1000);
  return { iat: now, nbf: now - 5, exp: now + lifetimeSeconds };
}

function sign(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ typ: "JWT", alg: "RS256", kid })).toString("base64url");
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(key).toString("base64url");
  return `${header}.${payload}.${signature}`;
}

function oauthError(res: ServerResponse, error: string, description: string): void {
  send(res, error === "invalid_client" ? 401 : 400, {
    error,
    error_description: description,
    error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)],
    timestamp: new Date().toISOString(),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
