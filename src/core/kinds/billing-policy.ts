import {
  type BillingPolicySpec,
  BILLING_POLICY_STATUSES,
  type BillingPolicyStatus,
} from "../policy/types.js";
import type { LiveBillingPolicy } from "../plan/live-tenant.js";
import { normalizeId } from "./ids.js";
import { compact } from "./json.js";
import { LICENSING_API_VERSION } from "./paths.js";
import { idInPath, idSortKey, type IdOrPlaceholder } from "./placeholder.js";
import type { KindChange, ResourceKind, StepRequest } from "./resource-kind.js";
import { envRefComment, type Built, type ExportContext } from "../export/context.js";
import { isGeography, isGuid, isResourceGroup } from "../export/format.js";
import type { ExportComment } from "../export/types.js";

export interface BillingPolicyCanonical {
  displayName: string;
  location: string;
  status?: string;
  billingInstrument: { subscriptionId: string; resourceGroup: string };
  /** Linked environment ids, sorted. Absent in a desired form = unmanaged. */
  environments?: IdOrPlaceholder[];
}

// Source: TF provider internal/services/licensing/api_licensing.go (api-version 2022-03-01-preview; Learn's "Billing Policy" pages: 2024-10-01)
const api = (path: string): string => `/licensing/${path}?api-version=${LICENSING_API_VERSION}`;

function sortIds(ids: IdOrPlaceholder[]): IdOrPlaceholder[] {
  const unique = new Map(ids.map((id) => [idSortKey(id), id] as const));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, id]) => id);
}

function linkStep(policy: string, verb: "add" | "remove", ids: IdOrPlaceholder[]): StepRequest {
  return {
    label: `environments-${verb}`,
    description: `${verb === "add" ? "link" : "unlink"} ${ids.length} environment${ids.length === 1 ? "" : "s"}`,
    api: "powerplatform",
    method: "POST",
    // Source: TF provider internal/services/licensing/api_licensing.go (AddEnvironmentsToBillingPolicy, RemoveEnvironmentsToBillingPolicy)
    path: api(`billingPolicies/${policy}/environments/${verb}`),
    body: { environmentIds: ids },
    // Unlinking an environment that is gone (deleted, or replaced, in this same apply) is done already.
    expect: verb === "remove" ? [200, 204, 404] : [200, 204],
    async: "none",
    idempotent: true,
  };
}

function buildSteps(change: KindChange<LiveBillingPolicy, BillingPolicyCanonical>): StepRequest[] {
  const id = idInPath(change.id);
  if (change.action === "delete")
    return [
      {
        label: "delete",
        description: "delete billing policy",
        api: "powerplatform",
        method: "DELETE",
        // Source: TF provider internal/services/licensing/api_licensing.go (DeleteBillingPolicy)
        path: api(`BillingPolicies/${id}`),
        expect: [200, 204, 404],
        async: "none",
        idempotent: true,
      },
    ];
  const after = change.after!;
  const status = after.status === "Disabled" ? "Disabled" : "Enabled";
  const steps: StepRequest[] = [];
  const before = change.before;
  if (change.action === "create")
    steps.push({
      label: "create",
      description: "create billing policy",
      api: "powerplatform",
      method: "POST",
      // Source: TF provider internal/services/licensing/api_licensing.go (CreateBillingPolicy; body billingPolicyCreateDto)
      path: api("BillingPolicies"),
      body: {
        location: after.location,
        name: after.displayName,
        status,
        billingInstrument: {
          resourceGroup: after.billingInstrument.resourceGroup,
          subscriptionId: after.billingInstrument.subscriptionId,
        },
      },
      expect: [200, 201],
      async: "billingPolicyStatus",
      idempotent: false,
      produces: { ref: `${change.address}#id`, from: "body.id" },
    });
  else if (before && (before.displayName !== after.displayName || before.status !== after.status))
    steps.push({
      label: "update",
      description: "update billing policy",
      api: "powerplatform",
      method: "PUT",
      // Source: TF provider internal/services/licensing/api_licensing.go (UpdateBillingPolicy; body BillingPolicyUpdateDto)
      path: api(`billingPolicies/${id}`),
      body: { name: after.displayName, status },
      expect: [200],
      async: "billingPolicyStatus",
      idempotent: true,
    });
  const had = new Set((before?.environments ?? []).map(idSortKey));
  const wanted = after.environments ?? [];
  const wantedKeys = new Set(wanted.map(idSortKey));
  const removed = (before?.environments ?? []).filter((env) => !wantedKeys.has(idSortKey(env)));
  const added = wanted.filter((env) => !had.has(idSortKey(env)));
  if (removed.length > 0) steps.push(linkStep(id, "remove", removed));
  if (added.length > 0) steps.push(linkStep(id, "add", added));
  return steps;
}

