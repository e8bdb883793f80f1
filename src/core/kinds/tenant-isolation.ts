import type { IsolationDirection, TenantIsolationSpec, AllowedTenant } from "../policy/types.js";
import type { LiveTenantIsolation } from "../plan/live-tenant.js";
import type { WireAllowedTenant } from "../wire/types.js";
import { compact } from "./json.js";
import type {
  CanonContext,
  ChangeProblem,
  KindChange,
  PlannedChange,
  ResourceKind,
  StepRequest,
} from "./resource-kind.js";
import type { Built } from "../export/context.js";

/** The canonical direction: the written words, plus `none` for a live entry allowing neither way. */
export type CanonicalDirection = IsolationDirection | "none";

export interface TenantIsolationCanonical {
  enabled: boolean;
  /**
   * Allowed tenant id (lower case, or "*") → direction. A map rather than a list, so a plan line reads
   * `allowedTenants.<id>: inbound → both`. Absent in a desired form = unmanaged.
   */
  allowedTenants?: Record<string, CanonicalDirection>;
}

// Source: TF provider internal/services/tenant_isolation_policy/api_tenant_isolation_policy.go
export const TENANT_ISOLATION_PATH = "/providers/PowerPlatform.Governance/v1/tenants";

export function isolationPolicyPath(tenantId: string): string {
  // Source: TF provider internal/services/tenant_isolation_policy/api_tenant_isolation_policy.go (getTenantIsolationPolicy, createOrUpdateTenantIsolationPolicy)
  return `${TENANT_ISOLATION_PATH}/${encodeURIComponent(tenantId)}/tenantIsolationPolicy`;
}

export function directionOf(wire: WireAllowedTenant["direction"] | undefined): CanonicalDirection {
  const inbound = wire?.inbound === true;
  const outbound = wire?.outbound === true;
  return inbound && outbound ? "both" : inbound ? "inbound" : outbound ? "outbound" : "none";
}

function wireDirection(direction: CanonicalDirection): WireAllowedTenant["direction"] {
  return {
    inbound: direction === "inbound" || direction === "both",
    outbound: direction === "outbound" || direction === "both",
  };
}

function sortedMap(entries: Iterable<[string, CanonicalDirection]>): Record<string, CanonicalDirection> {
  const result: Record<string, CanonicalDirection> = {};
  for (const [id, direction] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    result[id] = direction;
  return result;
}

/** The live policy in canonical form; no policy (the service's 404) is isolation off, nobody allowed. */
export function canonicalIsolation(record: LiveTenantIsolation): Required<TenantIsolationCanonical> {
  const properties = record.policy?.properties;
  return {
    enabled: record.policy !== null && properties?.isDisabled !== true,
    allowedTenants: sortedMap(
      (properties?.allowedTenants ?? []).map((entry) => [
        entry.tenantId.toLowerCase(),
        directionOf(entry.direction),
      ]),
    ),
  };
}

const UNRESOLVED = "unresolved:";

/** The tenant id an entry names: its tenantId, or its domain resolved (`unresolved:<domain>` if unknown). */
function entryTenantId(entry: AllowedTenant, ctx: CanonContext): string {
  if (entry.tenantId !== undefined) return entry.tenantId.toLowerCase();
  return ctx.resolveTenantDomain(entry.domain ?? "");
}

function canonicalizeDesired(spec: TenantIsolationSpec, ctx: CanonContext): TenantIsolationCanonical {
  return compact({
    enabled: spec.enabled,
    allowedTenants:
      spec.allowedTenants === undefined
        ? undefined
        : sortedMap(spec.allowedTenants.map((entry) => [entryTenantId(entry, ctx), entry.direction])),
  });
}

/**
 * A domain no tenant has (PPG417), and two entries naming one tenant once domains are resolved
 * (PPG418; the same tenantId written twice is PPG316, at validation).
 */
function changeProblems(
  change: PlannedChange<TenantIsolationCanonical>,
  spec: TenantIsolationSpec,
  ctx: CanonContext,
): ChangeProblem[] {
  const problems: ChangeProblem[] = [];
  const seen = new Map<string, { index: number; byDomain: boolean }>();
  (spec.allowedTenants ?? []).forEach((entry, index) => {
    const id = entryTenantId(entry, ctx);
    const pointer = `/spec/allowedTenants/${index}/${entry.domain === undefined ? "tenantId" : "domain"}`;
    if (entry.domain !== undefined && id.startsWith(UNRESOLVED)) {
      problems.push({
        code: "PPG417",
        pointer,
        message: `${change.address}: no Entra tenant has the domain '${entry.domain}' (Graph findTenantInformationByDomainName found none); check the spelling, or write the tenant's id as tenantId`,
      });
      return;
    }
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, { index, byDomain: entry.domain !== undefined });
      return;
    }
    if (first.byDomain || entry.domain !== undefined)
      problems.push({
        code: "PPG418",
        pointer,
        message: `${change.address}: '${entry.domain ?? entry.tenantId ?? ""}' is tenant ${id}, already listed at spec.allowedTenants[${first.index}]; list each tenant once, with direction both to allow it either way`,
      });
  });
  return problems;
}

