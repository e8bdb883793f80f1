/**
 * The admin API ("BAP", `/providers/Microsoft.BusinessAppPlatform`): environments, their lifecycle
 * operations, environment groups, reference lists and tenant settings (TF internal/services/environment,
 * environment_groups, tenant_settings).
 */
import type {
  EnvironmentCreateBody,
  EnvironmentGroupBody,
  EnvironmentPatchBody,
  GovernanceConfiguration,
  ModifySkuBody,
  ProvisionInstanceBody,
  WireEnvironment,
  WireEnvironmentCurrency,
  WireEnvironmentGroup,
  WireEnvironmentLanguage,
  WireLocation,
  WireRuleSet,
  WireTenantDescriptor,
  WireTenantSettings,
} from "../../core/wire/types.js";
import { PpgovError } from "../../core/errors.js";
import type { HttpClient, HttpResponse, RequestSpec } from "./http-client.js";
import {
  awaitLifecycle,
  awaitProvisioning,
  DELETE_RESENDS,
  resendWhileFailed,
  retryUnlessAlreadyDone,
  retryWhileBusy,
  type LifecycleOptions,
  type LifecycleResult,
} from "./lifecycle.js";
import { collectAll, items } from "./paging.js";
import { queryString, seg } from "./query.js";

const BAP = "/providers/Microsoft.BusinessAppPlatform";
/** GET, list, create, delete, locations. */
const V2023 = "2023-06-01";
/**
 * PATCH (pinned on purpose, TF internal/services/environment/api_environment.go), modifySku,
 * provisionInstance, governanceConfiguration, groups.
 */
const V2021 = "2021-04-01";

const LIST_EXPAND = "properties/billingPolicy,properties/copilotPolicies";
const GET_EXPAND = "permissions,properties.capacity,properties/billingPolicy,properties/copilotPolicies";

export interface AdminApiOptions {
  lifecycle?: Partial<LifecycleOptions>;
  /** How often a call refused with 409 OperationNotStartable (another operation running) is re-sent. Default 10. */
  busyRetries?: number;
  /** How often a DELETE whose lifecycle operation ended Failed is sent again. Default DELETE_RESENDS (10). */
  deleteResends?: number;
}

/**
 * After a PATCH: the management state has left Running. Usually it is "Ready"; recorded responses also
 * show "NotSpecified" on settled environments, so anything but Running counts.
 */
export function environmentSettled(environment: WireEnvironment): boolean {
  return environment.properties.states?.management?.id !== "Running";
}

/** After a create or provisionInstance that asked for Dataverse: its metadata is visible. */
export function dataverseVisible(environment: WireEnvironment): boolean {
  const url = environment.properties.linkedEnvironmentMetadata?.instanceUrl;
  return typeof url === "string" && url !== "";
}

export interface EnvironmentChangeResult extends LifecycleResult {
  /** The id of the environment (for create: from the lifecycle operation or the 201 body). */
  environmentId: string | undefined;
}

/** Typed calls to the admin API; every method maps to one documented endpoint (plus lifecycle polling). */
export class AdminApi {
  private readonly busyRetries: number;

  constructor(
    private readonly http: HttpClient,
    private readonly options: AdminApiOptions = {},
  ) {
    this.busyRetries = options.busyRetries ?? 10;
  }

  // -------------------------------------------------------------------------------------------------
  // Environments

  /** Every environment of the tenant, following `nextLink`. */
  listEnvironments(): Promise<WireEnvironment[]> {
    return collectAll<WireEnvironment>(
      this.http,
      this.listSpec({ $expand: LIST_EXPAND, "api-version": V2023 }),
    );
  }

  /** Environments page by page, for callers that stream. */
  iterateEnvironments(): AsyncGenerator<WireEnvironment, void, undefined> {
    return items<WireEnvironment>(this.http, this.listSpec({ $expand: LIST_EXPAND, "api-version": V2023 }));
  }

