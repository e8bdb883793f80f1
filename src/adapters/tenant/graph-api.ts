/**
 * Microsoft Graph license assignment (Graph "group: assignLicense", "List subscribedSkus"): tenant SKUs,
 * group licenses, assignLicense.
 */
import type { AssignLicenseBody, WireGraphGroup, WireSubscribedSku } from "../../core/wire/types.js";
import type { HttpClient } from "./http-client.js";
import { collectAll } from "./paging.js";
import { queryString, seg } from "./query.js";

/** The most directory objects (groups, users) Graph returns in one page (`$top`, 1–999). */
export const GRAPH_MAX_PAGE_SIZE = 999;

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
   * Every group that has licenses assigned, as Graph's "List groups" documents it (Example 7, "List any
   * groups with any licenses": `$select=id,assignedLicenses&$filter=assignedLicenses/any()`), a default
   * query: no ConsistencyLevel, so not eventually consistent. (`assignedLicenses/$count ne 0` is
   * documented for users only.) 999 a page, Graph's largest page of directory objects.
   */
  listLicensedGroups(): Promise<WireGraphGroup[]> {
    return collectAll<WireGraphGroup>(this.http, {
      method: "GET",
      api: "graph",
      path: `/v1.0/groups${queryString({
        $filter: "assignedLicenses/any()",
        $select: "id,displayName,assignedLicenses",
        $top: GRAPH_MAX_PAGE_SIZE,
      })}`,
      // Source: Graph "List groups" (Example 7); "group resource type" (assignedLicenses: $filter (eq))
      endpoint: "GET /v1.0/groups",
      expect: [200],
      schema: "graphGroupList",
    });
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
