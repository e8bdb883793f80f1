import { randomUUID } from "node:crypto";
import type { Logger } from "../log/logger.js";
import type { SecretRegistry } from "../log/secrets.js";
import type { ApiName, EndpointResolver } from "./endpoints.js";
import { isNotManagementAppError, MANAGEMENT_APP_HINT, parseServiceError, TenantApiError } from "./errors.js";
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  mayReplay,
  parseRetryAfterMs,
  RETRYABLE_STATUSES,
  RetryBudget,
  type RetryPolicy,
  THROTTLE_STATUSES,
} from "./retry.js";
import type { ResponseSchemaName } from "./schemas.js";
import type { TokenProvider } from "./token-provider.js";
import { createNodeTransport } from "./node-transport.js";
import {
  DEFAULT_DEADLINE_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_WAIT_NOTICE_MS,
  formatDuration,
} from "./deadlines.js";
import {
  fetchTransport,
  ResponseDecodingError,
  ResponseTooLargeError,
  untilAborted,
  type FetchLike,
  type HttpMethod,
  type ResponseHeaders,
  type Transport,
  type TransportResponse,
} from "./transport.js";
import { ResponseValidator } from "./validator.js";

export type { FetchLike, HttpMethod, ResponseHeaders, Transport } from "./transport.js";

export interface RequestSpec {
  method: HttpMethod;
  /** The API whose host serves `path`. Ignored when `url` is given. */
  api?: ApiName;
  /** Path and query, starting with "/". */
  path?: string;
  /** An absolute URL the service handed back (Location, nextLink); already rebased by the resolver. */
  url?: URL;
  /** The endpoint as a template, for messages: "GET /providers/PowerPlatform.Governance/v2/policies/{id}". */
  endpoint: string;
  body?: unknown;
  /**
   * Whether sending the request twice is harmless. Defaults to true for GET, PUT, PATCH and DELETE and
   * false for POST; POSTs such as listTenantSettings or assignLicense set it explicitly.
   */
  idempotent?: boolean;
  /** Statuses that are a normal answer. Anything else is retried (if transient and idempotent) or thrown. */
  expect: readonly number[];
  /** Shape check for 200/201 bodies. */
  schema?: ResponseSchemaName;
  /** Extra request headers (e.g. Graph's `ConsistencyLevel: eventual` for advanced queries). */
  headers?: Record<string, string>;
}

export interface HttpResponse<T> {
  status: number;
  headers: ResponseHeaders;
  /** Parsed JSON; undefined for an empty body. */
  body: T;
  url: URL;
}

export interface HttpClientOptions {
  resolver: EndpointResolver;
  tokens: TokenProvider;
  logger: Logger;
  secrets: SecretRegistry;
  userAgent: string;
  /** How requests are sent. Default: node:http(s) with keep-alive (createNodeTransport). */
  transport?: Transport;
  /** Sends through this fetch instead (tests inject a fake); ignored when `transport` is given. */
  fetch?: FetchLike;
  /** One id for every request of the run (x-ms-correlation-id). */
  correlationId?: string;
  retry?: Partial<RetryPolicy>;
  /** Shared retry budget; a number creates one. Default 50 retries per run. */
  retryBudget?: RetryBudget | number;
  /** Per-attempt timeout, headers and body included. Default 30 s (PPGOV_REQUEST_TIMEOUT). */
  timeoutMs?: number;
  /**
   * The most one call may take, every attempt and backoff wait included; then it fails with
   * TENANT_DEADLINE naming the host and endpoint. Default 2 min (PPGOV_DEADLINE).
   */
  deadlineMs?: number;
  /**
   * Told, as one human line, when a call is still unanswered after `waitNoticeMs` (then at most every
   * 30 s, one line for all calls): what it waits for and how long it will. Default: nowhere.
   */
  notice?: (line: string) => void;
  /** Default 10 s. */
  waitNoticeMs?: number;
  /** The most bytes of one response body ppgov reads; a longer body fails the request. Default 64 MiB. */
  maxResponseBytes?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  newRequestId?: () => string;
  /** Checks response bodies; default one that compiles the schemas on first use. */
  validator?: ResponseValidator;
  /** Lists stop after this many pages (`ppgov doctor` reads first pages only). Default: every page. */
  maxListPages?: number;
}

