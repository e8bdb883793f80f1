import type { WireConnector, WireVirtualConnector } from "../wire/types.js";
import { lastSegment } from "./ids.js";

export const CONNECTOR_TYPE = "Microsoft.PowerApps/apis";

export interface CatalogueConnector {
  /** The name users write and canonical forms key by: "shared_sql", or "Http" for a virtual connector. */
  name: string;
  /** The id DLP bodies carry: "/providers/Microsoft.PowerApps/apis/shared_sql", or "Http". */
  id: string;
  displayName: string;
  type: string;
  unblockable: boolean;
  virtual: boolean;
}

/** The tenant's connectors, looked up case-insensitively by name. */
export interface ConnectorCatalogue {
  /** In catalogue order (connectors, then virtual connectors). */
  readonly connectors: readonly CatalogueConnector[];
  /**
   * The same connectors ordered by name as stable JSON orders keys (code units), so a record built in
   * this order is hashed without being copied into sorted order first.
   */
  readonly connectorsInKeyOrder: readonly CatalogueConnector[];
  find(name: string): CatalogueConnector | undefined;
  /**
   * The name canonical forms key a DLP body's connector id by: the catalogue's spelling of the id's
   * last segment when it knows the connector, else that segment. Remembered per id: a tenant's DLP
   * policies name the same catalogue over and over.
   */
  keyForId(id: string): string;
  /** Every name, for "did you mean". */
  readonly names: readonly string[];
}

export function buildConnectorCatalogue(
  connectors: readonly WireConnector[],
  unblockableIds: readonly string[],
  virtualConnectors: readonly WireVirtualConnector[],
): ConnectorCatalogue {
  const unblockable = new Set(unblockableIds.map((id) => lastSegment(id).toLowerCase()));
  const byName = new Map<string, CatalogueConnector>();
  const add = (entry: CatalogueConnector): void => {
    const key = entry.name.toLowerCase();
    if (!byName.has(key)) byName.set(key, entry);
  };
  for (const connector of connectors) {
    const name = connector.name || lastSegment(connector.id);
    add({
      name,
      id: connector.id,
      displayName: connector.properties.displayName || name,
      type: connector.type ?? CONNECTOR_TYPE,
      unblockable: unblockable.has(name.toLowerCase()),
      virtual: false,
    });
  }
  for (const connector of virtualConnectors) {
    const name = lastSegment(connector.id);
    add({
      name,
      id: connector.id,
      displayName: connector.metadata.displayName ?? connector.metadata.name ?? name,
      type: connector.metadata.type ?? CONNECTOR_TYPE,
      unblockable: unblockable.has(name.toLowerCase()),
      virtual: true,
    });
  }
  const list = [...byName.values()];
  // Names are nearly always spelled as the catalogue spells them: look those up without lower-casing
  // (a plan looks up every connector of every DLP policy). Each entry is its lower-case key's winner.
  const byExactName = new Map(list.map((connector) => [connector.name, connector] as const));
  const find = (name: string): CatalogueConnector | undefined =>
    byExactName.get(name) ?? byName.get(name.toLowerCase());
  const keys = new Map<string, string>();
  const inKeyOrder = [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    connectors: list,
    connectorsInKeyOrder: inKeyOrder,
    names: list.map((connector) => connector.name),
    find,
    keyForId(id) {
      let key = keys.get(id);
      if (key === undefined) {
        const segment = lastSegment(id);
        key = find(segment)?.name ?? segment;
        keys.set(id, key);
      }
      return key;
    },
  };
}

/** The DLP connector id for a name: the catalogue's, else the standard PowerApps path. */
export function connectorIdFor(name: string, catalogue: ConnectorCatalogue): string {
  // Source: TF provider internal/services/connectors/tests/Validate_Read/get_apis.json (connector ids)
  return catalogue.find(name)?.id ?? `/providers/Microsoft.PowerApps/apis/${name}`;
}
