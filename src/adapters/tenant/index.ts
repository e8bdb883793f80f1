/**
 * The tenant client: one object per run with a typed module per API, sharing one HTTP client (and so
 * one correlation id, retry budget, token cache and set of compiled response schemas).
 */
import { readPackageManifest } from "../fs/package-root.js";
import { PpgovError } from "../../core/errors.js";
import { describeProxy, proxySettingsFrom } from "../http/proxy.js";
import type { Logger } from "../log/logger.js";
import type { SecretRegistry } from "../log/secrets.js";
import { AdminApi } from "./admin-api.js";
import { DEFAULT_READ_CONCURRENCY } from "./concurrency.js";
import { createTokenProvider } from "./credential.js";
import { CLOUD_NAMES, EndpointResolver, isCloudName, type CloudName } from "./endpoints.js";
import { GovernanceApi } from "./governance-api.js";
import { GraphApi } from "./graph-api.js";
import { HttpClient, type FetchLike, type Transport } from "./http-client.js";
import { createResponseValidator } from "./response-validators.js";
import type { ResponseValidator } from "./validator.js";
import type { LifecycleOptions } from "./lifecycle.js";
import { LicensingApi, type LicensingApiOptions } from "./licensing-api.js";
import { createNodeTransport } from "./node-transport.js";
import { PowerAppsApi } from "./powerapps-api.js";
import { proxiedFetch } from "./proxied-fetch.js";
import { deadlinesFromEnv } from "./deadlines.js";
import type { RetryBudget, RetryPolicy } from "./retry.js";
import type { TenantClient } from "./tenant-client.js";
import type { TokenProvider } from "./token-provider.js";

export interface TenantClientOptions {
  /** Reads PPGOV_ENDPOINT, PPGOV_TOKEN, AZURE_* and ACTIONS_ID_TOKEN_* (docs/authentication.md, Environment variables), and PPGOV_CLOUD. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  secrets: SecretRegistry;
  /** How the tenant APIs are called. Default: node:http(s) with keep-alive connections. */
  transport?: Transport;
  /** A fetch for the credential's token requests, and for the tenant APIs when no `transport` is given (tests). */
  fetch?: FetchLike;
  /** Overrides PPGOV_CLOUD (e.g. from the Tenant document's `cloud`). Default "public". */
  cloud?: CloudName;
  /** Overrides the credential chosen from `env` (tests). */
  tokens?: TokenProvider;
  /** Per attempt; overrides PPGOV_REQUEST_TIMEOUT (default 30 s). */
  timeoutMs?: number;
  /** Per call, retries included; overrides PPGOV_DEADLINE (default 2 min). */
  deadlineMs?: number;
  /**
   * Where a call still unanswered after 10 s says, in one human line, what it waits for (the CLI's
   * stderr). Default: nowhere.
   */
  notices?: NodeJS.WritableStream;
  /** The most bytes of one response body read (default 64 MiB, DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  retry?: Partial<RetryPolicy>;
  retryBudget?: RetryBudget | number;
  lifecycle?: Partial<LifecycleOptions>;
  licensing?: LicensingApiOptions;
  /** Parallel reads (DLP policy GETs, …). Default 16 (DEFAULT_READ_CONCURRENCY). */
  concurrency?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Default: the build's precompiled response validators (compiled on first use without a build). */
  responseValidator?: ResponseValidator;
  /** Lists stop after this many pages (`ppgov doctor`). Default: every page. */
  maxListPages?: number;
}

export type { TenantClient } from "./tenant-client.js";

/** How a run reaches the services: the tenant APIs' transport and the fetch for token requests. */
export interface TenantIo {
  transport: Transport;
  fetch: FetchLike;
}

/**
 * The default TenantIo for `env`: node:http(s) with keep-alive, through the proxy the environment
 * names (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), which is logged without its credentials.
 */
export function tenantIoFor(env: NodeJS.ProcessEnv, logger: Logger): TenantIo {
  const proxy = proxySettingsFrom(env);
  if (proxy.http !== undefined || proxy.https !== undefined) {
    logger.info(
      {
        httpsProxy: proxy.https === undefined ? null : describeProxy(proxy.https),
        httpProxy: proxy.http === undefined ? null : describeProxy(proxy.http),
        noProxyEntries: proxy.bypass.length,
      },
      "requests go through a proxy (loopback and NO_PROXY hosts directly)",
    );
  }
  const transport = createNodeTransport({ proxy });
  return { transport, fetch: proxiedFetch(proxy, transport) };
}

