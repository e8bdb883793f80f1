export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** The subset of the WHATWG fetch the fetch transport uses; tests inject a fake. */
export type FetchLike = (input: URL, init: RequestInit) => Promise<Response>;

/** One attempt as the transport sends it: retries, auth and checks stay in the HTTP client. */
export interface TransportRequest {
  url: URL;
  method: HttpMethod;
  headers: Record<string, string>;
  /** Already serialised. */
  body?: string;
  /** Aborts the attempt, headers and body alike (the client's per-attempt timeout). */
  signal: AbortSignal;
  /** The most bytes of body to read, after decoding; more fails with ResponseTooLargeError. */
  maxResponseBytes: number;
}

/** Response headers, looked up case-insensitively (as WHATWG Headers does). */
export interface ResponseHeaders {
  get(name: string): string | null;
  /** Every header as [lower-case name, value]. */
  entries(): IterableIterator<[string, string]>;
}

export interface TransportResponse {
  status: number;
  headers: ResponseHeaders;
  /** The whole body, decoded (Content-Encoding) and read as UTF-8 with a leading BOM dropped. */
  text: string;
}

/**
 * Sends one request and reads its whole body. Rejects on a network failure, on the signal, and with
 * ResponseTooLargeError on a body over the limit; any status is a response, not a rejection.
 */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** A body that says it is compressed (Content-Encoding) but does not decode. */
export class ResponseDecodingError extends Error {
  constructor(
    readonly encoding: string,
    cause: Error,
  ) {
    super(`the ${encoding} body could not be decoded: ${cause.message}`, { cause });
  }
}

/** A response body over the client's limit, as announced by Content-Length or found while reading. */
export class ResponseTooLargeError extends Error {
  constructor(
    readonly status: number,
    readonly announcedBytes?: number,
  ) {
    super("response body over the limit");
  }

  describe(limit: number): string {
    const size =
      this.announcedBytes === undefined
        ? "the body is longer than"
        : `the body is ${formatBytes(this.announcedBytes)} (Content-Length), more than`;
    return `${size} the ${formatBytes(limit)} ppgov reads from one answer`;
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MiB`
    : `${bytes} bytes`;
}

/**
 * A transport over a WHATWG fetch: what tests with a fake fetch use. The default transport is
 * node-transport.ts, which costs less than half the CPU per request of Node's fetch.
 */
export function fetchTransport(fetchImpl: FetchLike): Transport {
  return async (request) => {
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: request.signal,
      redirect: "manual",
    });
    const text = await untilAborted(readBody(response, request.maxResponseBytes), request.signal);
    return { status: response.status, headers: response.headers, text };
  };
}

/**
 * `work`, or the abort reason once `signal` aborts, whichever comes first. Node's fetch leaves the body
 * promise of a response labelled `Content-Encoding: gzip` that is not gzip pending forever, abort or not.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    work
      .finally(() => signal.removeEventListener("abort", onAbort))
      .then(resolve, reject as (error: unknown) => void);
  });
}

/**
 * The body as text (UTF-8, a leading BOM dropped, as Response.text() reads it), reading no more than
 * `limit` bytes: a longer body is refused as soon as it is announced or read, before it fills memory.
 */
async function readBody(response: Response, limit: number): Promise<string> {
  const length = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(length) && length > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(response.status, length);
  }
  // An unencoded body cannot outgrow its Content-Length (the HTTP parser stops there): read it the
  // fast way. A compressed one can (its length is the compressed size), and a chunked one is unannounced.
  const encoding = response.headers.get("content-encoding");
  if (Number.isFinite(length) && (encoding === null || encoding === "identity")) return response.text();
  if (response.body === null) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    // Leaving the loop cancels the stream, so the rest is never read.
    if (size > limit) throw new ResponseTooLargeError(response.status);
    chunks.push(chunk);
  }
  return new TextDecoder().decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
}

const METHODS: ReadonlySet<string> = new Set<HttpMethod>(["GET", "POST", "PUT", "PATCH", "DELETE"]);

/** Statuses whose Response may not have a body (the WHATWG constructor throws otherwise). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * The other way round: a fetch over a transport, for the few callers written against fetch (the
 * GitHub OIDC token request, the GitHub API) when their requests must go through the node transport's
 * proxy. String bodies only; redirects are not followed (a 3xx is returned as it is).
 */
export function fetchOverTransport(transport: Transport, maxResponseBytes = 16 * 1024 * 1024): FetchLike {
  return async (input, init) => {
    const method = (init.method ?? "GET").toUpperCase();
    if (!METHODS.has(method)) throw new TypeError(`fetchOverTransport: unsupported method ${method}`);
    if (init.body !== undefined && init.body !== null && typeof init.body !== "string") {
      throw new TypeError("fetchOverTransport: only string bodies are supported");
    }
    const response = await transport({
      url: input,
      method: method as HttpMethod,
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      ...(typeof init.body === "string" ? { body: init.body } : {}),
      signal: init.signal ?? new AbortController().signal,
      maxResponseBytes,
    });
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : response.text, {
      status: response.status,
      headers: [...response.headers.entries()],
    });
  };
}
