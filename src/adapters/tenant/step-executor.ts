/**
 * Executes one plan step (a request the planner built as a value, placeholders already substituted)
 * with the tenant client: the right host and token, retries for idempotent steps, the step's wait
 * (lifecycle operation, Dataverse provisioning, billing policy status) and the id it produces.
 */
import { PpgovError } from "../../core/errors.js";
import type { StepRequest } from "../../core/kinds/resource-kind.js";
import type {
  GovernanceConfiguration,
  WireBillingPolicy,
  WireLifecycleOperation,
} from "../../core/wire/types.js";
import type { ApiName } from "./endpoints.js";
import type { HttpResponse, RequestSpec } from "./http-client.js";
import type { TenantClient } from "./tenant-client.js";
import {
  awaitLifecycle,
  awaitProvisioning,
  DELETE_RESENDS,
  journalLocation,
  resendWhileFailed,
  resumeLifecycle,
  resumeProvisioning,
  retryUnlessAlreadyDone,
  retryWhileBusy,
  type LifecycleOptions,
} from "./lifecycle.js";
import { awaitTenantIsolation } from "./tenant-isolation-api.js";

export interface StepOutcome {
  status: number;
  /** Parsed response body of the step's own request (not of the polls). */
  body: unknown;
  /** The id named by `step.produces`, when the step has one. */
  producedId?: string;
  /** The final lifecycle operation, for `async: "lifecycle"` steps that had one. */
  operation?: WireLifecycleOperation;
}

export interface ExecuteStepOptions {
  /** Needed for steps on the tenant-sharded Power Platform API host. */
  tenantId?: string;
  /** Re-sends of a BAP step refused with 409 OperationNotStartable. Default 10. */
  busyRetries?: number;
  /** Wait between those re-sends. Default 10 s. */
  busyIntervalMs?: number;
  /**
   * Called with the operation's URL when the service accepts a lifecycle or provisionInstance step (202),
   * before the first poll; polling starts once it resolves (the caller made the URL durable).
   */
  onAccepted?: (location: string) => Promise<void>;
  /** Polling of lifecycle operations (tests shorten it). */
  lifecycle?: Partial<LifecycleOptions>;
  /** Re-sends of a DELETE whose lifecycle operation ended Failed. Default DELETE_RESENDS (10). */
  deleteResends?: number;
}

/** What became of an operation an interrupted run started (see `resumeStep`). */
export type ResumedStep = { status: "finished"; producedId?: string } | { status: "gone" };

/** Step API names (planner vocabulary) → client API names. */
const API: Record<Exclude<StepRequest["api"], "powerplatform-tenant">, ApiName> = {
  bap: "bap",
  powerapps: "powerapps",
  powerplatform: "ppapi",
  graph: "graph",
};

export async function executeStep(
  client: TenantClient,
  step: StepRequest,
  options: ExecuteStepOptions = {},
): Promise<StepOutcome> {
  // A delete whose lifecycle operation ended Failed is sent again (DELETE_RESENDS, as the Terraform
  // provider does); sending a delete twice cannot make a second object. Nothing else is re-sent.
  if (step.method !== "DELETE" || step.async !== "lifecycle") return executeOnce(client, step, options);
  return resendWhileFailed(client.http, () => executeOnce(client, step, options), {
    resends: options.deleteResends ?? DELETE_RESENDS,
    intervalMs: options.busyIntervalMs ?? 10_000,
  });
}

