/**
 * A query string as the services expect it: `$`-prefixed OData keys, and `/`, `,`, `'`, `:` and `$`
 * left readable (legal in a query, RFC 3986, section 3.4); spaces as %20, never "+".
 */
export function queryString(params: Record<string, string | number | boolean | undefined>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    parts.push(`${encode(key)}=${encode(String(value))}`);
  }
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}

function encode(text: string): string {
  return encodeURIComponent(text).replace(/%2F|%2C|%27|%3A|%24|%7E/gi, (escaped) =>
    decodeURIComponent(escaped),
  );
}

/** One path segment (an id from the service or the user), escaped. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
