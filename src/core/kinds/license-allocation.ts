import {
  ALLOCATIONS_V2_ONLY_CURRENCY_TYPES,
  type LicenseAllocationSpec,
  CURRENCY_TYPES,
  type CurrencyType,
} from "../policy/types.js";
import type { LiveAllocation } from "../plan/live-tenant.js";
import { normalizeId } from "./ids.js";
import { LICENSING_API_VERSION } from "./paths.js";
import { idInPath, type IdOrPlaceholder } from "./placeholder.js";
import type { ResourceKind, StepRequest } from "./resource-kind.js";
import { envRefComment, type Built, type ExportContext } from "../export/context.js";
import { isWholeNumber } from "../export/format.js";

export interface LicenseAllocationCanonical {
  environment: IdOrPlaceholder;
  /** Currency type → units; zero entries are dropped (zero and absent mean the same). */
  allocations: Record<string, number>;
}

const isV2Only = (currencyType: string): boolean =>
  (ALLOCATIONS_V2_ONLY_CURRENCY_TYPES as readonly string[]).includes(currencyType);

function nonZero(entries: Iterable<[string, number | undefined]>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [type, units] of [...entries].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (units !== undefined && units !== 0) result[type] = units;
  return result;
}

/** The PATCH body: every type of either side, at its new value (0 for types no longer wanted). */
function allocationsBody(before: Record<string, number>, after: Record<string, number>) {
  const types = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return {
    currencyAllocations: types.map((currencyType) => ({ currencyType, allocated: after[currencyType] ?? 0 })),
  };
}

function patchStep(
  environment: IdOrPlaceholder,
  label: string,
  body: ReturnType<typeof allocationsBody>,
): StepRequest {
  return {
    label,
    description: label === "delete" ? "release the environment's allocations" : "set currency allocations",
    api: "powerplatform",
    method: "PATCH",
    // Source: Learn "Currency Allocation - Patch Currency Allocation By Environment" (ppgov keeps 2022-03-01-preview, docs/emulator.md)
    path: `/licensing/environments/${idInPath(environment)}/allocations?api-version=${LICENSING_API_VERSION}`,
    body,
    expect: [200, 204],
    async: "none",
    idempotent: true,
  };
}

/** An allocation is known by its environment's id. */
const allocationId = (record: LiveAllocation): string =>
  normalizeId(record.environmentId) ?? record.environmentId;

export const licenseAllocationKind = {
  kind: "LicenseAllocation",
  noun: "license allocation",
  liveCollections: ["allocations"],
  listLive: (live) =>
    Object.entries(live.allocations)
      .map(([environmentId, allocations]) => ({ environmentId, allocations }))
      .filter((record) =>
        record.allocations.some(
          (allocation) => allocation.allocated !== 0 && !isV2Only(allocation.currencyType),
        ),
      ),
  liveId: allocationId,
  liveDisplayName: (record) => record.environmentId,
  naturalKey: (spec, ctx) => {
    const id = ctx.resolveEnvRef(spec.environment);
    return typeof id === "string" && !id.startsWith("unresolved:") ? id : undefined;
  },
  desiredDisplayName: (spec) => spec.environment,
  // An allocation is known by its environment.
  environmentOf: (id, canonical) =>
    id ?? (typeof canonical?.environment === "string" ? canonical.environment : undefined),
  ensure: () => "present",
  canonicalizeDesired: (spec, ctx) => ({
    environment: ctx.resolveEnvRef(spec.environment),
    allocations: nonZero(Object.entries(spec.allocations)),
  }),
  canonicalizeLive: (record) => ({
    environment: normalizeId(record.environmentId) ?? record.environmentId,
    // Types only allocationsV2 manages are not this API's to change (PPG317): never diffed, never sent.
    allocations: nonZero(
      record.allocations
        .filter((allocation) => !isV2Only(allocation.currencyType))
        .map((allocation) => [allocation.currencyType, allocation.allocated]),
    ),
  }),
  partialPaths: [],
  atomicPaths: [],
  ignorePaths: [],
  ignoreWhenLiveAbsent: [],
  createOnlyPaths: [],
  dependsOn: (canonical) => [{ kind: "Environment" as const, id: canonical.environment }],
  isEmpty: (canonical) => Object.keys(canonical.allocations).length === 0,
  buildSteps(change) {
    const before = change.before?.allocations ?? {};
    const environment = (change.after ?? change.before)!.environment;
    if (change.action === "delete") return [patchStep(environment, "delete", allocationsBody(before, {}))];
    return [patchStep(environment, "allocate", allocationsBody(before, change.after!.allocations))];
  },
  fingerprint: () => undefined,
  exporter: {
    folder: "licensing/allocations",
    fallbackName: "allocation",
    pinsId: false,
    uniqueDisplayName: false,
    displayName: (record, context) => {
      const id = allocationId(record);
      return context.environmentName(id) ?? id;
    },
    ignoreName: (record, context) => context.environmentName(allocationId(record)),
    baseName: (record, context) => {
      const id = allocationId(record);
      const ref = context.envRef(id);
      return ref === undefined || ref.startsWith("id:") ? (context.environmentName(id) ?? "") : ref;
    },
    build: (record, context) => licenseAllocationSpec(record, context),
  },
} satisfies ResourceKind<LicenseAllocationSpec, LiveAllocation, LicenseAllocationCanonical>;

// Export: the live object as a document.

export function licenseAllocationSpec(
  record: LiveAllocation,
  context: ExportContext,
): Built<LicenseAllocationSpec> {
  const canonical = licenseAllocationKind.canonicalizeLive(record);
  const id = canonical.environment;
  const ref = context.envRef(id);
  if (ref === undefined) return { reason: `its environment ${id} is not in the tenant` };
  const allocations: Partial<Record<CurrencyType, number>> = {};
  for (const [type, units] of Object.entries(canonical.allocations)) {
    if (!(CURRENCY_TYPES as readonly string[]).includes(type))
      return { reason: `currency type '${type}' is not one a document can declare` };
    if (!isWholeNumber(units, 0)) return { reason: `${type} holds ${String(units)}, not a whole number ≥ 0` };
    allocations[type as CurrencyType] = units;
  }
  return {
    spec: { environment: ref, allocations },
    comments: envRefComment("/spec/environment", ref, id, context),
  };
}