/** Told of each 429/503 answer, synchronously, in the async context of the request that got it. */
export type ThrottleListener = (event: { status: number; method: HttpMethod; path: string }) => void;

/** One answer as it came, before any check: what `ppgov doctor` reports and records. */
export interface Exchange {
  /** The endpoint template of the request builder ("GET /v1.0/groups/{id}"). */
  endpoint: string;
  method: HttpMethod;
  url: URL;
  status: number;
  headers: ResponseHeaders;
  text: string;
}

export type ExchangeListener = (exchange: Exchange) => void;

export const DEFAULT_TIMEOUT_MS = DEFAULT_REQUEST_TIMEOUT_MS;
/**
 * Far above any answer the admin APIs give (a page of 100 environments or a DLP policy classifying
 * thousands of connectors is well under 10 MB), and far below what would exhaust the process's memory.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_RETRY_BUDGET = 50;

/**
 * HTTP with auth, retries, timeouts, response checks and logging for every tenant API. One instance per
 * run: it holds the run's correlation id, retry budget and compiled response schemas.
 */
export class HttpClient {
  readonly resolver: EndpointResolver;
  readonly correlationId: string;
  readonly budget: RetryBudget;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  private readonly tokens: TokenProvider;
  private readonly logger: Logger;
  private readonly secrets: SecretRegistry;
  private readonly userAgent: string;
  private readonly transport: Transport;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly deadlineMs: number;
  private readonly notice: ((line: string) => void) | undefined;
  private readonly waitNoticeMs: number;
  /** When the last waiting notice was given (client-wide, so parallel hung reads say it once). */
  private lastNoticeAt = Number.NEGATIVE_INFINITY;
  private readonly maxResponseBytes: number;
  private readonly random: () => number;
  private readonly newRequestId: () => string;
  private readonly validator: ResponseValidator;
  private readonly throttleListeners = new Set<ThrottleListener>();
  private readonly exchangeListeners = new Set<ExchangeListener>();
  readonly maxListPages: number | undefined;

  constructor(options: HttpClientOptions) {
    this.resolver = options.resolver;
    this.tokens = options.tokens;
    this.correlationId = options.correlationId ?? randomUUID();
    // Every request line carries the run's correlation id, to match ppgov's logs with the service's.
    this.logger = options.logger.child({ correlationId: this.correlationId });
    this.secrets = options.secrets;
    this.userAgent = options.userAgent;
    this.transport =
      options.transport ??
      (options.fetch === undefined ? createNodeTransport() : fetchTransport(options.fetch));
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.budget =
      options.retryBudget instanceof RetryBudget
        ? options.retryBudget
        : new RetryBudget(options.retryBudget ?? DEFAULT_RETRY_BUDGET);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.notice = options.notice;
    this.waitNoticeMs = options.waitNoticeMs ?? DEFAULT_WAIT_NOTICE_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.newRequestId = options.newRequestId ?? randomUUID;
    this.validator = options.validator ?? new ResponseValidator();
    this.maxListPages = options.maxListPages;
  }

  /**
   * Sends one logical request (possibly several attempts) and returns the accepted response. Each
   * attempt has `timeoutMs`, the whole call `deadlineMs`; a call unanswered after `waitNoticeMs` says
   * what it waits for.
   */
  async send<T>(spec: RequestSpec): Promise<HttpResponse<T>> {
    const url = this.urlOf(spec);
    const progress = { attempt: 1 };
    const stopNotice = this.noticeWhileWaiting(spec, url, progress);
    try {
      return await this.sendWithin<T>(spec, url, progress);
    } finally {
      stopNotice();
    }
  }

