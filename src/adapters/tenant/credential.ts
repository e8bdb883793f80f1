/**
 * Chooses how ppgov authenticates, from the environment (docs/authentication.md, How ppgov picks a
 * credential), and turns it into a TokenProvider. The only module that imports @azure/identity.
 */
import { readFile } from "node:fs/promises";
import type { TokenCredential } from "@azure/identity";
import { PpgovError } from "../../core/errors.js";
import type { SecretRegistry } from "../log/secrets.js";
import type { FetchLike } from "./http-client.js";
import { cachingTokenProvider, staticTokenProvider, type TokenProvider } from "./token-provider.js";

/** How ppgov will authenticate; chosen from environment variables only, no I/O. */
export type CredentialChoice =
  | { kind: "static-token" }
  | { kind: "client-secret"; tenantId: string; clientId: string }
  | { kind: "client-certificate"; tenantId: string; clientId: string; certificatePath: string }
  | { kind: "federated-token-file"; tenantId: string; clientId: string; tokenFile: string }
  | { kind: "github-oidc"; tenantId: string; clientId: string; requestUrl: string }
  | { kind: "managed-identity"; clientId: string | undefined }
  | { kind: "azure-cli"; tenantId: string | undefined };

export const NO_CREDENTIALS_MESSAGE =
  "no credentials: set PPGOV_TOKEN, or AZURE_TENANT_ID and AZURE_CLIENT_ID with a secret (AZURE_CLIENT_SECRET), " +
  "certificate (AZURE_CLIENT_CERTIFICATE_PATH), federated token file (AZURE_FEDERATED_TOKEN_FILE) or GitHub OIDC " +
  "(`permissions: id-token: write`), or sign in with `az login`; to try ppgov without a tenant, start the emulator " +
  "(ppgov emulator --seed sample) and set PPGOV_ENDPOINT to the URL it prints and PPGOV_TOKEN=ppgov-dev (or run ppgov demo)";

/** Audience GitHub's OIDC token must carry for an Entra ID federated credential. */
export const GITHUB_OIDC_AUDIENCE = "api://AzureADTokenExchange";

/**
 * Picks the credential from the environment. Order: PPGOV_TOKEN; a service principal (secret,
 * certificate, federated token file, GitHub OIDC); managed identity when running on Azure; the Azure CLI.
 * A half-configured service principal is an error naming what is missing, not a silent fallback.
 */
