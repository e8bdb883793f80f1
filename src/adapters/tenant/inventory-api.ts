/**
 * Admin app and flow inventory for DLP impact analysis: every app of an environment with its
 * connection references (PowerApps admin API), every flow (Flow admin API, v2 list) and, for flows
 * whose summary lacks them, the flow itself for its connection references. Follows every nextLink
 * (no 2,000-item cap), keeps requests bounded, and stops at a time budget, saying which environments
 * it did not finish instead of failing the plan.
 */
import type { Inventory, InventoryItem } from "../../core/impact/types.js";
import { createLimiter } from "./concurrency.js";
import type { HttpClient } from "./http-client.js";
import { pages } from "./paging.js";

// The two listings follow different sources: apps the TF provider (BAP_API_VERSION), flows the PowerShell module.
const APPS_API_VERSION = "api-version=2023-06-01";
const FLOWS_API_VERSION = "api-version=2016-11-01";

export interface InventoryReadOptions {
  /** Requests in flight at most, per kind of request (lists, flow details). */
  concurrency: number;
  /** Time budget for the whole read, in ms. */
  budgetMs: number;
  now?: () => number;
}

interface WireConnectionReference {
  id?: string;
  apiName?: string;
}

interface WireInventoryObject {
  name: string;
  properties?: {
    displayName?: string;
    owner?: { displayName?: string; email?: string };
    creator?: { objectId?: string; userId?: string };
    connectionReferences?: Record<string, WireConnectionReference> | null;
  };
}

class BudgetSpent extends Error {}

/** Connector names (last path segment of the api id), lower-cased, de-duplicated, sorted. */
export function connectorsOf(
  references: Record<string, WireConnectionReference> | null | undefined,
): string[] {
  const names = new Set<string>();
  for (const reference of Object.values(references ?? {})) {
    const source = reference.id ?? reference.apiName;
    if (typeof source !== "string" || source === "") continue;
    const segment = source
      .split("/")
      .filter((part) => part !== "")
      .pop();
    if (segment !== undefined) names.add(segment.toLowerCase());
  }
  return [...names].sort();
}

function item(kind: "app" | "flow", environmentId: string, wire: WireInventoryObject): InventoryItem {
  const owner =
    wire.properties?.owner?.displayName ??
    wire.properties?.owner?.email ??
    wire.properties?.creator?.objectId;
  return {
    kind,
    id: wire.name,
    displayName: wire.properties?.displayName ?? wire.name,
    environmentId,
    connectors: connectorsOf(wire.properties?.connectionReferences),
    ...(owner === undefined ? {} : { owner }),
  };
}

export class InventoryApi {
  constructor(private readonly http: HttpClient) {}

  async read(environmentIds: readonly string[], options: InventoryReadOptions): Promise<Inventory> {
    const now = options.now ?? (() => Date.now());
    const deadline = now() + options.budgetMs;
    const checkBudget = (): void => {
      if (now() > deadline) throw new BudgetSpent();
    };
    const lists = createLimiter(options.concurrency);
    const details = createLimiter(options.concurrency);
    const items: InventoryItem[] = [];
    const environmentsRead: string[] = [];
    const environmentsNotRead: Inventory["environmentsNotRead"] = [];
    const budgetText = `time budget of ${Math.round(options.budgetMs / 100) / 10} s spent`;

    await Promise.all(
      [...new Set(environmentIds.map((id) => id.toLowerCase()))].map((environmentId) =>
        lists(async () => {
          try {
            checkBudget();
            const found = [
              ...(await this.apps(environmentId, checkBudget)),
              ...(await this.flows(environmentId, checkBudget, details)),
            ];
            items.push(...found);
            environmentsRead.push(environmentId);
          } catch (error) {
            environmentsNotRead.push({
              environmentId,
              reason:
                error instanceof BudgetSpent
                  ? budgetText
                  : error instanceof Error
                    ? error.message
                    : String(error),
            });
          }
        }),
      ),
    );
    return {
      items: items.sort((a, b) =>
        a.environmentId === b.environmentId
          ? a.id < b.id
            ? -1
            : a.id > b.id
              ? 1
              : 0
          : a.environmentId < b.environmentId
            ? -1
            : 1,
      ),
      environmentsRead: environmentsRead.sort(),
      environmentsNotRead: environmentsNotRead.sort((a, b) => (a.environmentId < b.environmentId ? -1 : 1)),
    };
  }

