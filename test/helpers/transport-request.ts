import type { TransportRequest } from "../../src/adapters/tenant/transport.js";

/** A GET as the HTTP client hands it to a transport: JSON accepted, 1 MiB limit, never aborted. */
export function transportGet(url: string, extra: Partial<TransportRequest> = {}): TransportRequest {
  return {
    url: new URL(url),
    method: "GET",
    headers: { Accept: "application/json" },
    signal: new AbortController().signal,
    maxResponseBytes: 1024 * 1024,
    ...extra,
  };
}
