import { describe, expect, it } from "vitest";
import { impactOf, type InventoryItem } from "../../src/core/impact/index.js";

const item = (
  kind: "app" | "flow",
  id: string,
  environmentId: string,
  connectors: string[],
): InventoryItem => ({
  kind,
  id,
  displayName: id.toUpperCase(),
  environmentId,
  connectors,
});

describe("impactOf", () => {
  const effect = [
    {
      environmentId: "e1",
      environmentName: "One",
      moves: [{ connector: "shared_SQL", before: "business", after: "blocked" }],
    },
    {
      environmentId: "e2",
      environmentName: "Two",
      moves: [{ connector: "shared_x", before: "nonBusiness", after: "mixed" }],
    },
  ] as const;
  const items = [
    item("app", "a1", "e1", ["shared_sql", "shared_teams"]),
    item("flow", "f1", "e1", ["shared_sql"]),
    item("app", "a2", "e1", ["shared_x"]), // uses x, but x moves only in e2
    item("app", "a3", "e2", ["shared_sql"]), // uses sql, but sql moves only in e1
    item("flow", "f2", "e2", ["shared_x"]),
  ];

  it("matches per environment and connector, case-insensitively, and nothing else", () => {
    const impact = impactOf(
      effect.map((entry) => ({ ...entry, moves: entry.moves.map((move) => ({ ...move })) })),
      { items, environmentsRead: ["e1", "e2"], environmentsNotRead: [] },
    );
    expect(impact.complete).toBe(true);
    expect(
      impact.entries.map((entry) => [
        entry.environmentName,
        entry.connector,
        entry.apps.map((a) => a.id),
        entry.flows.map((f) => f.id),
      ]),
    ).toEqual([
      ["One", "shared_SQL", ["a1"], ["f1"]],
      ["Two", "shared_x", [], ["f2"]],
    ]);
    expect(impact.totals).toEqual({ apps: 1, flows: 2 });
  });

  it("an environment not read makes it incomplete, named by its display name", () => {
    const impact = impactOf(
      effect.map((entry) => ({ ...entry, moves: entry.moves.map((move) => ({ ...move })) })),
      {
        items: [],
        environmentsRead: ["e1"],
        environmentsNotRead: [{ environmentId: "e2", reason: "HTTP 503" }],
      },
    );
    expect(impact.complete).toBe(false);
    expect(impact.environmentsNotRead).toEqual([
      { environmentId: "e2", environmentName: "Two", reason: "HTTP 503" },
    ]);
  });
});
