import type { Rule } from "./context.js";

/**
 * PPG208: integers past 2^53 - 1 are refused wherever they appear. The schemas say `integer` and YAML
 * reads 99999999999999999999999 as 1e+23, which would reach the tenant rounded; no field needs such a value.
 */
export const numbersAreExact: Rule = (context) => {
  for (const loaded of context.documents) {
    const visit = (value: unknown, pointer: string): void => {
      if (typeof value === "number") {
        if (Number.isInteger(value) && !Number.isSafeInteger(value))
          context.report(
            loaded,
            "PPG208",
            pointer,
            `${dotted(pointer)} is too large to be exact (got ${String(value)}; at most ${Number.MAX_SAFE_INTEGER} in size)`,
          );
      } else if (Array.isArray(value)) {
        value.forEach((item, index) => visit(item, `${pointer}/${index}`));
      } else if (value !== null && typeof value === "object") {
        for (const [key, item] of Object.entries(value))
          visit(item, `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`);
      }
    };
    visit(loaded.document, "");
  }
};

/** "/spec/allocations/AppPass" → "spec.allocations.AppPass", "/a/0" → "a[0]". */
function dotted(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce(
      (path, segment) =>
        /^\d+$/.test(segment) ? `${path}[${segment}]` : path === "" ? segment : `${path}.${segment}`,
      "",
    );
}