export const billingPolicyKind = {
  kind: "BillingPolicy",
  noun: "billing policy",
  liveCollections: ["billingPolicies"],
  listLive: (live) => live.billingPolicies,
  liveId: (record) => normalizeId(record.policy.id) ?? record.policy.id,
  liveDisplayName: (record) => record.policy.name,
  liveCreatedAt: (record) => record.policy.createdOn,
  desiredDisplayName: (spec) => spec.displayName,
  ensure: (spec) => spec.ensure ?? "present",
  canonicalizeDesired: (spec, ctx) =>
    compact({
      displayName: spec.displayName,
      location: spec.location.toLowerCase(),
      status: spec.status,
      billingInstrument: {
        subscriptionId: spec.billingInstrument.subscriptionId.toLowerCase(),
        resourceGroup: spec.billingInstrument.resourceGroup,
      },
      environments:
        spec.environments === undefined
          ? undefined
          : sortIds(spec.environments.map((ref) => ctx.resolveEnvRef(ref))),
    }),
  canonicalizeLive: (record) => ({
    displayName: record.policy.name,
    location: record.policy.location.toLowerCase(),
    status: record.policy.status,
    billingInstrument: {
      subscriptionId: record.policy.billingInstrument.subscriptionId.toLowerCase(),
      resourceGroup: record.policy.billingInstrument.resourceGroup,
    },
    environments: sortIds(record.environmentIds.map((id) => normalizeId(id) ?? id)),
  }),
  partialPaths: [""],
  atomicPaths: ["/environments"],
  ignorePaths: [],
  ignoreWhenLiveAbsent: [],
  createOnlyPaths: ["/location", "/billingInstrument/subscriptionId", "/billingInstrument/resourceGroup"],
  dependsOn: (canonical) =>
    (canonical.environments ?? []).map((id) => ({ kind: "Environment" as const, id })),
  buildSteps,
  fingerprint: () => undefined,
  exporter: {
    folder: "licensing/billing",
    fallbackName: "billing-policy",
    pinsId: true,
    uniqueDisplayName: true,
    build: (record, context) => billingPolicySpec(record, context),
    // An environment is linked to one billing policy at most (PPG314).
    conflicts: () => {
      const linkedBy = new Map<string, string>();
      return {
        check: (spec) => {
          for (const ref of spec.environments ?? []) {
            const other = linkedBy.get(ref);
            if (other !== undefined) return `environment ${ref} is also linked to billing policy "${other}"`;
          }
          for (const ref of spec.environments ?? []) linkedBy.set(ref, spec.displayName);
          return undefined;
        },
      };
    },
  },
} satisfies ResourceKind<BillingPolicySpec, LiveBillingPolicy, BillingPolicyCanonical>;

// Export: the live object as a document.

export function billingPolicySpec(
  record: LiveBillingPolicy,
  context: ExportContext,
): Built<BillingPolicySpec> {
  const canonical = billingPolicyKind.canonicalizeLive(record);
  if (canonical.displayName === "") return { reason: "it has no display name" };
  if (!isGeography(canonical.location))
    return { reason: `its location '${canonical.location}' is not a geography name` };
  const { subscriptionId, resourceGroup } = canonical.billingInstrument;
  if (!isGuid(subscriptionId)) return { reason: `its subscription id '${subscriptionId}' is not a GUID` };
  if (!isResourceGroup(resourceGroup))
    return { reason: `its resource group '${resourceGroup}' is not a valid resource group name` };
  // Any other status (a policy being provisioned) is left unmanaged.
  const status = (BILLING_POLICY_STATUSES as readonly string[]).includes(canonical.status ?? "")
    ? (canonical.status as BillingPolicyStatus)
    : undefined;
  const spec: BillingPolicySpec = {
    displayName: canonical.displayName,
    location: canonical.location,
    ...(status === undefined ? {} : { status }),
    billingInstrument: { subscriptionId, resourceGroup },
  };
  const comments: ExportComment[] = [];
  const entries: { ref: string; id: string }[] = [];
  for (const id of canonical.environments ?? []) {
    const ref = typeof id === "string" ? context.envRef(id) : undefined;
    if (ref === undefined || typeof id !== "string")
      return { reason: `it links environment ${JSON.stringify(id)}, which is not in the tenant` };
    entries.push({ ref, id });
  }
  entries.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  // No linked environment has no written form (the list needs one entry): left out, it is unmanaged.
  if (entries.length > 0) {
    spec.environments = entries.map((entry) => entry.ref);
    entries.forEach((entry, index) =>
      comments.push(...envRefComment(`/spec/environments/${index}`, entry.ref, entry.id, context)),
    );
  }
  return { spec, comments };
}