export function createTenantClient(options: TenantClientOptions): TenantClient {
  const { env, logger, secrets } = options;
  secrets.addFromEnv(env);
  const cloud = options.cloud ?? cloudFromEnv(env.PPGOV_CLOUD);
  const resolver = new EndpointResolver({ cloud, endpoint: env.PPGOV_ENDPOINT?.trim() });
  // Tests inject a fake fetch or transport; a run gets the default, proxy-aware one.
  const io =
    options.transport === undefined && options.fetch === undefined ? tenantIoFor(env, logger) : undefined;
  const tokenFetch = options.fetch ?? io?.fetch;
  const tokens =
    options.tokens ?? createTokenProvider({ env, secrets, ...(tokenFetch ? { fetch: tokenFetch } : {}) });
  const notices = options.notices;
  const http = new HttpClient({
    ...deadlinesFromEnv(env),
    ...(notices === undefined ? {} : { notice: (line) => notices.write(`${secrets.scrub(line)}\n`) }),
    resolver,
    tokens,
    logger,
    secrets,
    userAgent: `ppgov/${packageVersion()}`,
    validator: options.responseValidator ?? createResponseValidator(),
    ...(io === undefined ? {} : { transport: io.transport }),
    ...pick(options, [
      "transport",
      "fetch",
      "timeoutMs",
      "deadlineMs",
      "maxResponseBytes",
      "retry",
      "retryBudget",
      "random",
      "sleep",
      "now",
      "maxListPages",
    ]),
  });
  logger.debug(
    {
      credential: tokens.description,
      cloud,
      endpoint: resolver.overridden ? env.PPGOV_ENDPOINT : undefined,
      correlationId: http.correlationId,
    },
    "tenant client ready",
  );
  return {
    admin: new AdminApi(http, options.lifecycle === undefined ? {} : { lifecycle: options.lifecycle }),
    governance: new GovernanceApi(http, options.concurrency ?? DEFAULT_READ_CONCURRENCY),
    powerApps: new PowerAppsApi(http),
    licensing: new LicensingApi(http, { concurrency: options.concurrency, ...options.licensing }),
    graph: new GraphApi(http),
    http,
    credential: tokens.description,
    usesEndpointOverride: resolver.overridden,
  };
}

function cloudFromEnv(value: string | undefined): CloudName {
  if (value === undefined || value.trim() === "") return "public";
  const lower = value.trim().toLowerCase();
  if (isCloudName(lower)) return lower;
  throw new PpgovError(
    "CONFIG_CLOUD",
    `PPGOV_CLOUD must be one of ${CLOUD_NAMES.join(", ")} (got "${value}")`,
  );
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

/** The package version for the User-Agent, from the package's own package.json. */
function packageVersion(): string {
  try {
    return readPackageManifest().version;
  } catch {
    return "0.0.0";
  }
}

export { AdminApi, dataverseVisible, environmentSettled } from "./admin-api.js";
export { GovernanceApi } from "./governance-api.js";
export { GraphApi } from "./graph-api.js";
export { LicensingApi } from "./licensing-api.js";
export { PowerAppsApi } from "./powerapps-api.js";
export {
  HttpClient,
  type FetchLike,
  type Exchange,
  type HttpResponse,
  type RequestSpec,
  type Transport,
} from "./http-client.js";
export { createNodeTransport } from "./node-transport.js";
export { proxiedFetch } from "./proxied-fetch.js";
export { TenantApiError } from "./errors.js";
export {
  DEFAULT_DEADLINE_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  deadlinesFromEnv,
  parseDuration,
} from "./deadlines.js";
export { LifecycleFailedError } from "./lifecycle.js";
export { mapWithConcurrency } from "./concurrency.js";
export { EndpointResolver, type ApiName, type CloudName } from "./endpoints.js";
export { chooseCredential, createTokenProvider, NO_CREDENTIALS_MESSAGE } from "./credential.js";
export type { TokenProvider } from "./token-provider.js";
export { readLiveTenant, type ReadLiveTenantOptions } from "./live-reader.js";
export {
  executeStep,
  resumeStep,
  type ExecuteStepOptions,
  type ResumedStep,
  type StepOutcome,
} from "./step-executor.js";
