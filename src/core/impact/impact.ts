import type { DlpEffect } from "../effective/effect-types.js";
import type { ImpactEntry, ImpactedItem, Inventory, InventoryItem, PlanImpact } from "./types.js";

function impacted(item: InventoryItem): ImpactedItem {
  return {
    kind: item.kind,
    id: item.id,
    displayName: item.displayName,
    ...(item.owner === undefined ? {} : { owner: item.owner }),
  };
}

function byName(a: ImpactedItem, b: ImpactedItem): number {
  return a.displayName < b.displayName
    ? -1
    : a.displayName > b.displayName
      ? 1
      : a.id < b.id
        ? -1
        : a.id > b.id
          ? 1
          : 0;
}

/**
 * For every environment and connector the effect moves, the apps and flows of that environment whose
 * connection references use the connector. Exact: an item counts only for connectors it references.
 */
export function impactOf(effect: DlpEffect, inventory: Inventory): PlanImpact {
  const byEnvironment = new Map<string, InventoryItem[]>();
  for (const item of inventory.items) {
    const list = byEnvironment.get(item.environmentId) ?? [];
    list.push(item);
    byEnvironment.set(item.environmentId, list);
  }
  const entries: ImpactEntry[] = [];
  const apps = new Set<string>();
  const flows = new Set<string>();
  for (const environment of effect) {
    const items = byEnvironment.get(environment.environmentId) ?? [];
    for (const move of environment.moves) {
      const connector = move.connector.toLowerCase();
      const users = items.filter((item) => item.connectors.includes(connector));
      for (const item of users) (item.kind === "app" ? apps : flows).add(`${item.environmentId}/${item.id}`);
      entries.push({
        environmentId: environment.environmentId,
        environmentName: environment.environmentName,
        connector: move.connector,
        before: move.before,
        after: move.after,
        apps: users
          .filter((item) => item.kind === "app")
          .map(impacted)
          .sort(byName),
        flows: users
          .filter((item) => item.kind === "flow")
          .map(impacted)
          .sort(byName),
      });
    }
  }
  const names = new Map(
    effect.map((environment) => [environment.environmentId, environment.environmentName]),
  );
  return {
    complete: inventory.environmentsNotRead.length === 0,
    environmentsNotRead: inventory.environmentsNotRead.map((entry) => ({
      ...entry,
      environmentName: names.get(entry.environmentId) ?? entry.environmentId,
    })),
    entries,
    totals: { apps: apps.size, flows: flows.size },
  };
}
