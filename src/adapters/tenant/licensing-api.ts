/**
 * Power Platform API licensing (wire-formats §8.1–§8.3): billing policies and their environments,
 * environment currency allocations, tenant capacity and the tenant's currency pool.
 */
import type {
  BillingPolicyCreateBody,
  BillingPolicyUpdateBody,
  CurrencyAllocation,
  CurrencyPoolEntry,
  WireBillingPolicy,
  WireBillingPolicyEnvironmentLink,
  WireEnvironmentAllocations,
  WireTenantCapacity,
} from "../../core/wire/types.js";
import { PpgovError } from "../../core/errors.js";
import { DEFAULT_READ_CONCURRENCY, mapWithConcurrency } from "./concurrency.js";
import { parseServiceError, TenantApiError } from "./errors.js";
import type { HttpClient } from "./http-client.js";
import { collectAll } from "./paging.js";
import { queryString, seg } from "./query.js";

const V_LICENSING = "2022-03-01-preview";
const FINAL_BILLING_STATUSES = new Set(["Enabled", "Disabled"]);

export interface LicensingApiOptions {
  /** Poll interval while a billing policy is `Provisioning`. Default 10 s. */
  billingPollIntervalMs?: number;
  /** Give up waiting for a final billing policy status after this long. Default 10 min. */
  billingDeadlineMs?: number;
  /** Parallel allocation reads. Default 16 (DEFAULT_READ_CONCURRENCY). */
  concurrency?: number;
}

export class LicensingApi {
  constructor(
    private readonly http: HttpClient,
    private readonly options: LicensingApiOptions = {},
  ) {}

  // -------------------------------------------------------------------------------------------------
  // Billing policies

  listBillingPolicies(): Promise<WireBillingPolicy[]> {
    return collectAll<WireBillingPolicy>(this.http, {
      method: "GET",
      api: "ppapi",
      path: `/licensing/billingPolicies${queryString({ "api-version": V_LICENSING })}`,
      endpoint: "GET /licensing/billingPolicies",
      expect: [200],
      schema: "billingPolicyList",
    });
  }

  async getBillingPolicy(id: string): Promise<WireBillingPolicy | undefined> {
    const response = await this.http.send<WireBillingPolicy>({
      method: "GET",
      api: "ppapi",
      path: `/licensing/billingPolicies/${seg(id)}${queryString({ "api-version": V_LICENSING })}`,
      endpoint: "GET /licensing/billingPolicies/{id}",
      expect: [200, 404],
      schema: "billingPolicy",
    });
    return response.status === 404 ? undefined : response.body;
  }

  /** Creates a policy (201) and waits until its status is final (a new policy may be `Provisioning`). */
  async createBillingPolicy(body: BillingPolicyCreateBody): Promise<WireBillingPolicy> {
    const response = await this.http.send<WireBillingPolicy>({
      method: "POST",
      api: "ppapi",
      path: `/licensing/BillingPolicies${queryString({ "api-version": V_LICENSING })}`,
      endpoint: "POST /licensing/BillingPolicies",
      body,
      expect: [200, 201],
      schema: "billingPolicy",
    });
    return this.awaitFinalStatus(response.body);
  }

  async updateBillingPolicy(id: string, body: BillingPolicyUpdateBody): Promise<WireBillingPolicy> {
    const response = await this.http.send<WireBillingPolicy>({
      method: "PUT",
      api: "ppapi",
      path: `/licensing/billingPolicies/${seg(id)}${queryString({ "api-version": V_LICENSING })}`,
      endpoint: "PUT /licensing/billingPolicies/{id}",
      body,
      expect: [200],
      schema: "billingPolicy",
    });
    return this.awaitFinalStatus(response.body);
  }

  async deleteBillingPolicy(id: string): Promise<void> {
    await this.http.send<unknown>({
      method: "DELETE",
      api: "ppapi",
      path: `/licensing/BillingPolicies/${seg(id)}${queryString({ "api-version": V_LICENSING })}`,
      endpoint: "DELETE /licensing/BillingPolicies/{id}",
      expect: [200, 202, 204, 404],
    });
  }

