import type { IncomingMessage } from "node:http";
import { randomUUID } from "node:crypto";
import type { JsonValue } from "./json.js";

/** What a route handler answers; the server writes it (or drops it, under fault injection). */
export interface Reply {
  status: number;
  body?: JsonValue;
  /** A plain-text body instead of JSON (Graph `$count` segments). */
  text?: string;
  headers?: Record<string, string>;
}

/** Which public API a path belongs to: decides token audience, error dialect and paging style. */
export type ApiFamily = "bap" | "powerapps" | "ppapi" | "graph" | "flow";

export function json(status: number, body?: JsonValue, headers?: Record<string, string>): Reply {
  const reply: Reply = { status };
  if (body !== undefined) reply.body = body;
  if (headers) reply.headers = headers;
  return reply;
}

/** BAP error body (TF provider recordings, e.g. environment/resource/Validate_Do_Not_Retry_On_NoCapacity): `detailUrlType` is part of every recorded BAP error. */
export function bapError(status: number, code: string, message: string): Reply {
  return json(status, { error: { code, message, detailUrlType: "NotSpecified" } });
}

/** PP API error body (TF provider internal/services/licensing recordings). Some PP API errors also carry a top-level `status`. */
export function ppError(status: number, code: string, message: string, withStatus = false): Reply {
  const body = { error: { code, message } };
  return json(status, withStatus ? { status, ...body } : body);
}

/** Graph error body with `innerError` (Graph "Microsoft Graph error responses and resource types"). */
export function graphError(status: number, code: string, message: string): Reply {
  return json(status, {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString(),
        "request-id": randomUUID(),
        "client-request-id": randomUUID(),
      },
    },
  });
}

/** The error dialect of the API family a path belongs to. */
export function familyError(family: ApiFamily, status: number, code: string, message: string): Reply {
  if (family === "graph") return graphError(status, code, message);
  if (family === "ppapi") return ppError(status, code, message);
  return bapError(status, code, message);
}

export class BadRequestBody extends Error {}

/** A request body over MAX_REQUEST_BODY_BYTES: answered 413, the rest of the body not kept. */
export class RequestBodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`The request body is too large and exceeds the maximum permissible limit of ${limit} bytes.`);
  }
}

/**
 * Far above any request ppgov sends (a DLP policy classifying every connector is well under 1 MiB),
 * far below what would strain the emulator's memory.
 */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;

/** Keys that would reach an object's prototype when merged or assigned: dropped from every body. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Reads the whole body, at most `limit` bytes (a longer one, announced by Content-Length or found
 * while reading, throws RequestBodyTooLarge before it is buffered); an empty body is `undefined`. Any
 * content type is accepted (docs/emulator.md, What it serves). `__proto__`, `constructor` and `prototype` keys are dropped at any
 * depth, so no handler that merges or assigns a body's keys can reach a prototype.
 */
export async function readJsonBody(
  request: IncomingMessage,
  limit = MAX_REQUEST_BODY_BYTES,
): Promise<unknown> {
  const announced = Number(request.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(announced) && announced > limit) {
    discardRest(request);
    throw new RequestBodyTooLarge(limit);
  }
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      request.off("data", onData);
      discardRest(request);
      reject(new RequestBodyTooLarge(limit));
    };
    request.on("data", onData);
    request.once("end", () => resolve(Buffer.concat(chunks, size)));
    request.once("error", reject);
  });
  const text = bytes.toString("utf8").trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text, (key, value: unknown) => (PROTOTYPE_KEYS.has(key) ? undefined : value));
  } catch {
    throw new BadRequestBody("The request body is not valid JSON.");
  }
}

/** How long the rest of a refused body is read and dropped, so the client gets the 413 and not a reset. */
const DISCARD_MS = 5_000;

/**
 * Reads the rest of a refused body without keeping it (an answer sent while the client still sends
 * would otherwise be lost in a connection reset); a body still coming after DISCARD_MS loses its
 * connection.
 */
function discardRest(request: IncomingMessage): void {
  const timer = setTimeout(() => request.socket.destroy(), DISCARD_MS);
  timer.unref();
  request.once("end", () => clearTimeout(timer));
  request.once("close", () => clearTimeout(timer));
  request.resume();
}

/** The 413 of an oversized body (its rest is read and dropped, see discardRest). */
export function bodyTooLarge(family: ApiFamily | undefined, error: RequestBodyTooLarge): Reply {
  // Source: the code and message Azure Storage answers an oversized request body with (Microsoft
  // Learn, "Request body is too large" troubleshooting article, code RequestBodyTooLarge); the admin
  // APIs' own 413 body is not recorded, so the family's error shape carries it.
  return family === undefined
    ? json(413, { error: { code: "RequestBodyTooLarge", message: error.message } })
    : familyError(family, 413, "RequestBodyTooLarge", error.message);
}

export interface PageOptions {
  /** The request URL, absolute, pointing at this emulator. */
  url: URL;
  pageSize: number;
  /** `nextLink` for BAP and PowerApps, `@odata.nextLink` for PP API and Graph (TF provider internal/api/client.go paging; Graph "Paging Microsoft Graph data in your app"). */
  linkKey: "nextLink" | "@odata.nextLink";
  extra?: Record<string, JsonValue>;
  /** Builds the response form of an item; applied to the page only, not to the whole list. */
  render?: (item: JsonValue) => JsonValue;
}

/** One page of `items`, continuing from `$skiptoken`, with an absolute next link when more remain. */
export function page(items: readonly JsonValue[], options: PageOptions): Reply {
  const skip = Number.parseInt(options.url.searchParams.get("$skiptoken") ?? "0", 10);
  const start = Number.isFinite(skip) && skip > 0 ? skip : 0;
  const end = start + options.pageSize;
  const slice = items.slice(start, end);
  const value = options.render === undefined ? slice : slice.map(options.render);
  const body: Record<string, JsonValue> = { ...options.extra, value };
  if (end < items.length) {
    const next = new URL(options.url.href);
    next.searchParams.set("$skiptoken", String(end));
    body[options.linkKey] = next.href;
  }
  return json(200, body);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const ZERO_GUID = "00000000-0000-0000-0000-000000000000";

/** .NET-style timestamp with 7 fractional digits, as the service writes them. */
export function timestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}
