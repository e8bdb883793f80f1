import { PpgovError } from "../../core/errors.js";

export interface TenantApiErrorDetails {
  /** HTTP status; undefined when no response arrived (network error, timeout). */
  status: number | undefined;
  method: string;
  /** Request path without the query string. */
  path: string;
  /** Service error code from the body (`error.code`), e.g. "OperationNotStartable". */
  serviceCode?: string | undefined;
  serviceMessage?: string | undefined;
  /** The `x-ms-client-request-id` sent with the failing attempt. */
  requestId?: string | undefined;
  /** True when sending the same request again may succeed (throttling, transient failure). */
  retryable: boolean;
}

/**
 * A call to a tenant API failed. The message names the request and the service's own code and
 * message; it never contains tokens (none are ever put in it).
 */
export class TenantApiError extends PpgovError {
  readonly status: number | undefined;
  readonly method: string;
  readonly path: string;
  readonly serviceCode: string | undefined;
  readonly serviceMessage: string | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;

  constructor(
    details: TenantApiErrorDetails,
    options?: { code?: string; message?: string; cause?: unknown },
  ) {
    super(options?.code ?? "TENANT_API", options?.message ?? describe(details), { cause: options?.cause });
    this.status = details.status;
    this.method = details.method;
    this.path = details.path;
    this.serviceCode = details.serviceCode;
    this.serviceMessage = details.serviceMessage;
    this.requestId = details.requestId;
    this.retryable = details.retryable;
  }
}

function describe(details: TenantApiErrorDetails): string {
  const status = details.status === undefined ? "no response" : `HTTP ${details.status}`;
  const service =
    details.serviceCode === undefined
      ? (details.serviceMessage ?? "")
      : `${details.serviceCode}${details.serviceMessage === undefined ? "" : `: ${details.serviceMessage}`}`;
  const request = details.requestId === undefined ? "" : ` (request id ${details.requestId})`;
  return `${details.method} ${details.path} failed with ${status}${service === "" ? "" : ` ${service}`}${request}`;
}

/** The `{code, message}` of an error body in any BAP, PP API or Graph error shape; tolerant of junk. */
export function parseServiceError(body: unknown): { code?: string; message?: string } {
  if (typeof body !== "object" || body === null) return {};
  const record = body as Record<string, unknown>;
  const inner = record.error;
  if (typeof inner === "object" && inner !== null) {
    const error = inner as Record<string, unknown>;
    const details = Array.isArray(error.details) ? (error.details as unknown[]) : [];
    const detailMessages = details
      .map((d) => (typeof d === "object" && d !== null ? (d as Record<string, unknown>).message : undefined))
      .filter((m): m is string => typeof m === "string");
    const message = typeof error.message === "string" ? error.message : undefined;
    return {
      ...(typeof error.code === "string" ? { code: error.code } : {}),
      ...(message !== undefined || detailMessages.length > 0
        ? { message: [message, ...detailMessages].filter((m) => m !== undefined).join("; ") }
        : {}),
    };
  }
  // Some gateways answer {"code": "...", "message": "..."} or {"error": "text"}.
  return {
    ...(typeof record.code === "string" ? { code: record.code } : {}),
    ...(typeof record.message === "string"
      ? { message: record.message }
      : typeof inner === "string"
        ? { message: inner }
        : {}),
  };
}

/** The BAP 403 an unregistered service principal gets (TF internal/api/client.go). */
export function isNotManagementAppError(status: number, bodyText: string): boolean {
  return status === 403 && bodyText.toLowerCase().includes("does not have permission to access the path");
}

export const MANAGEMENT_APP_HINT =
  "the service principal is not registered as a Power Platform management application: register it once " +
  "with `pac admin application register --application-id <client id>` (or the PowerShell cmdlet " +
  "New-PowerAppManagementApp -ApplicationId <client id>), see docs/authentication.md";