  /** Lower-case ids of the environments linked to a policy (the licensing API is the source of truth, §3.2). */
  async listBillingPolicyEnvironments(policyId: string): Promise<string[]> {
    const links = await collectAll<WireBillingPolicyEnvironmentLink>(this.http, {
      method: "GET",
      api: "ppapi",
      path: `/licensing/billingPolicies/${seg(policyId)}/environments${queryString({ "api-version": V_LICENSING })}`,
      endpoint: "GET /licensing/billingPolicies/{id}/environments",
      expect: [200],
      schema: "billingPolicyEnvironmentList",
    });
    return links.map((link) => link.environmentId.toLowerCase());
  }

  /** Links environments to a policy. Adding an already linked environment is harmless: idempotent. */
  addBillingPolicyEnvironments(policyId: string, environmentIds: readonly string[]): Promise<void> {
    return this.changeLinks(policyId, "add", environmentIds);
  }

  removeBillingPolicyEnvironments(policyId: string, environmentIds: readonly string[]): Promise<void> {
    return this.changeLinks(policyId, "remove", environmentIds);
  }

  // -------------------------------------------------------------------------------------------------
  // Currency allocations and capacity

  /** An environment's currency allocations; none allocated (404 EnvironmentAllocationNotFound) is an empty list. */
  async getEnvironmentAllocations(environmentId: string): Promise<CurrencyAllocation[]> {
    const spec = {
      method: "GET" as const,
      api: "ppapi" as const,
      path: `/licensing/environments/${seg(environmentId)}/allocations${queryString({ "api-version": V_LICENSING })}`,
      endpoint: "GET /licensing/environments/{id}/allocations",
      expect: [200, 404],
    };
    const response = await this.http.send<unknown>(spec);
    if (response.status === 404) {
      const code = parseServiceError(response.body).code;
      if (code === undefined || code === "EnvironmentAllocationNotFound") return [];
      throw new TenantApiError({
        status: 404,
        method: "GET",
        path: response.url.pathname,
        serviceCode: code,
        serviceMessage: parseServiceError(response.body).message,
        retryable: false,
      });
    }
    return this.checkAllocations(spec.endpoint, response.body);
  }

  /** Allocations of many environments (bounded parallel GETs), keyed by lower-case environment id. */
  async getAllocationsForEnvironments(
    environmentIds: readonly string[],
  ): Promise<Map<string, CurrencyAllocation[]>> {
    const lists = await mapWithConcurrency(
      environmentIds,
      this.options.concurrency ?? DEFAULT_READ_CONCURRENCY,
      (id) => this.getEnvironmentAllocations(id),
    );
    return new Map(environmentIds.map((id, index) => [id.toLowerCase(), lists[index] ?? []]));
  }

  /** Sets an environment's allocations (the listed currency types; others are left as they are). Idempotent. */
  async setEnvironmentAllocations(
    environmentId: string,
    allocations: CurrencyAllocation[],
  ): Promise<CurrencyAllocation[]> {
    const endpoint = "PATCH /licensing/environments/{id}/allocations";
    const response = await this.http.send<unknown>({
      method: "PATCH",
      api: "ppapi",
      path: `/licensing/environments/${seg(environmentId)}/allocations${queryString({ "api-version": V_LICENSING })}`,
      endpoint,
      body: { currencyAllocations: allocations },
      expect: [200, 202, 204],
    });
    return response.body === undefined ? allocations : this.checkAllocations(endpoint, response.body);
  }

  async getTenantCapacity(): Promise<WireTenantCapacity> {
    const response = await this.http.send<WireTenantCapacity>({
      method: "GET",
      api: "ppapi",
      path: `/licensing/tenantCapacity${queryString({ "api-version": V_LICENSING })}`,
      endpoint: "GET /licensing/tenantCapacity",
      expect: [200],
      schema: "tenantCapacity",
    });
    return response.body;
  }

