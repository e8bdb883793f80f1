import { describe, expect, it } from "vitest";
import { dottedPath, formatPointer, parsePointer } from "../../src/core/policy/pointer.js";
import { createSuggester, didYouMean, levenshtein, suggest } from "../../src/core/policy/suggest.js";

describe("suggest", () => {
  it("measures edit distance", () => {
    expect(levenshtein("kitten", "sitting")).toBe(3);
    expect(levenshtein("", "abc")).toBe(3);
    expect(levenshtein("same", "same")).toBe(0);
  });

  it("suggests near misses, case slips and unambiguous prefixes", () => {
    expect(suggest("al", ["all", "only", "except"])).toBe("all");
    expect(suggest("conectors", ["connectors", "connectorRules"])).toBe("connectors");
    expect(suggest("production", ["Production", "Sandbox"])).toBe("Production");
    expect(suggest("Prod", ["Production", "Sandbox", "Trial", "Developer"])).toBe("Production");
  });

  it("stays quiet when nothing is close", () => {
    expect(suggest("weekly", ["Frequent", "Moderate"])).toBeUndefined();
    expect(suggest("x", [])).toBeUndefined();
    expect(didYouMean("zzz", ["all"])).toBe("");
    expect(didYouMean("specs", ["spec"])).toBe("; did you mean 'spec'?");
  });
});

describe("pointers and dotted paths", () => {
  it("round-trips escaped segments", () => {
    expect(parsePointer("/a~1b/c~0d/0")).toEqual(["a/b", "c~d", "0"]);
    expect(formatPointer(["a/b", "c~d", 0])).toBe("/a~1b/c~0d/0");
    expect(parsePointer("")).toEqual([]);
  });

  it("reads like the YAML a person wrote", () => {
    expect(dottedPath("/spec/type")).toBe("spec.type");
    expect(dottedPath("/spec/licenses/0/sku")).toBe("spec.licenses[0].sku");
    expect(dottedPath("/spec/connectorRules/shared_sql")).toBe("spec.connectorRules.shared_sql");
    expect(dottedPath("/spec/ignore/a.b c")).toBe('spec.ignore["a.b c"]');
    expect(dottedPath("")).toBe("document");
  });
});

describe("suggestions among many names", () => {
  it("finds the near miss among thousands of candidates", () => {
    const names = Array.from({ length: 20_000 }, (_, index) => `team-${String(index).padStart(5, "0")}-env`);
    const suggester = createSuggester(names);
    let found = 0;
    for (let index = 0; index < 2000; index += 1) {
      if (suggester(`team-${String(index).padStart(5, "0")}-nv`) === names[index]) found += 1;
    }
    expect(found).toBe(2000);
  });
});