  private async sendWithin<T>(
    spec: RequestSpec,
    url: URL,
    progress: { attempt: number },
  ): Promise<HttpResponse<T>> {
    const scope = this.resolver.scopeFor(url);
    const idempotent = spec.idempotent ?? spec.method !== "POST";
    const path = url.pathname;
    const deadline = this.now() + this.deadlineMs;
    let refreshedToken = false;

    for (let attempt = 1; ; attempt++) {
      progress.attempt = attempt;
      const requestId = this.newRequestId();
      const token = await this.tokens.getToken(scope);
      const started = this.now();
      // The last attempt gets what is left of the call's deadline, not a whole timeout.
      const attemptMs = Math.max(1, Math.min(this.timeoutMs, deadline - started));
      let response: TransportResponse;
      // A timer of our own, not AbortSignal.timeout: that one does not keep the process alive, so a body
      // that never settles would end the run with exit code 13 and no message instead of a timeout.
      const timeout = new AbortController();
      const timer = setTimeout(
        () => timeout.abort(new DOMException("the attempt timed out", "TimeoutError")),
        attemptMs,
      );
      try {
        // Reading the body is part of the attempt: a connection dropped mid-body fails here.
        response = await untilAborted(
          this.transport({
            url,
            method: spec.method,
            headers: { ...spec.headers, ...this.headers(token, requestId) },
            ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
            signal: timeout.signal,
            maxResponseBytes: this.maxResponseBytes,
          }),
          timeout.signal,
        );
      } catch (error) {
        if (error instanceof ResponseTooLargeError) {
          // The same request would get the same answer: not a transient failure, so not retried.
          throw new TenantApiError(
            { status: error.status, method: spec.method, path, requestId, retryable: false },
            {
              code: "TENANT_RESPONSE_TOO_LARGE",
              message: `unexpected response from ${spec.endpoint}: ${error.describe(this.maxResponseBytes)}; check PPGOV_ENDPOINT and the service`,
            },
          );
        }
        const failure = this.describeNetworkError(error, attemptMs);
        this.logger.debug(
          { method: spec.method, path, attempt, requestId, durationMs: this.now() - started, error: failure },
          "tenant request failed without a response",
        );
        const details = { status: undefined, method: spec.method, path, requestId };
        // A refused connection never carried the request, so even a create may be sent again.
        if (!idempotent && networkCode(error) !== "ECONNREFUSED") {
          throw new TenantApiError(
            { ...details, retryable: false },
            {
              message: `${spec.method} ${path} failed: ${failure}. Not retried automatically because the request is not idempotent; check whether it took effect before running again`,
              cause: error,
            },
          );
        }
        await this.backOff({
          spec,
          url,
          attempt,
          deadline,
          what: `${failure} on ${spec.method} ${path}`,
          details,
        });
        continue;
      } finally {
        clearTimeout(timer);
      }

      const { status, text } = response;
      for (const listener of this.exchangeListeners)
        listener({
          endpoint: spec.endpoint,
          method: spec.method,
          url,
          status,
          headers: response.headers,
          text,
        });
      this.logger.debug(
        { method: spec.method, path, status, attempt, requestId, durationMs: this.now() - started },
        "tenant request",
      );

      if (status === 401 && !refreshedToken) {
        // The token may have expired or been revoked between cache and use: get a new one, once.
        refreshedToken = true;
        this.tokens.invalidate(scope);
        continue;
      }

      if (spec.expect.includes(status)) {
        const body = this.parseBody(text, response.headers, spec, status);
        if (spec.schema !== undefined && (status === 200 || status === 201)) {
          const problem = body === undefined ? "the body is empty" : this.validator.check(spec.schema, body);
          if (problem !== undefined) {
            throw new TenantApiError(
              { status, method: spec.method, path, requestId, retryable: false },
              {
                code: "TENANT_UNEXPECTED_RESPONSE",
                message: `unexpected response from ${spec.endpoint}: ${problem}`,
              },
            );
          }
        }
        return { status, headers: response.headers, body: body as T, url };
      }

      const service = parseServiceError(safeJson(text));
      const details = {
        status,
        method: spec.method,
        path,
        requestId,
        serviceCode: service.code,
        serviceMessage: service.message === undefined ? undefined : this.secrets.scrub(service.message),
      };

      if (RETRYABLE_STATUSES.has(status)) {
        if (THROTTLE_STATUSES.has(status))
          for (const listener of this.throttleListeners) listener({ status, method: spec.method, path });
        if (!mayReplay(status, idempotent)) {
          throw new TenantApiError(
            { ...details, retryable: false },
            { message: notRetriedMessage(spec, path, status, service) },
          );
        }
        const retryAfterMs = parseRetryAfterMs(response.headers.get("retry-after"), this.now());
        await this.backOff({
          spec,
          url,
          attempt,
          deadline,
          what: `${status} on ${spec.method} ${path}`,
          details,
          retryAfterMs,
        });
        continue;
      }

      throw this.failure(details, text, url.host);
    }
  }