  private async apps(environmentId: string, checkBudget: () => void): Promise<InventoryItem[]> {
    const found: InventoryItem[] = [];
    const path = `/providers/Microsoft.PowerApps/scopes/admin/environments/${encodeURIComponent(environmentId)}/apps`;
    for await (const page of pages<WireInventoryObject>(this.http, {
      method: "GET",
      api: "powerapps",
      path: `${path}?${APPS_API_VERSION}`,
      // Source: TF provider internal/services/powerapps/api_powerapps.go
      endpoint: "GET /providers/Microsoft.PowerApps/scopes/admin/environments/{environment}/apps",
      expect: [200],
      schema: "inventoryObjectList",
    })) {
      for (const wire of page) found.push(item("app", environmentId, wire));
      checkBudget();
    }
    return found;
  }

  private async flows(
    environmentId: string,
    checkBudget: () => void,
    details: <R>(task: () => Promise<R>) => Promise<R>,
  ): Promise<InventoryItem[]> {
    const base = `/providers/Microsoft.ProcessSimple/scopes/admin/environments/${encodeURIComponent(environmentId)}`;
    const pending: Promise<InventoryItem>[] = [];
    try {
      await this.listFlows(base, environmentId, checkBudget, details, pending);
    } finally {
      // Settle every detail GET already started, so none is left running or rejecting unobserved.
      await Promise.allSettled(pending);
    }
    const found: InventoryItem[] = [];
    for (const result of await Promise.allSettled(pending)) {
      if (result.status === "rejected") throw result.reason;
      found.push(result.value);
    }
    return found;
  }

  private async listFlows(
    base: string,
    environmentId: string,
    checkBudget: () => void,
    details: <R>(task: () => Promise<R>) => Promise<R>,
    pending: Promise<InventoryItem>[],
  ): Promise<void> {
    for await (const page of pages<WireInventoryObject>(this.http, {
      method: "GET",
      api: "flow",
      path: `${base}/v2/flows?${FLOWS_API_VERSION}`,
      // Source: PowerApps admin PowerShell module (Get-AdminFlow); body unverified (docs/emulator.md)
      endpoint: "GET /providers/Microsoft.ProcessSimple/scopes/admin/environments/{environment}/v2/flows",
      expect: [200],
      schema: "inventoryObjectList",
    })) {
      for (const summary of page) {
        // The v2 list carries no connection references: each flow's own GET has them.
        if (summary.properties?.connectionReferences != null) {
          pending.push(Promise.resolve(item("flow", environmentId, summary)));
          continue;
        }
        const detail = details(async () => {
          checkBudget();
          const response = await this.http.send<WireInventoryObject>({
            method: "GET",
            api: "flow",
            path: `${base}/flows/${encodeURIComponent(summary.name)}?${FLOWS_API_VERSION}`,
            // Source: PowerApps admin PowerShell module (Get-AdminFlow); body unverified (docs/emulator.md)
            endpoint:
              "GET /providers/Microsoft.ProcessSimple/scopes/admin/environments/{environment}/flows/{flow}",
            expect: [200],
            schema: "inventoryObject",
          });
          return item("flow", environmentId, response.body);
        });
        // Marked handled now: a rejection while the list is still paging must not be "unhandled".
        detail.catch(() => undefined);
        pending.push(detail);
      }
      checkBudget();
    }
  }
}

/** The app layer's InventoryReader (src/app/impact.ts) over this API. */
export function createInventoryReader(
  http: HttpClient,
  options: InventoryReadOptions,
): { read(environmentIds: readonly string[]): Promise<Inventory> } {
  const api = new InventoryApi(http);
  return { read: (environmentIds) => api.read(environmentIds, options) };
}
