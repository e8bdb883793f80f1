/** JSON pointers (RFC 6901) and the dotted paths people read in messages. */

export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function formatPointer(segments: readonly (string | number)[]): string {
  return segments.map((segment) => `/${String(segment).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

export function childPointer(pointer: string, segment: string | number): string {
  return `${pointer}${formatPointer([segment])}`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * `/spec/connectors/business/2` → `spec.connectors.business[2]`. Numeric segments become indexes,
 * keys that are not identifier-like are quoted: `spec.ignore["a.b"]`. The root is "document".
 */
export function dottedPath(pointer: string): string {
  const segments = parsePointer(pointer);
  if (segments.length === 0) return "document";
  let path = "";
  for (const segment of segments) {
    if (/^(0|[1-9][0-9]*)$/.test(segment)) path += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) path += path === "" ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}