  /** Registers a listener for throttled answers (the read pools narrow on them); returns its removal. */
  onThrottled(listener: ThrottleListener): () => void {
    this.throttleListeners.add(listener);
    return () => this.throttleListeners.delete(listener);
  }

  /** Registers a listener told of every answer received (each attempt); returns its removal. */
  onExchange(listener: ExchangeListener): () => void {
    this.exchangeListeners.add(listener);
    return () => this.exchangeListeners.delete(listener);
  }

  /** Gets a token for `api`'s audience (the same scope its requests use), to check the credential. */
  async acquireToken(api: ApiName): Promise<void> {
    await this.tokens.getToken(this.resolver.cloud.scopes[api]);
  }

  /** Checks a body the caller reshaped itself against a response schema (see ResponseValidator.check). */
  validate(schema: ResponseSchemaName, body: unknown): string | undefined {
    return this.validator.check(schema, body);
  }

  /** The URL a spec addresses. */
  urlOf(spec: RequestSpec): URL {
    if (spec.url !== undefined) return spec.url;
    if (spec.api === undefined || spec.path === undefined) {
      throw new Error(`request ${spec.endpoint} needs either url or api + path`);
    }
    return this.resolver.url(spec.api, spec.path);
  }

  private headers(token: string, requestId: string): Record<string, string> {
    return {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      Accept: "application/json",
      "User-Agent": this.userAgent,
      "x-ms-client-request-id": requestId,
      "x-ms-correlation-id": this.correlationId,
    };
  }

  /**
   * From the first `waitNoticeMs` of a call on, one line saying what it waits for (at most one every
   * 30 s for the whole client); returns the timer's stop.
   */
  private noticeWhileWaiting(spec: RequestSpec, url: URL, progress: { attempt: number }): () => void {
    const notice = this.notice;
    if (notice === undefined) return () => undefined;
    const started = this.now();
    let timer: NodeJS.Timeout | undefined;
    const tick = (): void => {
      const now = this.now();
      if (now - this.lastNoticeAt >= Math.max(this.waitNoticeMs, 30_000)) {
        this.lastNoticeAt = now;
        notice(
          `ppgov: still waiting for an answer from ${url.host} (${spec.endpoint}) after ${formatDuration(now - started)}, attempt ${progress.attempt}; each attempt waits up to ${formatDuration(this.timeoutMs)} and the call gives up after ${formatDuration(this.deadlineMs)} (--request-timeout, --deadline)`,
        );
      }
      timer = setTimeout(tick, Math.max(this.waitNoticeMs, 30_000));
      timer.unref();
    };
    timer = setTimeout(tick, this.waitNoticeMs);
    // The attempt's own timer keeps the process alive; this one must not outlive the call.
    timer.unref();
    return () => clearTimeout(timer);
  }