/** The domain an entry was written with, shown next to the tenant id it resolved to. */
function pathNote(spec: TenantIsolationSpec, path: string, ctx: CanonContext): string | undefined {
  const prefix = "/allowedTenants/";
  if (!path.startsWith(prefix)) return undefined;
  const id = path.slice(prefix.length);
  const entry = (spec.allowedTenants ?? []).find(
    (candidate) => candidate.domain !== undefined && entryTenantId(candidate, ctx) === id,
  );
  return entry?.domain === undefined ? undefined : `domain ${entry.domain.toLowerCase()}`;
}

/** The PUT replaces the whole policy: the intended state (live values kept where unmanaged) is sent. */
function buildSteps(change: KindChange<LiveTenantIsolation, TenantIsolationCanonical>): StepRequest[] {
  // The reader always yields a record (404 = no policy), so there is a tenant id to address.
  const tenantId = change.live?.tenantId;
  if (change.action === "delete" || change.after === undefined || tenantId === undefined) return [];
  const after = change.after;
  const allowed = Object.entries(after.allowedTenants ?? {});
  return [
    {
      label: "put",
      description: `${after.enabled ? "enforce" : "turn off"} tenant isolation, ${allowed.length} allowed tenant${allowed.length === 1 ? "" : "s"}`,
      api: "bap",
      method: "PUT",
      // Source: TF provider internal/services/tenant_isolation_policy/api_tenant_isolation_policy.go (createOrUpdateTenantIsolationPolicy)
      path: isolationPolicyPath(tenantId),
      body: {
        properties: {
          tenantId,
          isDisabled: !after.enabled,
          allowedTenants: allowed.map(([id, direction]) => ({
            tenantId: id,
            direction: wireDirection(direction),
          })),
        },
      },
      expect: [200, 202],
      async: "tenantIsolation",
      idempotent: true,
    },
  ];
}

export const TENANT_ISOLATION_DISPLAY_NAME = "Tenant isolation";

export const tenantIsolationKind = {
  kind: "TenantIsolation",
  noun: "tenant isolation policy",
  liveCollections: ["tenantIsolation"],
  listLive: (live) => (live.tenantIsolation === undefined ? [] : [live.tenantIsolation]),
  liveId: (record) => record.tenantId.toLowerCase(),
  liveDisplayName: () => TENANT_ISOLATION_DISPLAY_NAME,
  desiredDisplayName: () => TENANT_ISOLATION_DISPLAY_NAME,
  ensure: () => "present",
  canonicalizeDesired,
  canonicalizeLive: canonicalIsolation,
  partialPaths: [""],
  atomicPaths: [],
  ignorePaths: [],
  ignoreWhenLiveAbsent: [],
  createOnlyPaths: [],
  dependsOn: () => [],
  changeProblems,
  pathNote,
  tenantDomains: (specs) =>
    specs.flatMap((spec) =>
      (spec.allowedTenants ?? []).flatMap((entry) => (entry.domain === undefined ? [] : [entry.domain])),
    ),
  buildSteps,
  isEmpty: (canonical) => !canonical.enabled && Object.keys(canonical.allowedTenants ?? {}).length === 0,
  fingerprint: () => undefined,
  exporter: {
    folder: "tenant",
    fallbackName: "tenant-isolation",
    pinsId: false,
    uniqueDisplayName: false,
    build: (record) => tenantIsolationSpec(record),
  },
} satisfies ResourceKind<TenantIsolationSpec, LiveTenantIsolation, TenantIsolationCanonical>;

// Export: the live object as a document.

/** The isolation policy as written; no policy (404) is written as `enabled: false` with nobody allowed. */
export function tenantIsolationSpec(record: LiveTenantIsolation): Built<TenantIsolationSpec> {
  const canonical = canonicalIsolation(record);
  const allowedTenants: AllowedTenant[] = [];
  for (const [tenantId, direction] of Object.entries(canonical.allowedTenants)) {
    if (direction === "none")
      return { reason: `allowed tenant ${tenantId} has neither direction set, which a document cannot say` };
    allowedTenants.push({ tenantId, direction });
  }
  return {
    spec: { enabled: canonical.enabled, allowedTenants },
    comments: [
      {
        pointer: "/spec/allowedTenants",
        text: "inbound: their users may connect to this tenant; outbound: this tenant's users may connect to theirs.",
        position: "before",
      },
    ],
  };
}
