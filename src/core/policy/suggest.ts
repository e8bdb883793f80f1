/** "Did you mean …?" for misspelt property names, enumeration values and references. */

export function levenshtein(a: string, b: string): number {
  return boundedLevenshtein(a, b, Math.max(a.length, b.length));
}

/** Edit distance, or `limit + 1` as soon as it is known to exceed `limit` (most pairs stop early). */
function boundedLevenshtein(a: string, b: string, limit: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(current[j - 1]! + 1, previous[j]! + 1, previous[j - 1]! + cost);
      current[j] = value;
      if (value < rowMinimum) rowMinimum = value;
    }
    if (rowMinimum > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/** Candidates compared per query, nearest in sorted order first: keeps huge reference sets fast. */
const COMPARISONS_PER_QUERY = 400;

/**
 * Prepares a set of candidates once for many queries (a rule suggesting among thousands of names).
 * A query matches a candidate that equals it ignoring case, one it is an unambiguous prefix of
 * ("Prod" → "Production"), or the nearest within an edit distance of a third of its length (1 to 3).
 */
export function createSuggester(candidates: readonly string[]): (input: string) => string | undefined {
  const byLowerCase = new Map<string, string>();
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    if (!byLowerCase.has(lower)) byLowerCase.set(lower, candidate);
  }
  const sorted = [...byLowerCase.keys()].sort();

  return (input) => {
    if (input.length === 0 || sorted.length === 0) return undefined;
    const lower = input.toLowerCase();
    const exact = byLowerCase.get(lower);
    if (exact !== undefined) return exact;

    const position = lowerBound(sorted, lower);
    if (lower.length >= 3) {
      const first = sorted[position];
      const second = sorted[position + 1];
      if (first?.startsWith(lower) === true && second?.startsWith(lower) !== true)
        return byLowerCase.get(first);
    }

    const limit = Math.min(3, Math.max(1, Math.floor(input.length / 3)));
    let best: string | undefined;
    let bestDistance = limit + 1;
    // Walk outwards from where the input would sort: names sharing its beginning come first.
    for (let step = 0, left = position - 1, right = position; step < COMPARISONS_PER_QUERY; step += 1) {
      const takeRight = right < sorted.length && (step % 2 === 0 || left < 0);
      const index = takeRight ? right++ : left--;
      const candidate = sorted[index];
      if (candidate === undefined) break;
      const distance = boundedLevenshtein(lower, candidate, bestDistance - 1);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best === undefined ? undefined : byLowerCase.get(best);
  };
}

function lowerBound(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function suggest(input: string, candidates: readonly string[]): string | undefined {
  return createSuggester(candidates)(input);
}

/** "; did you mean 'x'?" or "": appended to a message. */
export function didYouMean(
  input: string,
  candidates: readonly string[] | ((input: string) => string | undefined),
): string {
  const suggestion = typeof candidates === "function" ? candidates(input) : suggest(input, candidates);
  return suggestion === undefined ? "" : `; did you mean '${suggestion}'?`;
}