  /** Waits before the next attempt, or throws when attempts, budget, deadline or patience run out. */
  private async backOff(input: {
    spec: RequestSpec;
    url: URL;
    attempt: number;
    /** When the call's deadline passes (this.now() clock). */
    deadline: number;
    what: string;
    details: {
      status: number | undefined;
      method: string;
      path: string;
      requestId: string;
      serviceCode?: string | undefined;
      serviceMessage?: string | undefined;
    };
    retryAfterMs?: number | undefined;
  }): Promise<void> {
    const { attempt, what, details, retryAfterMs } = input;
    const path = input.url.pathname;
    if (attempt >= this.policy.maxAttempts) {
      throw new TenantApiError(
        { ...details, retryable: true },
        {
          message: `${input.spec.method} ${path} still failing after ${attempt} attempts (last: ${what})`,
        },
      );
    }
    if (retryAfterMs !== undefined && retryAfterMs > this.policy.maxRetryAfterMs) {
      throw new TenantApiError(
        { ...details, retryable: true },
        {
          code: "TENANT_THROTTLED",
          message: `${what}: the service asked to wait ${Math.ceil(retryAfterMs / 1000)} s (Retry-After), longer than the ${Math.round(this.policy.maxRetryAfterMs / 1000)} s ppgov waits per retry; try again later`,
        },
      );
    }
    const delayMs = retryAfterMs ?? backoffDelayMs(attempt, this.policy, this.random);
    // Another attempt after the wait would start at or past the deadline: fail now, saying so.
    if (this.now() + delayMs >= input.deadline) {
      throw new TenantApiError(
        { ...details, retryable: true },
        {
          code: "TENANT_DEADLINE",
          message: `${input.spec.endpoint} at ${input.url.host}: no successful answer within the ${formatDuration(this.deadlineMs)} deadline for the call (${attempt} attempt${attempt === 1 ? "" : "s"} of up to ${formatDuration(this.timeoutMs)}; last: ${what}); check that ${input.url.host} is reachable (PPGOV_ENDPOINT, proxy), or allow longer with --deadline / PPGOV_DEADLINE and --request-timeout / PPGOV_REQUEST_TIMEOUT`,
        },
      );
    }
    if (!this.budget.take(what)) {
      throw new TenantApiError(
        { ...details, retryable: true },
        {
          code: "TENANT_RETRY_BUDGET",
          message: `retry budget exhausted after ${this.budget.spent} retries (last: ${what})`,
        },
      );
    }
    const level = details.status === 429 ? "info" : "warn";
    this.logger[level](
      {
        method: details.method,
        path: details.path,
        attempt,
        delayMs,
        requestId: details.requestId,
        retryAfter: retryAfterMs !== undefined,
      },
      `retrying after ${what}`,
    );
    await this.sleep(delayMs);
  }

  private parseBody(text: string, headers: ResponseHeaders, spec: RequestSpec, status: number): unknown {
    if (text.trim() === "") return undefined;
    const fail = (problem: string): TenantApiError =>
      new TenantApiError(
        { status, method: spec.method, path: this.urlOf(spec).pathname, retryable: false },
        {
          code: "TENANT_UNEXPECTED_RESPONSE",
          message: `unexpected response from ${spec.endpoint}: ${problem}`,
        },
      );
    if (looksLikeHtml(text, headers))
      throw fail(`HTTP ${status} returned an HTML page${htmlTitle(text)} instead of JSON`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw fail(`the body is not valid JSON (${text.length} characters; it may have been cut off)`);
    }
  }

