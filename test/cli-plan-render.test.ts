import { describe, expect, it } from "vitest";
import type { PlanResource } from "../src/core/plan/types.js";
import { effectTextLines } from "../src/render/effect-markdown.js";
import { changeLines, diffItems, PLAN_LINE_WIDTH, wrapList } from "../src/render/plan-lines.js";

/** The terminal plan a newcomer reads (issue 20 item 7): long values wrap, the effect section explains itself. */

function resource(changedPaths: PlanResource["changedPaths"], action: PlanResource["action"] = "update") {
  const value: PlanResource = {
    address: "DlpPolicy/strict",
    kind: "DlpPolicy",
    name: "strict",
    id: "00000000-0000-0000-0000-000000000001",
    displayName: "Strict",
    action,
    changedPaths,
    fingerprint: null,
  };
  return value;
}

const pattern = (group: string, url: string) => ({ group, pattern: url });

describe("wrapList", () => {
  it("breaks a list into lines of at most the width, continued under the first item", () => {
    const items = Array.from({ length: 12 }, (_, index) => `shared_connector_${index}`);
    const lines = wrapList(items, "      non-business → blocked: ");
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(PLAN_LINE_WIDTH);
    expect(lines[0]).toMatch(/^ {6}non-business → blocked: shared_connector_0, /);
    const indent = " ".repeat("      non-business → blocked: ".length);
    for (const line of lines.slice(1)) expect(line.startsWith(indent)).toBe(true);
    expect(lines.join(" ").replace(/\s+/g, " ")).toContain("shared_connector_10, shared_connector_11");
    expect(lines.at(-1)?.endsWith("shared_connector_11")).toBe(true);
  });

  it("keeps a short list on one line", () => {
    expect(wrapList(["a", "b"], "  ")).toEqual(["  a, b"]);
  });
});

describe("diffItems", () => {
  it("keeps the common items in place and marks what was added and removed, in order", () => {
    expect(diffItems(["b", "c", "d"], ["a", "b", "d", "e"])).toEqual([
      { sign: "+", text: "a" },
      { sign: " ", text: "b" },
      { sign: "-", text: "c" },
      { sign: " ", text: "d" },
      { sign: "+", text: "e" },
    ]);
  });
});

describe("long plan lines wrap, one item a line", () => {
  it("an ordered list update: the new first rule and the kept ones, in their order", () => {
    const before = [pattern("business", "https://*.contoso.com"), pattern("blocked", "*")];
    const after = [pattern("business", "https://api.contoso.com/*"), ...before];
    const [line] = changeLines(resource([{ path: "/urlPatterns", before, after }]), {});
    expect(line?.text).toContain(" → "); // the one-line form stays for renderers without room
    expect(line?.wrapped).toEqual({
      head: "urlPatterns:",
      items: [
        { sign: "+", text: '{ group = "business", pattern = "https://api.contoso.com/*" }' },
        { sign: " ", text: '{ group = "business", pattern = "https://*.contoso.com" }' },
        { sign: " ", text: '{ group = "blocked", pattern = "*" }' },
      ],
    });
  });

  it("a field set as a whole: every item signed +", () => {
    const rules = [
      { behavior: "allow", endpoint: "contosodata.blob.core.windows.net" },
      { behavior: "allow", endpoint: "*.blob.core.windows.net" },
      { behavior: "deny", endpoint: "*" },
    ];
    const [line] = changeLines(resource([{ path: "/endpointRules/shared_azureblob", after: rules }]), {});
    expect(line?.wrapped?.head).toBe("endpointRules.shared_azureblob =");
    expect(line?.wrapped?.items.map((item) => item.sign)).toEqual(["+", "+", "+"]);
    expect(line?.wrapped?.items[2]?.text).toBe('{ behavior = "deny", endpoint = "*" }');
  });

  it("two long strings: old and new on a line each; short changes stay on one line", () => {
    const long = "x".repeat(60);
    const [wrapped, short] = changeLines(
      resource([
        { path: "/description", before: long, after: `${long}!` },
        { path: "/displayName", before: "A", after: "B" },
      ]),
      {},
    );
    expect(wrapped?.wrapped).toEqual({
      head: "description:",
      items: [
        { sign: "-", text: JSON.stringify(long) },
        { sign: "+", text: JSON.stringify(`${long}!`) },
      ],
    });
    expect(short).toEqual({ sign: "~", text: 'displayName: "A" → "B"' });
  });
});

describe("a summarised connector map that does not fit a line", () => {
  it("shows one resulting group a line", () => {
    const connectors = (group: string, count: number) =>
      Array.from({ length: count }, (_, index) => ({
        path: `/connectors/shared_${group.toLowerCase()}_connector_${index}`,
        after: group,
      }));
    const [line] = changeLines(
      resource(
        [...connectors("business", 5), ...connectors("nonBusiness", 5), ...connectors("blocked", 3)],
        "create",
      ),
      {},
    );
    expect(line?.text.length).toBeGreaterThan(PLAN_LINE_WIDTH);
    expect(line?.wrapped?.head).toBe("connectors (13):");
    expect(line?.wrapped?.items.map((item) => item.sign)).toEqual(["+", "+", "+"]);
    expect(line?.wrapped?.items[2]?.text).toBe(
      "blocked: shared_blocked_connector_0, shared_blocked_connector_1, shared_blocked_connector_2",
    );
  });
});

describe("the effect section of the terminal plan", () => {
  const blocked = (connector: string) => ({
    connector,
    before: "nonBusiness" as const,
    after: "blocked" as const,
  });
  const effect = [
    ...["Alpha", "Beta", "Gamma"].map((name, index) => ({
      environmentId: `env-${index}`,
      environmentName: name,
      moves: [blocked("shared_linkedinv2"), blocked("shared_youtube")],
    })),
    {
      environmentId: "env-9",
      environmentName: "Delta",
      moves: [
        blocked("shared_youtube"),
        { connector: "shared_sql", before: "business" as const, after: "mixed" as const },
      ],
    },
  ];
  const lines = effectTextLines({ effect });

  it("says in one line what it means", () => {
    expect(lines[0]).toBe("Effect on environments (all DLP policies that apply, combined):");
    expect(lines[1]).toMatch(
      /^ {2}what makers can use there after this plan \(blocked anywhere wins; .*mixed\)$/,
    );
  });

  it("environments with the same moves share a heading; each move lists its connectors", () => {
    expect(lines.slice(2)).toEqual([
      "  Alpha, Beta, Gamma:",
      "      non-business → blocked: shared_linkedinv2, shared_youtube",
      "  Delta:",
      "      non-business → blocked: shared_youtube",
      "      business → mixed: shared_sql",
      "",
    ]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(PLAN_LINE_WIDTH);
  });
});
