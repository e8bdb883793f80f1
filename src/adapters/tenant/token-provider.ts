import type { SecretRegistry } from "../log/secrets.js";

/** Bearer tokens per OAuth scope, for the HTTP client. */
export interface TokenProvider {
  /** A token valid for `scope` ("https://service.powerapps.com/.default"). */
  getToken(scope: string): Promise<string>;
  /** Drops the cached token for `scope` (after a 401) so the next getToken asks the source again. */
  invalidate(scope: string): void;
  /** What kind of credential this is, for logs ("client secret", "GitHub OIDC", …); never secret. */
  readonly description: string;
}

/** A token as credentials return it (@azure/identity's AccessToken has this shape). */
export interface AccessTokenLike {
  token: string;
  /** Epoch ms. */
  expiresOnTimestamp: number;
  /** Epoch ms after which a proactive refresh is advised. */
  refreshAfterTimestamp?: number;
}

export type TokenSource = (scope: string) => Promise<AccessTokenLike>;

/** `PPGOV_TOKEN`: the same token for every scope (the emulator's dev token, or a token minted elsewhere). */
export function staticTokenProvider(token: string, secrets: SecretRegistry): TokenProvider {
  secrets.add(token);
  return {
    description: "static token (PPGOV_TOKEN)",
    getToken: () => Promise.resolve(token),
    invalidate: () => undefined,
  };
}

/** Refresh this long before expiry so a token never expires mid-request. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

/**
 * Caches tokens per scope until shortly before they expire and shares one in-flight request per scope
 * between parallel callers. Every token is registered as a secret so no log line can print it.
 */
export function cachingTokenProvider(options: {
  source: TokenSource;
  description: string;
  secrets: SecretRegistry;
  now?: () => number;
}): TokenProvider {
  const now = options.now ?? Date.now;
  const cache = new Map<string, AccessTokenLike>();
  const inFlight = new Map<string, Promise<string>>();

  const fresh = (token: AccessTokenLike): boolean => {
    const refreshAt = Math.min(
      token.refreshAfterTimestamp ?? Infinity,
      token.expiresOnTimestamp - EXPIRY_MARGIN_MS,
    );
    return now() < refreshAt;
  };

  return {
    description: options.description,
    getToken(scope: string): Promise<string> {
      const cached = cache.get(scope);
      if (cached !== undefined && fresh(cached)) return Promise.resolve(cached.token);
      const pending = inFlight.get(scope);
      if (pending !== undefined) return pending;
      const request = options
        .source(scope)
        .then((token) => {
          options.secrets.add(token.token);
          cache.set(scope, token);
          return token.token;
        })
        .finally(() => inFlight.delete(scope));
      inFlight.set(scope, request);
      return request;
    },
    invalidate(scope: string): void {
      cache.delete(scope);
    },
  };
}