  /** The members of an environment group. */
  listEnvironmentsInGroup(groupId: string): Promise<WireEnvironment[]> {
    return collectAll<WireEnvironment>(
      this.http,
      this.listSpec({ $filter: `properties/parentEnvironmentGroup/id eq ${groupId}`, "api-version": V2021 }),
    );
  }

  /** One environment, or undefined when it does not exist. */
  async getEnvironment(id: string): Promise<WireEnvironment | undefined> {
    const response = await this.http.send<WireEnvironment>({
      method: "GET",
      api: "bap",
      path: `${BAP}/scopes/admin/environments/${seg(id)}${queryString({ $expand: GET_EXPAND, "api-version": V2023 })}`,
      // Source: TF provider internal/services/environment/api_environment.go
      endpoint: `GET ${BAP}/scopes/admin/environments/{id}`,
      expect: [200, 404],
      schema: "environment",
    });
    return response.status === 404 ? undefined : response.body;
  }

  /**
   * Creates an environment and waits for its lifecycle operation. Not retried on transient failures
   * (a create that timed out may have happened): the caller re-reads the tenant before trying again.
   */
  async createEnvironment(body: EnvironmentCreateBody): Promise<EnvironmentChangeResult> {
    const what = `create environment "${body.properties.displayName}"`;
    const response = await this.whenNotBusy(() =>
      this.http.send<{ name?: string } | undefined>({
        method: "POST",
        api: "bap",
        path: `${BAP}/environments${queryString({ "api-version": V2023 })}`,
        // Source: TF provider internal/services/environment/api_environment.go
        endpoint: `POST ${BAP}/environments`,
        body,
        expect: [200, 201, 202],
      }),
    );
    if (response.status !== 202) {
      // The synchronous variant answers with the environment (its id is `name`).
      return { operation: undefined, environmentId: response.body?.name };
    }
    return this.awaitChange(response, what);
  }

  /** PATCH (api-version 2021-04-01) and wait for the lifecycle operation. 204 = nothing changed. */
  async updateEnvironment(id: string, body: EnvironmentPatchBody): Promise<EnvironmentChangeResult> {
    const response = await this.whenNotBusy(() =>
      this.http.send<unknown>({
        method: "PATCH",
        api: "bap",
        path: `${BAP}/scopes/admin/environments/${seg(id)}${queryString({ "api-version": V2021 })}`,
        // Source: TF provider internal/services/environment/api_environment.go
        endpoint: `PATCH ${BAP}/scopes/admin/environments/{id}`,
        body,
        expect: [200, 202, 204],
      }),
    );
    return { ...(await this.awaitChange(response, `update environment ${id}`)), environmentId: id };
  }

  /**
   * Deletes an environment and waits; an environment that is already gone counts as deleted. A delete
   * whose lifecycle operation ends Failed is sent again, up to DELETE_RESENDS times.
   */
  async deleteEnvironment(id: string, reason = "Deleted by ppgov"): Promise<void> {
    await resendWhileFailed(
      this.http,
      async () => {
        const response = await this.whenNotBusy(
          () =>
            this.http.send<unknown>({
              method: "DELETE",
              api: "bap",
              path: `${BAP}/scopes/admin/environments/${seg(id)}${queryString({ "api-version": V2023 })}`,
              // Source: TF provider internal/services/environment/api_environment.go (DeleteEnvironment)
              endpoint: `DELETE ${BAP}/scopes/admin/environments/{id}`,
              body: { code: "7", message: reason },
              expect: [200, 202, 204, 404],
            }),
          { emptyConflictIsBusy: true },
        );
        if (response.status === 202) await this.awaitChange(response, `delete environment ${id}`);
      },
      { resends: this.options.deleteResends ?? DELETE_RESENDS, intervalMs: this.busyIntervalMs() },
    );
  }

  /** Changes the environment type (Sandbox ↔ Production …). Setting a SKU twice is harmless: idempotent. */
  async modifySku(id: string, body: ModifySkuBody): Promise<void> {
    const response = await this.whenNotBusy(() =>
      this.http.send<unknown>({
        method: "POST",
        api: "bap",
        path: `${BAP}/scopes/admin/environments/${seg(id)}/modifySku${queryString({ "api-version": V2021 })}`,
        // Source: TF provider internal/services/environment/api_environment.go
        endpoint: `POST ${BAP}/scopes/admin/environments/{id}/modifySku`,
        body,
        idempotent: true,
        expect: [200, 202, 204],
      }),
    );
    await this.awaitChange(response, `change the type of environment ${id} to ${body.environmentSku}`);
  }

