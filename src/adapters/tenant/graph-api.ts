/** Microsoft Graph license assignment (wire-formats §8.4): tenant SKUs, group licenses, assignLicense. */
import type { AssignLicenseBody, WireGraphGroup, WireSubscribedSku } from "../../core/wire/types.js";
import { PpgovError } from "../../core/errors.js";
import type { HttpClient } from "./http-client.js";
import { collectAll } from "./paging.js";
import { queryString, seg } from "./query.js";

/** The most directory objects (groups, users) Graph returns in one page (`$top`, 1–999). */
export const GRAPH_MAX_PAGE_SIZE = 999;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class GraphApi {
  constructor(private readonly http: HttpClient) {}

  /** The tenant's SKUs with seat counts (follows `@odata.nextLink`). */
  listSubscribedSkus(): Promise<WireSubscribedSku[]> {
    return collectAll<WireSubscribedSku>(this.http, {
      method: "GET",
      api: "graph",
      path: "/v1.0/subscribedSkus",
      // Source: Graph "List subscribedSkus"
      endpoint: "GET /v1.0/subscribedSkus",
      expect: [200],
      schema: "subscribedSkuList",
    });
  }

  /** A group's directly assigned licenses, or undefined when the group does not exist. */
  async getGroup(id: string): Promise<WireGraphGroup | undefined> {
    const response = await this.http.send<WireGraphGroup>({
      method: "GET",
      api: "graph",
      path: `/v1.0/groups/${seg(id)}${queryString({ $select: "id,displayName,assignedLicenses" })}`,
      // Source: Graph "Get group" ($select=assignedLicenses: "group resource type")
      endpoint: "GET /v1.0/groups/{id}",
      expect: [200, 404],
      schema: "graphGroup",
    });
    return response.status === 404 ? undefined : response.body;
  }

  /**
   * Every group that has licenses assigned: one `assignedLicenses/any(x:x/skuId eq {skuId})` list per
   * subscribed SKU (`skuIds`, else read here), merged by id. Graph's group resource documents
   * `assignedLicenses` with `$filter (eq)` as a default query, so no advanced-query parameters; the
   * `assignedLicenses/$count ne 0` form is documented for users only. 999 a page, Graph's largest.
   */
  async listLicensedGroups(skuIds?: readonly string[]): Promise<WireGraphGroup[]> {
    const skus = skuIds ?? (await this.listSubscribedSkus()).map((sku) => sku.skuId);
    const groups = new Map<string, WireGraphGroup>();
    for (const skuId of new Set(skus.map((id) => id.toLowerCase()))) {
      if (!GUID.test(skuId))
        throw new PpgovError(
          "TENANT_UNEXPECTED_RESPONSE",
          `unexpected response from GET /v1.0/subscribedSkus: skuId "${skuId.slice(0, 60)}" is not a GUID`,
        );
      const page = await collectAll<WireGraphGroup>(this.http, {
        method: "GET",
        api: "graph",
        path: `/v1.0/groups${queryString({
          $filter: `assignedLicenses/any(x:x/skuId eq ${skuId})`,
          $select: "id,displayName,assignedLicenses",
          $top: GRAPH_MAX_PAGE_SIZE,
        })}`,
        // Source: Graph "List groups"; "group resource type" (assignedLicenses: $filter (eq)); lambda form from "Use the $filter query parameter"
        endpoint: "GET /v1.0/groups",
        expect: [200],
        schema: "graphGroupList",
      });
      for (const group of page) groups.set(group.id.toLowerCase(), group);
    }
    return [...groups.values()];
  }

  /**
   * Direct members of a group (group-based licensing does not flow to nested groups), or undefined
   * when the service cannot count them (404).
   */
  async countGroupMembers(id: string): Promise<number | undefined> {
    const response = await this.http.send<number>({
      method: "GET",
      api: "graph",
      path: `/v1.0/groups/${seg(id)}/members/$count`,
      // Source: Graph "List group members" ($count with ConsistencyLevel: eventual)
      endpoint: "GET /v1.0/groups/{id}/members/$count",
      headers: { ConsistencyLevel: "eventual" },
      expect: [200, 404],
      schema: "count",
    });
    return response.status === 404 ? undefined : response.body;
  }

  /**
   * Adds and removes group licenses (202; Entra ID applies them to members in the background).
   * Assigning the same set twice gives the same result, so transient failures are retried.
   */
  async assignLicense(groupId: string, body: AssignLicenseBody): Promise<void> {
    await this.http.send<unknown>({
      method: "POST",
      api: "graph",
      path: `/v1.0/groups/${seg(groupId)}/assignLicense`,
      // Source: Graph "group: assignLicense"
      endpoint: "POST /v1.0/groups/{id}/assignLicense",
      body,
      idempotent: true,
      expect: [200, 202],
    });
  }
}
