/**
 * Power Platform API licensing: billing policies and their environments, environment currency
 * allocations, tenant capacity and what is free to allocate (Learn's Power Platform REST reference,
 * "Licensing" operation group; for billing policies also the Terraform provider's billing policy resource).
 */
import type {
  BillingPolicyCreateBody,
  BillingPolicyUpdateBody,
  CurrencyAllocation,
  WireBillingPolicy,
  WireAllocationAvailability,
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
const V_ALLOCATIONS_V2 = "2024-10-01";
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
      // Source: TF provider internal/services/licensing/api_licensing.go
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
      // Source: TF provider internal/services/licensing/api_licensing.go
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
      // Source: TF provider internal/services/licensing/api_licensing.go
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
      // Source: TF provider internal/services/licensing/api_licensing.go
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
      // Source: TF provider internal/services/licensing/api_licensing.go
      endpoint: "DELETE /licensing/BillingPolicies/{id}",
      expect: [200, 202, 204, 404],
    });
  }

  /**
   * Lower-case ids of the environments linked to a policy (the licensing API is the source of truth, TF
   * internal/services/licensing/api_licensing.go).
   */
  async listBillingPolicyEnvironments(policyId: string): Promise<string[]> {
    const links = await collectAll<WireBillingPolicyEnvironmentLink>(this.http, {
      method: "GET",
      api: "ppapi",
      path: `/licensing/billingPolicies/${seg(policyId)}/environments${queryString({ "api-version": V_LICENSING })}`,
      // Source: TF provider internal/services/licensing/api_licensing.go
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
      // Source: Learn "Currency Allocation - Get Currency Allocation By Environment"
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
      // Source: Learn "Currency Allocation - Patch Currency Allocation By Environment"
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
      // Source: TF provider internal/services/capacity/api_capacity.go
      endpoint: "GET /licensing/tenantCapacity",
      expect: [200],
      schema: "tenantCapacity",
    });
    return response.body;
  }

  /**
   * Units still free to allocate to one environment, per entitlement (currency type). Learn, "Allocation
   * - Get Allocations Availability V2"; the environment filter is required in practice (the service is
   * reported to answer 400 "Invalid filter options" without one), so there is no tenant-wide form.
   * Entitlements the answer leaves out have nothing free.
   */
  async getAllocationAvailability(
    environmentId: string,
    entitlementIds: readonly string[],
  ): Promise<Record<string, number>> {
    const endpoint = "GET /licensing/allocationsV2/availability";
    const response = await this.http.send<WireAllocationAvailability>({
      method: "GET",
      api: "ppapi",
      path: `/licensing/allocationsV2/availability${queryString({
        "api-version": V_ALLOCATIONS_V2,
        $filter: availabilityFilter(environmentId, entitlementIds),
      })}`,
      // Source: Learn "Allocation - Get Allocations Availability V2"
      endpoint,
      expect: [200],
      schema: "allocationAvailability",
    });
    const free: Record<string, number> = Object.fromEntries(entitlementIds.map((id) => [id, 0]));
    for (const entry of response.body.entitlementAllocationsAvailable) {
      const wanted = entitlementIds.find((id) => id.toLowerCase() === entry.entitlementId.toLowerCase());
      if (wanted === undefined) continue;
      if (!Number.isFinite(entry.availableQuantity) || entry.availableQuantity < 0)
        throw new PpgovError(
          "TENANT_UNEXPECTED_RESPONSE",
          `unexpected response from ${endpoint}: availableQuantity of ${entry.entitlementId} is ${entry.availableQuantity}, expected a number >= 0`,
        );
      free[wanted] = entry.availableQuantity;
    }
    return free;
  }

  /** The availability of several environments (bounded parallel GETs), keyed by lower-case environment id. */
  async getAllocationAvailabilityForEnvironments(
    environmentIds: readonly string[],
    entitlementIds: readonly string[],
  ): Promise<Record<string, Record<string, number>>> {
    const answers = await mapWithConcurrency(
      environmentIds,
      this.options.concurrency ?? DEFAULT_READ_CONCURRENCY,
      (id) => this.getAllocationAvailability(id, entitlementIds),
    );
    return Object.fromEntries(environmentIds.map((id, index) => [id.toLowerCase(), answers[index] ?? {}]));
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
      // Source: TF provider internal/services/licensing/api_licensing.go
      endpoint: `POST /licensing/billingPolicies/{id}/environments/${action}`,
      body: { environmentIds: environmentIds.map((id) => id.toLowerCase()) },
      idempotent: true,
      expect: [200, 202, 204],
    });
  }

  /**
   * Polls a policy whose status is transient (`Provisioning`) until Enabled/Disabled (TF
   * internal/services/licensing/api_licensing.go).
   */
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

/**
 * `environmentId eq '<id>' and EntitlementId in ('A','B')`, the form Learn's Copilot credits tutorial
 * uses. OData string literals double their single quotes.
 */
export function availabilityFilter(environmentId: string, entitlementIds: readonly string[]): string {
  const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
  const environment = `environmentId eq ${literal(environmentId.toLowerCase())}`;
  return entitlementIds.length === 0
    ? environment
    : `${environment} and EntitlementId in (${entitlementIds.map(literal).join(",")})`;
}
