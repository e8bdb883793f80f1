/**
 * DLP impact analysis: the apps and flows in the affected environments that use a connector whose
 * effective group a plan changes. The inventory comes from the admin app and flow APIs.
 */
import type { EffectiveGroup } from "../effective/combine.js";

/** One app or flow with the connectors its connection references name. */
export interface InventoryItem {
  kind: "app" | "flow";
  /** The app or flow name (GUID). */
  id: string;
  displayName: string;
  environmentId: string;
  /** Connector names (shared_sql), lower-cased, de-duplicated. */
  connectors: string[];
  /** Owner or creator, when the service says. */
  owner?: string;
}

/** What the inventory reader could read, and whether it stopped before the end. */
export interface Inventory {
  items: InventoryItem[];
  /** Environments fully read. */
  environmentsRead: string[];
  /** Environments not (fully) read because the time budget ran out or a read failed. */
  environmentsNotRead: { environmentId: string; reason: string }[];
}

export interface ImpactedItem {
  kind: "app" | "flow";
  id: string;
  displayName: string;
  owner?: string;
}

export interface ImpactEntry {
  environmentId: string;
  environmentName: string;
  connector: string;
  before: EffectiveGroup;
  after: EffectiveGroup;
  apps: ImpactedItem[];
  flows: ImpactedItem[];
}

export interface PlanImpact {
  /** False when the reader stopped early: some environments were not (fully) read. */
  complete: boolean;
  environmentsNotRead: { environmentId: string; environmentName: string; reason: string }[];
  /** One entry per environment and moved connector, sorted; entries with no apps or flows included. */
  entries: ImpactEntry[];
  totals: { apps: number; flows: number };
}
