import { formatPointer } from "../pointer.js";
import type { Rule } from "./context.js";

/**
 * PPG208: integers past 2^53 - 1 are refused wherever they appear. The schemas say `integer` and YAML
 * reads 99999999999999999999999 as 1e+23, which would reach the tenant rounded; no field needs such a value.
 */
export const numbersAreExact: Rule = (context) => {
  for (const loaded of context.documents) {
    // The path is kept as a stack of segments and joined only for a finding: a large repository holds
    // hundreds of thousands of values, nearly all of them fine.
    const segments: string[] = [];
    const visit = (value: unknown): void => {
      if (typeof value === "number") {
        if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
          context.report(
            loaded,
            "PPG208",
            formatPointer(segments),
            `${dotted(segments)} is too large to be exact (got ${String(value)}; at most ${Number.MAX_SAFE_INTEGER} in size)`,
          );
        }
      } else if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index += 1) {
          const item: unknown = value[index];
          if (typeof item === "string") continue;
          segments.push(String(index));
          visit(item);
          segments.pop();
        }
      } else if (value !== null && typeof value === "object") {
        for (const key of Object.keys(value)) {
          const item: unknown = (value as Record<string, unknown>)[key];
          if (typeof item === "string") continue;
          segments.push(key);
          visit(item);
          segments.pop();
        }
      }
    };
    visit(loaded.document);
  }
};

/** ["spec", "allocations", "AppPass"] → "spec.allocations.AppPass", ["a", "0"] → "a[0]". */
function dotted(segments: readonly string[]): string {
  return segments.reduce(
    (path, segment) =>
      /^\d+$/.test(segment) ? `${path}[${segment}]` : path === "" ? segment : `${path}.${segment}`,
    "",
  );
}
