import { proxySecrets } from "../http/proxy.js";

/**
 * Values that must never be printed: tokens, client secrets, assertions. Every line of output that
 * could contain free text (logs, error messages) is passed through `scrub`.
 */
export class SecretRegistry {
  private readonly values = new Set<string>();

  /** Registers a secret; values shorter than 6 characters are ignored (they would scrub ordinary words). */
  add(value: string | undefined): void {
    if (value !== undefined && value.length >= 6) this.values.add(value);
  }

  /** Registers the secret-bearing variables of an environment (PPGOV_TOKEN, AZURE_CLIENT_SECRET, …). */
  addFromEnv(env: NodeJS.ProcessEnv): void {
    for (const name of SECRET_ENV_VARS) this.add(env[name]);
    for (const secret of proxySecrets(env)) this.add(secret);
  }

  scrub(text: string): string {
    let out = text;
    for (const value of this.values) {
      if (out.includes(value)) out = out.split(value).join("[redacted]");
    }
    // Bearer tokens that were never registered (e.g. minted during the run) are scrubbed by shape.
    return out.replace(/(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/g, "$1[redacted]");
  }
}

export const SECRET_ENV_VARS = [
  "PPGOV_TOKEN",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PASSWORD",
  "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
  "GITHUB_TOKEN",
  "PPGOV_PLAN_KEY",
] as const;
