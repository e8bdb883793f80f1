import { PpgovError } from "../../core/errors.js";
import type { ListPage } from "../../core/wire/types.js";
import type { HttpClient, RequestSpec } from "./http-client.js";

/** A run that follows this many pages is looping (a service bug), not listing. */
const MAX_PAGES = 10_000;
/** This many empty pages in a row, each with yet another next link, is a listing that never ends. */
const MAX_EMPTY_PAGES_IN_A_ROW = 100;

/**
 * Every page of a list, following `nextLink` (BAP, PowerApps) or `@odata.nextLink` (PP API, Graph).
 * Links pointing at real hosts go through the resolver, so PPGOV_ENDPOINT applies to them too.
 */
export async function* pages<T>(http: HttpClient, first: RequestSpec): AsyncGenerator<T[], void, undefined> {
  const seen = new Set<string>();
  const byId = new Map<string, T>();
  let emptyInARow = 0;
  let pending = http.send<ListPage<T>>(first);
  for (let page = 1; ; page++) {
    const response = await pending;
    // The same object listed twice would look like two live objects with one name (a false "ambiguous"
    // error, or a count off by one): the listing cannot be trusted, so say so instead of planning on it.
    // Only exact repeats: items are compared only when their ids collide, so this costs no copies.
    for (const item of response.body.value) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id !== "string") continue;
      const earlier = byId.get(id);
      if (earlier !== undefined && JSON.stringify(earlier) === JSON.stringify(item))
        throw new PpgovError(
          "TENANT_UNEXPECTED_RESPONSE",
          `${first.endpoint} returned the item ${id} twice in one listing (the list changed while it was read, or the service misbehaves); run again`,
        );
      byId.set(id, item);
    }
    const next = response.body.nextLink ?? response.body["@odata.nextLink"];
    const more = next !== undefined && next !== null && next !== "" && page < (http.maxListPages ?? Infinity);
    if (more) {
      emptyInARow = response.body.value.length === 0 ? emptyInARow + 1 : 0;
      if (emptyInARow >= MAX_EMPTY_PAGES_IN_A_ROW) {
        throw new PpgovError(
          "TENANT_PAGING_LOOP",
          `${first.endpoint}: the service returned ${emptyInARow} empty pages in a row, each with another next page link; stopping`,
        );
      }
      const url = http.resolver.follow(next, response.url);
      if (seen.has(url.href) || page >= MAX_PAGES) {
        throw new PpgovError(
          "TENANT_PAGING_LOOP",
          `${first.endpoint}: the service returned the same next page link twice (or over ${MAX_PAGES} pages); stopping`,
        );
      }
      seen.add(url.href);
      // Pages of a list come one after another (each names the next), so they are the read's critical
      // path: ask for the next page before the caller works on this one (per-item reads it starts, its
      // parsing), not after. A failure is kept for the next turn of the loop, where it is thrown.
      pending = http.send<ListPage<T>>({ ...first, method: "GET", url, body: undefined });
      pending.catch(() => undefined);
    }
    yield response.body.value;
    if (!more) return;
  }
}

/** Every item of a list, page by page. */
export async function* items<T>(http: HttpClient, first: RequestSpec): AsyncGenerator<T, void, undefined> {
  for await (const page of pages<T>(http, first)) yield* page;
}

/** All items of a list in one array. */
export async function collectAll<T>(http: HttpClient, first: RequestSpec): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages<T>(http, first)) all.push(...page);
  return all;
}
