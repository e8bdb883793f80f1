import { createPublicKey, createVerify, KeyObject, timingSafeEqual, type JsonWebKey } from "node:crypto";
import type { ApiFamily } from "./http.js";

/** A local token authority whose RS256 JWTs the emulator accepts (besides the dev token). */
export interface JwtAuthority {
  /** Expected `iss` claim (a trailing slash is ignored). */
  issuer: string;
  /** JWKS document URL; fetched on first use and again when a token names an unknown `kid`. */
  jwksUrl?: string;
  /** Public keys given directly: PEM text, a KeyObject, or a JWK. */
  publicKeys?: (string | KeyObject | JsonWebKey)[];
  /** When set, the `tid` claim must equal it. */
  tenantId?: string;
  /**
   * Application ids registered as Power Platform management applications. When set, admin-API and
   * PowerApps calls from any other app (`appid`/`azp` claim) are refused with the real 403 (TF
   * internal/api/client.go).
   */
  managementApplications?: string[];
}

/**
 * Token audiences the real services accept, per API family (TF internal/api/client.go, tryGetScopeFromURL;
 * for `api.bap.microsoft.com`, the PowerApps admin PowerShell module, Get-AudienceForHostName).
 */
const AUDIENCES: Record<ApiFamily, readonly string[]> = {
  bap: ["https://service.powerapps.com", "https://api.bap.microsoft.com"],
  powerapps: ["https://service.powerapps.com", "https://api.bap.microsoft.com"],
  ppapi: ["https://api.powerplatform.com"],
  graph: ["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"],
  flow: ["https://service.flow.microsoft.com"],
};

export type AuthResult =
  | { ok: true }
  | { ok: false; reason: string }
  /** Authenticated, but the app is not registered as a management application (403). */
  | { ok: false; forbidden: true; appId: string; tenantId: string };

function trimSlash(value: string): string {
  return value.replace(/\/+$/, "");
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(segment, "base64url").toString("utf8")) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Checks bearer tokens: the dev token for any API, or a JWT from the configured authority. */
export class TokenVerifier {
  private jwks: Map<string, KeyObject> | undefined;
  private readonly staticKeys: KeyObject[];

  constructor(
    private readonly devToken: string,
    private readonly authority: JwtAuthority | undefined,
  ) {
    this.staticKeys = (authority?.publicKeys ?? []).map(toKeyObject);
  }

  async verify(authorization: string | undefined, family: ApiFamily): Promise<AuthResult> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (!match?.[1])
      return { ok: false, reason: "Authentication failed. The 'Authorization' header is missing." };
    const token = match[1];
    if (safeEqual(token, this.devToken)) return { ok: true };
    if (!this.authority) return { ok: false, reason: "The access token is invalid." };
    return this.verifyJwt(token, family, this.authority);
  }

  private async verifyJwt(token: string, family: ApiFamily, authority: JwtAuthority): Promise<AuthResult> {
    const parts = token.split(".");
    if (parts.length !== 3) return { ok: false, reason: "The access token is malformed." };
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const header = decodeSegment(headerPart);
    const claims = decodeSegment(payloadPart);
    if (!header || !claims) return { ok: false, reason: "The access token is malformed." };
    if (header.alg !== "RS256")
      return { ok: false, reason: "The access token signature algorithm is not supported." };
    const keys = await this.candidateKeys(typeof header.kid === "string" ? header.kid : undefined, authority);
    const signed = `${headerPart}.${payloadPart}`;
    const signature = Buffer.from(signaturePart, "base64url");
    const valid = keys.some((key) => {
      try {
        return createVerify("RSA-SHA256").update(signed).verify(key, signature);
      } catch {
        return false; // a key of another type (e.g. EC) cannot verify an RS256 signature
      }
    });
    if (!valid) return { ok: false, reason: "The access token signature is invalid." };
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== "number" || claims.exp <= now)
      return { ok: false, reason: "The access token has expired." };
    if (typeof claims.nbf === "number" && claims.nbf > now + 30) {
      return { ok: false, reason: "The access token is not yet valid." };
    }
    if (typeof claims.iss !== "string" || trimSlash(claims.iss) !== trimSlash(authority.issuer)) {
      return { ok: false, reason: "The access token issuer is not trusted." };
    }
    if (authority.tenantId !== undefined && claims.tid !== authority.tenantId) {
      return { ok: false, reason: "The access token was issued for another tenant." };
    }
    const audiences = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).filter(
      (aud): aud is string => typeof aud === "string",
    );
    const accepted = AUDIENCES[family];
    if (!audiences.some((aud) => accepted.includes(trimSlash(aud)))) {
      return { ok: false, reason: `Access token validation failure. Invalid audience.` };
    }
    const registered = authority.managementApplications;
    if (registered !== undefined && (family === "bap" || family === "powerapps")) {
      const appId =
        typeof claims.appid === "string" ? claims.appid : typeof claims.azp === "string" ? claims.azp : "";
      if (!registered.some((id) => id.toLowerCase() === appId.toLowerCase())) {
        return {
          ok: false,
          forbidden: true,
          appId,
          tenantId: typeof claims.tid === "string" ? claims.tid : "",
        };
      }
    }
    return { ok: true };
  }

  private async candidateKeys(kid: string | undefined, authority: JwtAuthority): Promise<KeyObject[]> {
    if (!authority.jwksUrl) return this.staticKeys;
    if (!this.jwks || (kid !== undefined && !this.jwks.has(kid)))
      this.jwks = await fetchJwks(authority.jwksUrl);
    const fromJwks =
      kid !== undefined
        ? [this.jwks.get(kid)].filter((k): k is KeyObject => k !== undefined)
        : [...this.jwks.values()];
    return [...fromJwks, ...this.staticKeys];
  }
}

function toKeyObject(key: string | KeyObject | JsonWebKey): KeyObject {
  if (typeof key === "string") return createPublicKey(key);
  if (key instanceof KeyObject) return key;
  return createPublicKey({ key, format: "jwk" });
}

async function fetchJwks(url: string): Promise<Map<string, KeyObject>> {
  const keys = new Map<string, KeyObject>();
  try {
    const response = await fetch(url);
    const document = (await response.json()) as { keys?: (JsonWebKey & { kid?: string })[] };
    (document.keys ?? []).forEach((jwk, index) => {
      keys.set(jwk.kid ?? `#${index}`, createPublicKey({ key: jwk, format: "jwk" }));
    });
  } catch {
    // An unreachable JWKS means no key verifies: the request gets a 401, which is the honest answer.
  }
  return keys;
}