  private failure(
    details: {
      status: number;
      method: string;
      path: string;
      requestId: string;
      serviceCode?: string | undefined;
      serviceMessage?: string | undefined;
    },
    text: string,
    host: string,
  ): TenantApiError {
    if (details.status === 404 && details.serviceCode === undefined) {
      // No service error body: not a missing object (those the request builders expect), but no such
      // API at this host, which is what a wrong PPGOV_ENDPOINT or cloud looks like.
      const page = looksLikeHtml(text) ? ` (an HTML page${htmlTitle(text)})` : "";
      return new TenantApiError(
        { ...details, retryable: false },
        {
          code: "TENANT_NOT_FOUND",
          message: `${details.method} ${details.path} failed with HTTP 404 from ${host}${page}${details.requestId === "" ? "" : ` (request id ${details.requestId})`}: ${host} has no such API; check PPGOV_ENDPOINT (the emulator's URL, as ppgov emulator prints it) or PPGOV_CLOUD`,
        },
      );
    }
    if (isNotManagementAppError(details.status, text)) {
      return new TenantApiError(
        { ...details, retryable: false },
        {
          code: "TENANT_NOT_MANAGEMENT_APP",
          message: `${details.method} ${details.path} was refused (403): ${MANAGEMENT_APP_HINT}`,
        },
      );
    }
    if (details.status === 401) {
      return new TenantApiError(
        { ...details, retryable: false },
        {
          code: "TENANT_UNAUTHORIZED",
          message: `${details.method} ${details.path} was refused (401) even with a fresh token${details.serviceMessage === undefined ? "" : `: ${details.serviceMessage}`}; check the credentials and that the token is for this API (see docs/authentication.md)`,
        },
      );
    }
    if (details.status === 407) {
      return new TenantApiError(
        { ...details, retryable: false },
        {
          code: "PROXY_AUTH_REQUIRED",
          message: `${details.method} ${details.path}: the proxy wants credentials it did not get or did not accept (407 Proxy Authentication Required); put them in the proxy variable's URL, e.g. HTTPS_PROXY=http://user:password@proxy.example.com:8080 (docs/reliability.md, "Proxies")`,
        },
      );
    }
    if (details.serviceCode === undefined && details.serviceMessage === undefined && looksLikeHtml(text)) {
      return new TenantApiError({
        ...details,
        serviceMessage: `an HTML page${htmlTitle(text)}`,
        retryable: false,
      });
    }
    return new TenantApiError({ ...details, retryable: false });
  }

  private describeNetworkError(error: unknown, attemptMs: number): string {
    if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return `no complete response within ${attemptMs} ms (timeout)`;
    }
    if (error instanceof ResponseDecodingError) return this.secrets.scrub(error.message);
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
    const code = networkCode(error);
    const message = error instanceof Error ? error.message : String(error);
    const detail =
      typeof code === "string"
        ? message.includes(code)
          ? message
          : `${message} (${code})`
        : cause !== undefined
          ? `${message}: ${cause.message}`
          : message;
    return `connection failed: ${this.secrets.scrub(detail)}`;
  }
}

function notRetriedMessage(
  spec: RequestSpec,
  path: string,
  status: number,
  service: { code?: string; message?: string },
): string {
  const detail =
    service.code === undefined
      ? ""
      : ` ${service.code}${service.message === undefined ? "" : `: ${service.message}`}`;
  return `${spec.method} ${path} failed with HTTP ${status}${detail}. Not retried automatically because the request is not idempotent; check whether it took effect before running again`;
}

/** The system error code (ECONNRESET, ECONNREFUSED, …) of a network failure, if any. */
function networkCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  // node:http puts the code on the error; fetch wraps the system error in a TypeError's cause.
  const own = (error as { code?: unknown }).code;
  if (typeof own === "string") return own;
  const cause = error.cause as { code?: unknown } | undefined;
  return typeof cause?.code === "string" ? cause.code : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function looksLikeHtml(text: string, headers?: ResponseHeaders): boolean {
  return (
    (headers?.get("content-type") ?? "").includes("text/html") || /^\s*<(!doctype|html|head|body)/i.test(text)
  );
}

function htmlTitle(text: string): string {
  const title = /<title[^>]*>([^<]{1,120})<\/title>/i.exec(text)?.[1]?.trim();
  return title === undefined || title === "" ? "" : ` ("${title}")`;
}
