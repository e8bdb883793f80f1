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

/** BAP error body (§2.2): `detailUrlType` is part of every recorded BAP error. */
export function bapError(status: number, code: string, message: string): Reply {
  return json(status, { error: { code, message, detailUrlType: "NotSpecified" } });
}

/** PP API error body (§2.2). Some PP API errors also carry a top-level `status`. */
export function ppError(status: number, code: string, message: string, withStatus = false): Reply {
  const body = { error: { code, message } };
  return json(status, withStatus ? { status, ...body } : body);
}

/** Graph error body with `innerError` (§2.2). */
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

/** Reads the whole body; an empty body is `undefined`. Any content type is accepted (§11.1). */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequestBody("The request body is not valid JSON.");
  }
}

export interface PageOptions {
  /** The request URL, absolute, pointing at this emulator. */
  url: URL;
  pageSize: number;
  /** `nextLink` for BAP and PowerApps, `@odata.nextLink` for PP API and Graph (§2.3). */
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
