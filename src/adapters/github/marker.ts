/**
 * Hidden markers identify ppgov's comments and issues: `<!-- ppgov:v1 {"kind":"plan","target":"…"} -->`.
 * They are matched on kind and target, never on a title or the first line.
 */
export interface MarkerKey {
  kind: "plan" | "apply" | "drift";
  /** The scope: the tenant directory, e.g. "policies" or "tenants/contoso". */
  target: string;
}

export interface MarkerData extends MarkerKey {
  /** 1-based part number of a split comment. */
  part?: number;
  [extra: string]: unknown;
}

const MARKER_PATTERN = /<!-- ppgov:v1 (\{.*?\}) -->/;

export function formatMarker(data: MarkerData): string {
  // "--" cannot appear inside an HTML comment; JSON.stringify of our fields never produces it but a
  // target path could, so escape it.
  return `<!-- ppgov:v1 ${JSON.stringify(data).replace(/--/g, "-\\u002d")} -->`;
}

export function parseMarker(body: string | null | undefined): MarkerData | undefined {
  const match = MARKER_PATTERN.exec(body ?? "");
  if (!match?.[1]) return undefined;
  try {
    const data = JSON.parse(match[1]) as Partial<MarkerData>;
    if (typeof data.kind !== "string" || typeof data.target !== "string") return undefined;
    return data as MarkerData;
  } catch {
    return undefined;
  }
}

export function markerMatches(body: string | null | undefined, key: MarkerKey): boolean {
  const data = parseMarker(body);
  return data !== undefined && data.kind === key.kind && data.target === key.target;
}
