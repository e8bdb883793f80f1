/**
 * A deterministic generator of admin app and flow inventory in the services' shapes, for seeding an
 * emulator with hundreds of apps and flows (impact-analysis tests, demos).
 */
import { seededRandom } from "../faults.js";
import type { JsonObject } from "../types.js";

export interface InventoryConnector {
  /** e.g. shared_sql */
  name: string;
  displayName: string;
}

export interface InventorySpec {
  /** Environment GUIDs (lower case) to fill. */
  environmentIds: readonly string[];
  appsPerEnvironment: number;
  flowsPerEnvironment: number;
  /** Connectors the items draw from (1 to 4 each). */
  connectors: readonly InventoryConnector[];
  tenantId: string;
  seed?: number;
}

export interface GeneratedInventory {
  apps: Record<string, JsonObject[]>;
  flows: Record<string, JsonObject[]>;
}

function guidFrom(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function pick<T>(items: readonly T[], count: number, next: () => number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) out.push(...pool.splice(Math.floor(next() * pool.length), 1));
  return out;
}

const API = "/providers/Microsoft.PowerApps/apis/";

function app(
  environmentId: string,
  index: number,
  connectors: InventoryConnector[],
  spec: InventorySpec,
  next: () => number,
): JsonObject {
  const name = guidFrom(next);
  const owner = guidFrom(next);
  const connectionReferences: JsonObject = {};
  for (const connector of connectors)
    connectionReferences[guidFrom(next)] = {
      id: `${API}${connector.name}`,
      displayName: connector.displayName,
      iconUri: `https://connectoricons-prod.azureedge.net/${connector.name}/icon.png`,
      dataSources: [connector.displayName],
      dependencies: [],
      dependents: [],
      isOnPremiseConnection: false,
      bypassConsent: false,
      apiTier: "Standard",
      isCustomApiConnection: false,
    };
  return {
    name,
    id: `/providers/Microsoft.PowerApps/scopes/admin/environments/${environmentId}/apps/${name}`,
    type: "Microsoft.PowerApps/scopes/admin/apps",
    tags: { primaryDeviceWidth: "1366", primaryDeviceHeight: "768", sienaVersion: "20240101T000000Z" },
    properties: {
      appVersion: "2024-01-01T00:00:00Z",
      displayName: `App ${index + 1} (${connectors.map((connector) => connector.displayName).join(", ")})`,
      description: "",
      owner: { id: owner, displayName: `Maker ${index % 17}`, type: "User", tenantId: spec.tenantId },
      createdBy: { id: owner, displayName: `Maker ${index % 17}`, type: "User", tenantId: spec.tenantId },
      createdTime: "2024-01-01T00:00:00.0000000Z",
      lastModifiedTime: "2024-02-01T00:00:00.0000000Z",
      environment: {
        id: `/providers/Microsoft.PowerApps/environments/${environmentId}`,
        name: environmentId,
      },
      appType: "ClassicCanvasApp",
      connectionReferences,
      sharedUsersCount: 0,
      sharedGroupsCount: 0,
      isFeaturedApp: false,
    },
  };
}

function flow(
  environmentId: string,
  index: number,
  connectors: InventoryConnector[],
  spec: InventorySpec,
  next: () => number,
): JsonObject {
  const name = guidFrom(next);
  const creator = guidFrom(next);
  const connectionReferences: JsonObject = {};
  connectors.forEach((connector, position) => {
    connectionReferences[position === 0 ? connector.name : `${connector.name}_${position}`] = {
      connectionName: `${connector.name.replace(/^shared_/, "shared-")}-${guidFrom(next)}`,
      source: "Invoker",
      id: `${API}${connector.name}`,
      displayName: connector.displayName,
      iconUri: `https://connectoricons-prod.azureedge.net/${connector.name}/icon.png`,
      tier: "Standard",
    };
  });
  return {
    name,
    id: `/providers/Microsoft.ProcessSimple/environments/${environmentId}/flows/${name}`,
    type: "Microsoft.ProcessSimple/environments/flows",
    properties: {
      apiId: "/providers/Microsoft.PowerApps/apis/shared_logicflows",
      displayName: `Flow ${index + 1} (${connectors.map((connector) => connector.displayName).join(", ")})`,
      userType: "Owner",
      state: "Started",
      createdTime: "2024-01-01T00:00:00.0000000Z",
      lastModifiedTime: "2024-02-01T00:00:00.0000000Z",
      creator: { tenantId: spec.tenantId, objectId: creator, userId: creator, userType: "ActiveDirectory" },
      environment: {
        name: environmentId,
        type: "Microsoft.ProcessSimple/environments",
        id: `/providers/Microsoft.ProcessSimple/environments/${environmentId}`,
      },
      connectionReferences,
      definitionSummary: {
        triggers: [{ type: "Recurrence" }],
        actions: connectors.map((connector) => ({
          type: "OpenApiConnection",
          swaggerOperationId: "Get",
          api: { id: `${API}${connector.name}`, name: connector.name },
        })),
      },
    },
  };
}

export function generateInventory(spec: InventorySpec): GeneratedInventory {
  const next = seededRandom(spec.seed ?? 42);
  const apps: Record<string, JsonObject[]> = {};
  const flows: Record<string, JsonObject[]> = {};
  const count = (): number => 1 + Math.floor(next() * 4);
  for (const environmentId of spec.environmentIds) {
    const id = environmentId.toLowerCase();
    apps[id] = Array.from({ length: spec.appsPerEnvironment }, (_, index) =>
      app(id, index, pick(spec.connectors, count(), next), spec, next),
    );
    flows[id] = Array.from({ length: spec.flowsPerEnvironment }, (_, index) =>
      flow(id, index, pick(spec.connectors, count(), next), spec, next),
    );
  }
  return { apps, flows };
}