  /**
   * What the tenant owns per currency type (its currency pool), from the allocationsV2 availability
   * report (api-version 2024-10-01, §8.3).
   */
  async getCurrencyPool(): Promise<CurrencyPoolEntry[]> {
    const response = await this.http.send<unknown>({
      method: "GET",
      api: "ppapi",
      path: `/licensing/allocationsV2/availability${queryString({ "api-version": "2024-10-01" })}`,
      endpoint: "GET /licensing/allocationsV2/availability",
      expect: [200],
      schema: "currencyAvailability",
    });
    return currencyPoolOf(response.body);
  }

  // -------------------------------------------------------------------------------------------------

  private async changeLinks(
    policyId: string,
    action: "add" | "remove",
    environmentIds: readonly string[],
  ): Promise<void> {
    if (environmentIds.length === 0) return;
    await this.http.send<unknown>({
      method: "POST",
      api: "ppapi",
      path: `/licensing/billingPolicies/${seg(policyId)}/environments/${action}${queryString({ "api-version": V_LICENSING })}`,
      endpoint: `POST /licensing/billingPolicies/{id}/environments/${action}`,
      body: { environmentIds: environmentIds.map((id) => id.toLowerCase()) },
      idempotent: true,
      expect: [200, 202, 204],
    });
  }

  /** Polls a policy whose status is transient (`Provisioning`) until Enabled/Disabled (§3.2). */
  async awaitFinalStatus(policy: WireBillingPolicy): Promise<WireBillingPolicy> {
    const interval = this.options.billingPollIntervalMs ?? 10_000;
    const deadline = this.http.now() + (this.options.billingDeadlineMs ?? 10 * 60_000);
    let current = policy;
    while (!FINAL_BILLING_STATUSES.has(current.status)) {
      if (this.http.now() + interval > deadline) {
        throw new PpgovError(
          "TENANT_LIFECYCLE_TIMEOUT",
          `billing policy "${current.name}" (${current.id}) is still ${current.status} after waiting; check it in the admin center`,
        );
      }
      await this.http.sleep(interval);
      const next = await this.getBillingPolicy(current.id);
      if (next === undefined) {
        throw new PpgovError(
          "TENANT_LIFECYCLE_FAILED",
          `billing policy "${current.name}" (${current.id}) disappeared while provisioning`,
        );
      }
      current = next;
    }
    return current;
  }

  /** Allocations come as `{currencyAllocations}`, and some deployments wrap them in `value` or send the bare array. */
  private checkAllocations(endpoint: string, body: unknown): CurrencyAllocation[] {
    const normalised = normaliseAllocations(body);
    const problem = this.http.validate("environmentAllocations", normalised);
    if (problem !== undefined) {
      throw new PpgovError("TENANT_UNEXPECTED_RESPONSE", `unexpected response from ${endpoint}: ${problem}`);
    }
    return (normalised as WireEnvironmentAllocations).currencyAllocations;
  }
}

function normaliseAllocations(body: unknown): unknown {
  if (Array.isArray(body)) return { currencyAllocations: body };
  if (typeof body === "object" && body !== null && !("currencyAllocations" in body) && "value" in body) {
    return { currencyAllocations: body.value };
  }
  return body;
}

/** The currency pool from the availability report: one entry per currency type. */
function currencyPoolOf(body: unknown): CurrencyPoolEntry[] {
  const entries = Array.isArray(body) ? body : ((body as { value?: unknown[] }).value ?? []);
  return entries.map((raw) => {
    const entry = raw as Record<string, unknown>;
    const owned = firstNumber(entry, ["owned", "total", "purchased", "capacity"]) ?? 0;
    const allocated = firstNumber(entry, ["allocated", "consumed"]);
    return {
      currencyType: typeof entry.currencyType === "string" ? entry.currencyType : "",
      owned,
      ...(allocated === undefined ? {} : { allocated }),
    };
  });
}

function firstNumber(entry: Record<string, unknown>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = entry[key];
    if (typeof value === "number") return value;
  }
  return undefined;
}
