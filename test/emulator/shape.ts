/**
 * Structural comparison of a recorded response (the fixture) with the emulator's answer: every key the
 * recording has must exist in the answer with the same JSON type, recursively. Arrays compare by
 * element shape: each recorded element must match at least one answered element. Values never matter.
 */

export interface ShapeMismatch {
  path: string;
  problem: string;
}

/** A subtree the comparison skips, with the reason it may legitimately differ. */
export interface ShapeException {
  /** Path as reported, e.g. `$.properties.connectionParameters` or `$.value[].properties.usedBy.userPrincipalName`. */
  path: string;
  reason: string;
}

type JsonType = "null" | "array" | "object" | "string" | "number" | "boolean";

function typeOf(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as JsonType;
}

export function compareShape(
  recorded: unknown,
  answered: unknown,
  exceptions: readonly ShapeException[] = [],
  path = "$",
): ShapeMismatch[] {
  if (exceptions.some((exception) => exception.path === path)) return [];
  const expected = typeOf(recorded);
  const actual = typeOf(answered);
  // A recorded null says the field exists but not what it holds when set (e.g. linkedEnvironmentMetadata).
  if (expected === "null") return [];
  if (expected !== actual) return [{ path, problem: `expected ${expected}, got ${actual}` }];
  if (expected === "object") {
    const mismatches: ShapeMismatch[] = [];
    const answeredRecord = answered as Record<string, unknown>;
    for (const [key, value] of Object.entries(recorded as Record<string, unknown>)) {
      const childPath = `${path}.${key}`;
      if (exceptions.some((exception) => exception.path === childPath)) continue;
      if (!(key in answeredRecord)) mismatches.push({ path: childPath, problem: "missing" });
      else mismatches.push(...compareShape(value, answeredRecord[key], exceptions, childPath));
    }
    return mismatches;
  }
  if (expected === "array") {
    const recordedItems = recorded as unknown[];
    const answeredItems = answered as unknown[];
    if (recordedItems.length === 0) return [];
    if (answeredItems.length === 0)
      return [{ path: `${path}[]`, problem: "recording has elements, answer is empty" }];
    const mismatches: ShapeMismatch[] = [];
    for (const item of recordedItems) {
      // The closest answered element: the one with the fewest mismatches.
      let best: ShapeMismatch[] | undefined;
      for (const candidate of answeredItems) {
        const result = compareShape(item, candidate, exceptions, `${path}[]`);
        if (best === undefined || result.length < best.length) best = result;
        if (result.length === 0) break;
      }
      mismatches.push(...(best ?? []));
    }
    return dedupe(mismatches);
  }
  return [];
}

function dedupe(mismatches: ShapeMismatch[]): ShapeMismatch[] {
  const seen = new Set<string>();
  return mismatches.filter((mismatch) => {
    const key = `${mismatch.path}:${mismatch.problem}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