async function executeOnce(
  client: TenantClient,
  step: StepRequest,
  options: ExecuteStepOptions,
): Promise<StepOutcome> {
  const http = client.http;
  const spec: RequestSpec = {
    method: step.method,
    endpoint: `${step.method} ${step.path.split("?")[0] ?? step.path}`,
    ...(step.body === undefined ? {} : { body: step.body }),
    expect: step.expect,
    idempotent: step.idempotent,
    ...(step.api === "powerplatform-tenant"
      ? { url: http.resolver.tenantUrl(requireTenantId(step, options.tenantId), step.path) }
      : { api: API[step.api], path: step.path }),
  };

  const send = (): Promise<HttpResponse<unknown>> => http.send<unknown>(spec);
  const busy = { retries: options.busyRetries ?? 10, intervalMs: options.busyIntervalMs ?? 10_000 };
  const sendBap = (): Promise<HttpResponse<unknown>> =>
    retryWhileBusy(http, send, { ...busy, emptyConflictIsBusy: step.method === "DELETE" });
  const governanceOf = governanceTarget(step);
  const response =
    governanceOf !== undefined
      ? await retryUnlessAlreadyDone(
          http,
          sendBap,
          () => client.admin.hasGovernanceConfiguration(governanceOf, step.body as GovernanceConfiguration),
          busy,
        )
      : step.api === "bap"
        ? await sendBap()
        : await send();
  // The environment already had these managed-environment settings (a 409 that means "as asked"):
  // nothing was started, so there is nothing to wait for.
  if (response === undefined) return { status: 409, body: undefined };

  const outcome: StepOutcome = { status: response.status, body: response.body };
  if (response.status === 202 && (step.async === "lifecycle" || step.async === "provisionInstance")) {
    const location = journalLocation(response);
    if (location !== undefined) await options.onAccepted?.(location);
  }
  switch (step.async) {
    case "lifecycle":
      if (response.status === 202) {
        const result = await awaitLifecycle(http, response, step.description, options.lifecycle);
        if (result.operation !== undefined) outcome.operation = result.operation;
        if (result.environmentId !== undefined) outcome.producedId = result.environmentId;
      }
      break;
    case "provisionInstance":
      if (response.status === 202)
        await awaitProvisioning(http, response, step.description, options.lifecycle);
      break;
    case "billingPolicyStatus":
      if (isBillingPolicy(response.body))
        outcome.body = await client.licensing.awaitFinalStatus(response.body);
      break;
    case "tenantIsolation":
      if (response.status === 202) await awaitTenantIsolation(http, response, step.description);
      break;
    case "none":
      break;
  }

  if (step.produces !== undefined && outcome.producedId === undefined) {
    const id = producedId(step, response.status, response.body);
    if (id === undefined) {
      throw new PpgovError(
        "TENANT_UNEXPECTED_RESPONSE",
        `unexpected response from ${spec.endpoint}: no ${step.produces.from} to identify ${step.produces.ref} (${step.description})`,
      );
    }
    outcome.producedId = id;
  }
  return outcome;
}

/**
 * Watches the operation an interrupted run started for `step` (its journaled `location`) to its end,
 * through the client's host checks, without sending the step again: "finished" with the new object's id
 * when the service names it, "gone" when the service no longer knows the operation. Throws
 * LifecycleFailedError when it ended Failed.
 */
export async function resumeStep(
  client: TenantClient,
  step: StepRequest,
  location: string,
  options: Pick<ExecuteStepOptions, "lifecycle"> = {},
): Promise<ResumedStep> {
  const what = `${step.description} (accepted by the service during an earlier, interrupted run)`;
  switch (step.async) {
    case "lifecycle": {
      const result = await resumeLifecycle(client.http, location, what, options.lifecycle);
      if (result === "gone") return { status: "gone" };
      return {
        status: "finished",
        ...(result.environmentId === undefined || step.produces === undefined
          ? {}
          : { producedId: result.environmentId }),
      };
    }
    case "provisionInstance": {
      const result = await resumeProvisioning(client.http, location, what, options.lifecycle);
      return result === "gone" ? { status: "gone" } : { status: "finished" };
    }
    default:
      // Only lifecycle and provisionInstance steps journal an operation URL.
      return { status: "gone" };
  }
}

/** The environment id of a managed-environment settings step (POST …/environments/{id}/governanceConfiguration). */
function governanceTarget(step: StepRequest): string | undefined {
  if (step.api !== "bap" || step.method !== "POST") return undefined;
  const segment = /\/environments\/([^/?]+)\/governanceConfiguration(?:\?|$)/.exec(step.path)?.[1];
  // The path holds the id encoded (seg); the admin API encodes it again when it reads the environment.
  return segment === undefined ? undefined : decodeURIComponent(segment);
}

function producedId(step: StepRequest, status: number, body: unknown): string | undefined {
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  switch (step.produces?.from) {
    case "lifecycle.environment":
      // The synchronous create variant answers 201 with the environment; its id is `name` (TF
      // internal/services/environment/api_environment.go).
      return status === 200 || status === 201 ? nonEmpty(record.name) : undefined;
    case "body.id":
      return nonEmpty(record.id);
    case "body.policyDefinition.name": {
      const definition = record.policyDefinition;
      return typeof definition === "object" && definition !== null
        ? nonEmpty((definition as Record<string, unknown>).name)
        : undefined;
    }
    default:
      return undefined;
  }
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function isBillingPolicy(body: unknown): body is WireBillingPolicy {
  if (typeof body !== "object" || body === null) return false;
  const record = body as Record<string, unknown>;
  return typeof record.id === "string" && typeof record.status === "string";
}

function requireTenantId(step: StepRequest, tenantId: string | undefined): string {
  if (tenantId === undefined || tenantId === "") {
    throw new PpgovError(
      "TENANT_ID_MISSING",
      `step "${step.description}" calls the tenant-specific Power Platform API host, which needs the tenant id (set Tenant.spec.tenantId or AZURE_TENANT_ID)`,
    );
  }
  return tenantId;
}