export function chooseCredential(env: NodeJS.ProcessEnv): CredentialChoice {
  const value = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  if (value("PPGOV_TOKEN") !== undefined) return { kind: "static-token" };

  const tenantId = value("AZURE_TENANT_ID");
  const clientId = value("AZURE_CLIENT_ID");
  const secret = value("AZURE_CLIENT_SECRET");
  const certificatePath = value("AZURE_CLIENT_CERTIFICATE_PATH");
  const tokenFile = value("AZURE_FEDERATED_TOKEN_FILE");
  const oidcUrl = value("ACTIONS_ID_TOKEN_REQUEST_URL");
  const oidcToken = value("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
  const hasOidc = oidcUrl !== undefined && oidcToken !== undefined;
  const clientCredential = secret ?? certificatePath ?? tokenFile;

  if (clientCredential !== undefined || (hasOidc && (tenantId !== undefined || clientId !== undefined))) {
    const missing = [
      tenantId === undefined ? "AZURE_TENANT_ID" : undefined,
      clientId === undefined ? "AZURE_CLIENT_ID" : undefined,
    ].filter((m) => m !== undefined);
    if (missing.length > 0) {
      throw new PpgovError(
        "AUTH_MISSING",
        `incomplete service principal credentials: ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set`,
      );
    }
  }
  if (tenantId !== undefined && clientId !== undefined) {
    if (secret !== undefined) return { kind: "client-secret", tenantId, clientId };
    if (certificatePath !== undefined)
      return { kind: "client-certificate", tenantId, clientId, certificatePath };
    if (tokenFile !== undefined) return { kind: "federated-token-file", tenantId, clientId, tokenFile };
    if (hasOidc) return { kind: "github-oidc", tenantId, clientId, requestUrl: oidcUrl };
    if (oidcUrl !== undefined) {
      throw new PpgovError(
        "AUTH_MISSING",
        "GitHub OIDC: ACTIONS_ID_TOKEN_REQUEST_URL is set but ACTIONS_ID_TOKEN_REQUEST_TOKEN is not; give the job `permissions: id-token: write`",
      );
    }
    if (onAzureHost(env)) return { kind: "managed-identity", clientId };
    throw new PpgovError(
      "AUTH_MISSING",
      "AZURE_TENANT_ID and AZURE_CLIENT_ID are set but no client credential: set AZURE_CLIENT_SECRET, " +
        "AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE, or run in GitHub Actions with `permissions: id-token: write`",
    );
  }
  if (onAzureHost(env)) return { kind: "managed-identity", clientId };
  return { kind: "azure-cli", tenantId };
}

/** Azure App Service, Functions, Container Apps and Arc expose a managed identity endpoint this way. */
function onAzureHost(env: NodeJS.ProcessEnv): boolean {
  return (env.IDENTITY_ENDPOINT ?? env.MSI_ENDPOINT ?? "") !== "";
}

export interface CredentialOptions {
  env: NodeJS.ProcessEnv;
  secrets: SecretRegistry;
  /** For the GitHub OIDC assertion request; tests inject a fake. */
  fetch?: FetchLike;
}

/** A TokenProvider for the credential the environment selects. */
export function createTokenProvider(options: CredentialOptions): TokenProvider {
  const { env, secrets } = options;
  const choice = chooseCredential(env);
  if (choice.kind === "static-token") return staticTokenProvider((env.PPGOV_TOKEN ?? "").trim(), secrets);

  secrets.add(env.AZURE_CLIENT_SECRET);
  secrets.add(env.AZURE_CLIENT_CERTIFICATE_PASSWORD);
  secrets.add(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  // @azure/identity takes ~0.2 s to load: only a run that asks for a token pays for it (not validate,
  // the emulator, or a run with PPGOV_TOKEN).
  let credential: Promise<TokenCredential> | undefined;
  const description = DESCRIPTIONS[choice.kind];
  return cachingTokenProvider({
    description,
    secrets,
    source: async (scope) => {
      try {
        credential ??= buildCredential(choice, options);
        const token = await (await credential).getToken(scope);
        if (token === null) throw new Error("the credential returned no token");
        return token;
      } catch (error) {
        throw authError(choice, scope, error, secrets);
      }
    },
  });
}

const DESCRIPTIONS: Record<CredentialChoice["kind"], string> = {
  "static-token": "static token (PPGOV_TOKEN)",
  "client-secret": "service principal with client secret",
  "client-certificate": "service principal with certificate",
  "federated-token-file": "workload identity (federated token file)",
  "github-oidc": "GitHub Actions OIDC",
  "managed-identity": "managed identity",
  "azure-cli": "Azure CLI login",
};

async function buildCredential(
  choice: Exclude<CredentialChoice, { kind: "static-token" }>,
  options: CredentialOptions,
): Promise<TokenCredential> {
  const {
    AzureCliCredential,
    ClientAssertionCredential,
    ClientCertificateCredential,
    ClientSecretCredential,
    ManagedIdentityCredential,
  } = await import("@azure/identity");
  const { env, secrets } = options;
  const authorityHost = env.AZURE_AUTHORITY_HOST?.trim() || undefined;
  const common = {
    ...(authorityHost === undefined ? {} : { authorityHost }),
    // Instance discovery always asks login.microsoftonline.com; an authority MSAL does not know
    // (a local test authority, a private cloud) must skip it.
    disableInstanceDiscovery:
      authorityHost !== undefined && !KNOWN_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname),
  };
  switch (choice.kind) {
    case "client-secret":
      return new ClientSecretCredential(
        choice.tenantId,
        choice.clientId,
        env.AZURE_CLIENT_SECRET ?? "",
        common,
      );
    case "client-certificate": {
      const password = env.AZURE_CLIENT_CERTIFICATE_PASSWORD;
      return new ClientCertificateCredential(
        choice.tenantId,
        choice.clientId,
        {
          certificatePath: choice.certificatePath,
          ...(password === undefined || password === "" ? {} : { certificatePassword: password }),
        },
        common,
      );
    }
    case "federated-token-file":
      // Read fresh for every token: Kubernetes and other workload-identity hosts rotate the file.
      return new ClientAssertionCredential(
        choice.tenantId,
        choice.clientId,
        async () => {
          const assertion = (await readFile(choice.tokenFile, "utf8")).trim();
          secrets.add(assertion);
          return assertion;
        },
        common,
      );
    case "github-oidc":
      return new ClientAssertionCredential(
        choice.tenantId,
        choice.clientId,
        () =>
          fetchGitHubAssertion(
            choice.requestUrl,
            env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? "",
            secrets,
            options.fetch,
          ),
        common,
      );
    case "managed-identity":
      return choice.clientId === undefined
        ? new ManagedIdentityCredential()
        : new ManagedIdentityCredential({ clientId: choice.clientId });
    case "azure-cli":
      return new AzureCliCredential(choice.tenantId === undefined ? {} : { tenantId: choice.tenantId });
  }
}

const KNOWN_AUTHORITY_HOSTS = new Set([
  "login.microsoftonline.com",
  "login.microsoftonline.us",
  "login.chinacloudapi.cn",
  "login.windows.net",
  "login.microsoft.com",
  "sts.windows.net",
]);

/**
 * A fresh GitHub Actions ID token for Entra ID (audience api://AzureADTokenExchange). Called for each
 * token request: the ID token is short-lived (minutes), a cached one would fail later in a long job.
 */
export async function fetchGitHubAssertion(
  requestUrl: string,
  requestToken: string,
  secrets: SecretRegistry,
  fetchImpl: FetchLike = (input, init) => fetch(input, init),
): Promise<string> {
  const url = new URL(requestUrl);
  url.searchParams.set("audience", GITHUB_OIDC_AUDIENCE);
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: "GET",
      headers: { Authorization: `bearer ${requestToken}`, Accept: "application/json" },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new PpgovError(
      "AUTH_OIDC",
      `GitHub OIDC: could not reach the Actions ID token endpoint (${url.host})`,
      { cause: error },
    );
  }
  const text = await response.text();
  if (!response.ok) {
    throw new PpgovError(
      "AUTH_OIDC",
      `GitHub OIDC: the Actions ID token endpoint answered HTTP ${response.status}; does the job have \`permissions: id-token: write\`?`,
    );
  }
  let value: unknown;
  try {
    value = (JSON.parse(text) as { value?: unknown }).value;
  } catch {
    value = undefined;
  }
  if (typeof value !== "string" || value === "") {
    throw new PpgovError(
      "AUTH_OIDC",
      "GitHub OIDC: the Actions ID token endpoint returned no token (`value` missing)",
    );
  }
  secrets.add(value);
  return value;
}

function authError(
  choice: CredentialChoice,
  scope: string,
  error: unknown,
  secrets: SecretRegistry,
): PpgovError {
  if (error instanceof PpgovError) return error;
  const detail = secrets.scrub(error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
  if (choice.kind === "azure-cli") {
    return new PpgovError("AUTH_MISSING", `${NO_CREDENTIALS_MESSAGE} (Azure CLI: ${detail})`, {
      cause: error,
    });
  }
  return new PpgovError(
    "AUTH_FAILED",
    `could not get a token for ${scope} with ${DESCRIPTIONS[choice.kind]}: ${detail}`,
    {
      cause: error,
    },
  );
}
