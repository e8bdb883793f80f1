import type { LiveTenant } from "../plan/live-tenant.js";
import { API_VERSION, PRUNABLE_KINDS, type TenantSpec } from "../policy/types.js";
import { isGuid } from "./format.js";
import type { ExportComment, ExportedDocument, ExportOptions } from "./types.js";

/** The Tenant document: the tenant id, every prune off (said explicitly), and the ignore list carried over. */
export function tenantDocument(live: LiveTenant, options: ExportOptions): ExportedDocument {
  const spec: TenantSpec = {};
  if (live.tenantId !== undefined && isGuid(live.tenantId)) spec.tenantId = live.tenantId;
  if (options.cloud !== undefined && options.cloud !== "public") spec.cloud = options.cloud;
  spec.prune = Object.fromEntries(PRUNABLE_KINDS.map((kind) => [kind, false]));
  const comments: ExportComment[] = [
    {
      pointer: "/spec/prune",
      text: "Set a kind to true to delete its live objects that no document declares.",
      position: "before",
    },
  ];
  const ignore = [...new Set(options.ignore ?? [])];
  if (ignore.length > 0) {
    spec.ignore = ignore;
    comments.push({
      pointer: "/spec/ignore",
      text: "Live objects ppgov never touches: display-name globs or id:<guid>.",
      position: "before",
    });
  }
  return {
    path: "tenant.yaml",
    document: { apiVersion: API_VERSION, kind: "Tenant", metadata: { name: "tenant" }, spec },
    comments,
    liveId: "",
  };
}