  /**
   * Re-reads an environment until `ready` holds: a lifecycle operation that Succeeded is not always
   * visible yet (TF internal/services/environment/api_environment.go: management state still Running after a
   * PATCH, Dataverse metadata missing right after a create). Gives up with a clear error after `deadlineMs`.
   */
  async waitForEnvironment(
    id: string,
    ready: (environment: WireEnvironment) => boolean,
    what: string,
    deadlineMs = 10 * 60_000,
  ): Promise<WireEnvironment> {
    const interval = this.options.lifecycle?.pollIntervalMs ?? 10_000;
    const deadline = this.http.now() + deadlineMs;
    for (;;) {
      const environment = await this.getEnvironment(id);
      if (environment !== undefined && ready(environment)) return environment;
      if (this.http.now() + interval > deadline) {
        throw new PpgovError(
          "TENANT_LIFECYCLE_TIMEOUT",
          `environment ${id}: ${what} not visible after ${Math.round(deadlineMs / 1000)} s; it may still settle, check before running again`,
        );
      }
      await this.http.sleep(interval);
    }
  }

  /** Adds Dataverse to an existing environment and waits until it is provisioned. */
  async provisionInstance(id: string, body: ProvisionInstanceBody): Promise<void> {
    const response = await this.whenNotBusy(() =>
      this.http.send<unknown>({
        method: "POST",
        api: "bap",
        path: `${BAP}/environments/${seg(id)}/provisionInstance${queryString({ "api-version": V2021 })}`,
        // Source: TF provider internal/services/environment/api_environment.go
        endpoint: `POST ${BAP}/environments/{id}/provisionInstance`,
        body,
        expect: [200, 201, 202],
      }),
    );
    if (response.status === 202) {
      await awaitProvisioning(
        this.http,
        response,
        `add Dataverse to environment ${id}`,
        this.options.lifecycle,
      );
    }
  }

  /**
   * Managed-environment settings (protectionLevel Standard = managed, Basic = not). Idempotent. The
   * service answers 409 both while the environment is busy and when it already is as asked
   * (TF internal/services/managed_environment/api_managed_environment.go): after a 409 the environment is
   * read, and the call is done if it already matches, else sent again (up to the busy retries).
   */
  async setGovernanceConfiguration(id: string, body: GovernanceConfiguration): Promise<void> {
    const response = await retryUnlessAlreadyDone(
      this.http,
      () =>
        this.whenNotBusy(() =>
          this.http.send<unknown>({
            method: "POST",
            api: "bap",
            path: `${BAP}/environments/${seg(id)}/governanceConfiguration${queryString({ "api-version": V2021 })}`,
            // Source: TF provider internal/services/managed_environment/api_managed_environment.go
            endpoint: `POST ${BAP}/environments/{id}/governanceConfiguration`,
            body,
            idempotent: true,
            expect: [200, 202, 204],
          }),
        ),
      () => this.hasGovernanceConfiguration(id, body),
      { retries: this.busyRetries, intervalMs: this.busyIntervalMs() },
    );
    if (response !== undefined)
      await this.awaitChange(response, `set managed-environment settings of environment ${id}`);
  }

  /** Whether the environment already has the protection level and every extended setting of `body`. */
  async hasGovernanceConfiguration(id: string, body: GovernanceConfiguration): Promise<boolean> {
    const live = (await this.getEnvironment(id))?.properties.governanceConfiguration;
    if (live === null || live === undefined || live.protectionLevel !== body.protectionLevel) return false;
    if (body.protectionLevel !== "Standard") return true;
    const liveSettings: Record<string, unknown> = live.settings?.extendedSettings ?? {};
    return Object.entries(body.settings?.extendedSettings ?? {}).every(
      ([key, value]) => liveSettings[key] === value,
    );
  }

