import { PpgovError } from "../../core/errors.js";
import type { ListPage } from "../../core/wire/types.js";
import type { HttpClient, RequestSpec } from "./http-client.js";

/** A run that follows this many pages is looping (a service bug), not listing. */
const MAX_PAGES = 10_000;

/**
 * Every page of a list, following `nextLink` (BAP, PowerApps) or `@odata.nextLink` (PP API, Graph).
 * Links pointing at real hosts go through the resolver, so PPGOV_ENDPOINT applies to them too.
 */
export async function* pages<T>(http: HttpClient, first: RequestSpec): AsyncGenerator<T[], void, undefined> {
  let spec: RequestSpec = first;
  const seen = new Set<string>();
  for (let page = 1; ; page++) {
    const response = await http.send<ListPage<T>>(spec);
    yield response.body.value;
    const next = response.body.nextLink ?? response.body["@odata.nextLink"];
    if (next === undefined || next === null || next === "") return;
    const url = http.resolver.follow(next, response.url);
    if (seen.has(url.href) || page >= MAX_PAGES) {
      throw new PpgovError(
        "TENANT_PAGING_LOOP",
        `${first.endpoint}: the service returned the same next page link twice (or over ${MAX_PAGES} pages); stopping`,
      );
    }
    seen.add(url.href);
    spec = { ...first, method: "GET", url, body: undefined };
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
