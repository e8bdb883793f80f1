/**
 * DLP (data) policies, PowerPlatform.Governance v2 (TF internal/services/dlp_policy): list (summaries), get
 * (full), create, whole-document PATCH, delete; and the unblockable / virtual connector lists. No
 * api-version.
 */
import type {
  DlpPolicyWriteBody,
  WireDlpPolicy,
  WireDlpPolicySummary,
  WireUnblockableConnector,
  WireVirtualConnector,
} from "../../core/wire/types.js";
import { DEFAULT_READ_CONCURRENCY, mapWithConcurrency } from "./concurrency.js";
import type { HttpClient } from "./http-client.js";
import { collectAll } from "./paging.js";
import { seg } from "./query.js";

const GOV = "/providers/PowerPlatform.Governance";

export class GovernanceApi {
  constructor(
    private readonly http: HttpClient,
    private readonly concurrency = DEFAULT_READ_CONCURRENCY,
  ) {}

  /** Policy summaries: no connector groups or rules (use getPolicy or listPoliciesFull for those). */
  listPolicySummaries(): Promise<WireDlpPolicySummary[]> {
    return collectAll<WireDlpPolicySummary>(this.http, {
      method: "GET",
      api: "bap",
      path: `${GOV}/v2/policies`,
      // Source: TF provider internal/services/dlp_policy/api_dlp_policy.go
      endpoint: `GET ${GOV}/v2/policies`,
      expect: [200],
      schema: "dlpPolicySummaryList",
    });
  }

  /** Every policy as a full document: the list, then one GET per policy with bounded parallelism. */
  async listPoliciesFull(): Promise<WireDlpPolicy[]> {
    const summaries = await this.listPolicySummaries();
    const full = await mapWithConcurrency(summaries, this.concurrency, (summary) =>
      this.getPolicy(summary.policyDefinition.name),
    );
    // A policy deleted between the list and its GET is simply gone.
    return full.filter((policy): policy is WireDlpPolicy => policy !== undefined);
  }

  async getPolicy(name: string): Promise<WireDlpPolicy | undefined> {
    const response = await this.http.send<WireDlpPolicy>({
      method: "GET",
      api: "bap",
      path: `${GOV}/v2/policies/${seg(name)}`,
      // Source: TF provider internal/services/dlp_policy/api_dlp_policy.go
      endpoint: `GET ${GOV}/v2/policies/{id}`,
      expect: [200, 404],
      schema: "dlpPolicy",
    });
    return response.status === 404 ? undefined : response.body;
  }

  /** Creates a policy (201; the server assigns `name`). Not retried on transient failures. */
  async createPolicy(body: DlpPolicyWriteBody): Promise<WireDlpPolicy> {
    const response = await this.http.send<WireDlpPolicy>({
      method: "POST",
      api: "bap",
      path: `${GOV}/v2/policies`,
      // Source: TF provider internal/services/dlp_policy/api_dlp_policy.go
      endpoint: `POST ${GOV}/v2/policies`,
      body,
      expect: [200, 201],
      schema: "dlpPolicy",
    });
    return response.body;
  }

  /** Replaces the whole policy (PATCH with the full document, 200). Older service versions answer 202/204. */
  async updatePolicy(name: string, body: DlpPolicyWriteBody): Promise<WireDlpPolicy | undefined> {
    const response = await this.http.send<WireDlpPolicy | undefined>({
      method: "PATCH",
      api: "bap",
      path: `${GOV}/v2/policies/${seg(name)}`,
      // Source: TF provider internal/services/dlp_policy/api_dlp_policy.go
      endpoint: `PATCH ${GOV}/v2/policies/{id}`,
      body: { ...body, policyDefinition: { ...body.policyDefinition, name } },
      expect: [200, 201, 202, 204],
      schema: "dlpPolicy",
    });
    return response.body;
  }

  /** Deletes a policy; one that is already gone counts as deleted. */
  async deletePolicy(name: string): Promise<void> {
    await this.http.send<unknown>({
      method: "DELETE",
      api: "bap",
      path: `${GOV}/v2/policies/${seg(name)}`,
      // Source: TF provider internal/services/dlp_policy/api_dlp_policy.go
      endpoint: `DELETE ${GOV}/v2/policies/{id}`,
      expect: [200, 202, 204, 404],
    });
  }

  /** Connectors that cannot be put in Blocked (a bare JSON array). */
  async listUnblockableConnectors(): Promise<WireUnblockableConnector[]> {
    const response = await this.http.send<WireUnblockableConnector[]>({
      method: "GET",
      api: "bap",
      path: `${GOV}/v1/connectors/metadata/unblockable`,
      // Source: TF provider internal/services/connectors/api_connectors.go
      endpoint: `GET ${GOV}/v1/connectors/metadata/unblockable`,
      expect: [200],
      schema: "unblockableConnectors",
    });
    return response.body;
  }

  /** Built-in connectors (HTTP, HTTP request received, …) that DLP can classify (a bare JSON array). */
  async listVirtualConnectors(): Promise<WireVirtualConnector[]> {
    const response = await this.http.send<WireVirtualConnector[]>({
      method: "GET",
      api: "bap",
      path: `${GOV}/v1/connectors/metadata/virtual`,
      // Source: TF provider internal/services/connectors/api_connectors.go
      endpoint: `GET ${GOV}/v1/connectors/metadata/virtual`,
      expect: [200],
      schema: "virtualConnectors",
    });
    return response.body;
  }
}