  // -------------------------------------------------------------------------------------------------
  // Environment groups

  listEnvironmentGroups(): Promise<WireEnvironmentGroup[]> {
    return collectAll<WireEnvironmentGroup>(this.http, {
      method: "GET",
      api: "bap",
      path: `${BAP}/environmentGroups${queryString({ "api-version": V2021 })}`,
      // Source: TF provider internal/services/environment_groups/api_environment_group.go
      endpoint: `GET ${BAP}/environmentGroups`,
      expect: [200],
      schema: "environmentGroupList",
    });
  }

  async getEnvironmentGroup(id: string): Promise<WireEnvironmentGroup | undefined> {
    const response = await this.http.send<WireEnvironmentGroup>({
      method: "GET",
      api: "bap",
      path: `${BAP}/environmentGroups/${seg(id)}${queryString({ "api-version": V2021 })}`,
      // Source: TF provider internal/services/environment_groups/api_environment_group.go
      endpoint: `GET ${BAP}/environmentGroups/{id}`,
      expect: [200, 404],
      schema: "environmentGroup",
    });
    return response.status === 404 ? undefined : response.body;
  }

  /** Creates a group (201). Not idempotent: not retried on transient failures. */
  async createEnvironmentGroup(body: EnvironmentGroupBody): Promise<WireEnvironmentGroup> {
    const response = await this.http.send<WireEnvironmentGroup>({
      method: "POST",
      api: "bap",
      path: `${BAP}/environmentGroups${queryString({ "api-version": V2021 })}`,
      // Source: TF provider internal/services/environment_groups/api_environment_group.go
      endpoint: `POST ${BAP}/environmentGroups`,
      body,
      expect: [200, 201],
      schema: "environmentGroup",
    });
    return response.body;
  }

  async updateEnvironmentGroup(id: string, body: EnvironmentGroupBody): Promise<WireEnvironmentGroup> {
    const response = await this.http.send<WireEnvironmentGroup>({
      method: "PUT",
      api: "bap",
      path: `${BAP}/environmentGroups/${seg(id)}${queryString({ "api-version": V2021 })}`,
      // Source: TF provider internal/services/environment_groups/api_environment_group.go
      endpoint: `PUT ${BAP}/environmentGroups/{id}`,
      body,
      expect: [200],
      schema: "environmentGroup",
    });
    return response.body;
  }

  /** Deletes a group; 409 (members or a rule set remain) surfaces as a TenantApiError with the service code. */
  async deleteEnvironmentGroup(id: string): Promise<void> {
    await this.http.send<unknown>({
      method: "DELETE",
      api: "bap",
      path: `${BAP}/environmentGroups/${seg(id)}${queryString({ "api-version": V2021 })}`,
      // Source: TF provider internal/services/environment_groups/api_environment_group.go
      endpoint: `DELETE ${BAP}/environmentGroups/{id}`,
      expect: [200, 202, 204, 404],
    });
  }

  /**
   * The rule set of an environment group, or undefined when it has none (204, an empty list, or 404).
   * Served by the tenant-sharded Power Platform API host, hence the tenant id.
   */
  async getEnvironmentGroupRuleSet(tenantId: string, groupId: string): Promise<WireRuleSet | undefined> {
    const path = `/governance/environmentGroups/${seg(groupId)}/ruleSets`;
    const response = await this.http.send<{ value: WireRuleSet[] } | undefined>({
      method: "GET",
      url: this.http.resolver.tenantUrl(
        tenantId,
        `${path}${queryString({ "api-version": "2021-10-01-preview" })}`,
      ),
      // Source: TF provider internal/services/environment_group_rule_set/api_environment_group_rule_set.go
      endpoint: "GET /governance/environmentGroups/{id}/ruleSets",
      expect: [200, 204, 404],
      schema: "ruleSetList",
    });
    return response.status === 200 ? response.body?.value[0] : undefined;
  }

  // -------------------------------------------------------------------------------------------------
  // Reference lists and tenant

  listLocations(): Promise<WireLocation[]> {
    return collectAll<WireLocation>(this.http, {
      method: "GET",
      api: "bap",
      path: `${BAP}/locations${queryString({ "api-version": V2023 })}`,
      // Source: TF provider internal/services/locations/api_locations.go
      endpoint: `GET ${BAP}/locations`,
      expect: [200],
      schema: "locationList",
    });
  }

  /** Currency codes available for Dataverse in a location (`name` is the code). */
  listCurrencies(location: string): Promise<WireEnvironmentCurrency[]> {
    return collectAll<WireEnvironmentCurrency>(this.http, {
      method: "GET",
      api: "bap",
      path: `${BAP}/locations/${seg(location)}/environmentCurrencies${queryString({ "api-version": V2023 })}`,
      // Source: TF provider internal/services/currencies/api_currencies.go
      endpoint: `GET ${BAP}/locations/{location}/environmentCurrencies`,
      expect: [200],
      schema: "environmentCurrencyList",
    });
  }

  /** Dataverse languages available in a location (`name` is the LCID as a string). */
  listLanguages(location: string): Promise<WireEnvironmentLanguage[]> {
    return collectAll<WireEnvironmentLanguage>(this.http, {
      method: "GET",
      api: "bap",
      path: `${BAP}/locations/${seg(location)}/environmentLanguages${queryString({ "api-version": V2023 })}`,
      // Source: TF provider internal/services/languages/api_languages.go
      endpoint: `GET ${BAP}/locations/{location}/environmentLanguages`,
      expect: [200],
      schema: "environmentLanguageList",
    });
  }

  /** The tenant descriptor (`tenantId`, `state`, geo fields). */
  async getTenant(): Promise<WireTenantDescriptor> {
    const response = await this.http.send<WireTenantDescriptor>({
      method: "GET",
      api: "bap",
      path: `${BAP}/tenant${queryString({ "api-version": V2021 })}`,
      // Source: TF provider internal/services/tenant/api_tenant.go
      endpoint: `GET ${BAP}/tenant`,
      expect: [200],
      schema: "tenant",
    });
    return response.body;
  }

  /** Tenant settings. A POST that only reads: safe to retry. */
  async listTenantSettings(): Promise<WireTenantSettings> {
    const response = await this.http.send<WireTenantSettings>({
      method: "POST",
      api: "bap",
      path: `${BAP}/listTenantSettings${queryString({ "api-version": V2023 })}`,
      // Source: TF provider internal/services/tenant_settings/api_tenant_settings.go
      endpoint: `POST ${BAP}/listTenantSettings`,
      body: {},
      idempotent: true,
      expect: [200],
      schema: "tenantSettings",
    });
    return response.body;
  }

  // -------------------------------------------------------------------------------------------------

  private listSpec(query: Record<string, string>): RequestSpec {
    return {
      method: "GET",
      api: "bap",
      path: `${BAP}/scopes/admin/environments${queryString(query)}`,
      // Source: TF provider internal/services/environment/api_environment.go; the group filter: TF provider internal/services/environment_groups/api_environment_group.go
      endpoint: `GET ${BAP}/scopes/admin/environments`,
      expect: [200],
      schema: "environmentList",
    };
  }

  private async awaitChange(response: HttpResponse<unknown>, what: string): Promise<EnvironmentChangeResult> {
    if (response.status !== 202) return { operation: undefined, environmentId: undefined };
    return awaitLifecycle(this.http, response, what, this.options.lifecycle);
  }

  private whenNotBusy<T>(
    call: () => Promise<HttpResponse<T>>,
    options: { emptyConflictIsBusy?: boolean } = {},
  ): Promise<HttpResponse<T>> {
    return retryWhileBusy(this.http, call, {
      retries: this.busyRetries,
      intervalMs: this.busyIntervalMs(),
      emptyConflictIsBusy: options.emptyConflictIsBusy ?? false,
    });
  }

  private busyIntervalMs(): number {
    return this.options.lifecycle?.pollIntervalMs ?? 10_000;
  }
}
