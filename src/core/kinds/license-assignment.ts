import type { LicenseAssignmentSpec } from "../policy/types.js";
import type { WireAssignedLicense, WireGraphGroup } from "../wire/types.js";
import { normalizeId } from "./ids.js";
import { idInPath } from "./placeholder.js";
import type { CanonContext, ResourceKind, StepRequest } from "./resource-kind.js";

export interface LicenseCanonical {
  skuId: string;
  /** servicePlanIds, sorted. */
  disabledPlans: string[];
}

export interface LicenseAssignmentCanonical {
  group: string;
  /** Sorted by skuId. */
  licenses: LicenseCanonical[];
}

export const UNRESOLVED = "unresolved:";

function sortLicenses(licenses: LicenseCanonical[]): LicenseCanonical[] {
  return licenses.sort((a, b) => (a.skuId < b.skuId ? -1 : a.skuId > b.skuId ? 1 : 0));
}

function canonicalizeDesired(spec: LicenseAssignmentSpec, ctx: CanonContext): LicenseAssignmentCanonical {
  return {
    group: normalizeId(spec.group) ?? spec.group,
    licenses: sortLicenses(
      spec.licenses.map((license) => {
        const sku = ctx.skus.find(license.sku);
        if (sku === undefined)
          return {
            skuId: `${UNRESOLVED}${license.sku}`,
            disabledPlans: [...(license.disabledPlans ?? [])].sort(),
          };
        const plans = (license.disabledPlans ?? []).map(
          (plan) => ctx.skus.findPlan(sku, plan) ?? `${UNRESOLVED}${plan}`,
        );
        return { skuId: sku.skuId.toLowerCase(), disabledPlans: [...new Set(plans)].sort() };
      }),
    ),
  };
}

function canonicalizeLive(group: WireGraphGroup): LicenseAssignmentCanonical {
  return {
    group: normalizeId(group.id) ?? group.id,
    licenses: sortLicenses(
      group.assignedLicenses.map((license) => ({
        skuId: license.skuId.toLowerCase(),
        disabledPlans: [...new Set(license.disabledPlans.map((plan) => plan.toLowerCase()))].sort(),
      })),
    ),
  };
}

function assignStep(group: string, add: WireAssignedLicense[], remove: string[], label: string): StepRequest {
  return {
    label,
    description: label === "delete" ? "remove the group's licenses" : "assign licenses",
    api: "graph",
    method: "POST",
    // Source: Graph "group: assignLicense"
    path: `/v1.0/groups/${idInPath(group)}/assignLicense`,
    body: { addLicenses: add.map((license) => ({ ...license })), removeLicenses: remove },
    expect: [200, 202],
    async: "none",
    idempotent: true,
  };
}

export const licenseAssignmentKind = {
  kind: "LicenseAssignment",
  noun: "license assignment",
  liveCollections: ["subscribedSkus", "licenseGroups"],
  listLive: (live) => live.licenseGroups.filter((group) => group.assignedLicenses.length > 0),
  liveId: (group) => normalizeId(group.id) ?? group.id,
  liveDisplayName: (group) => group.displayName ?? group.id,
  naturalKey: (spec) => normalizeId(spec.group) ?? undefined,
  desiredDisplayName: (spec) => spec.group,
  ensure: (spec) => spec.ensure ?? "present",
  canonicalizeDesired,
  canonicalizeLive,
  partialPaths: [],
  atomicPaths: ["/licenses"],
  ignorePaths: [],
  ignoreWhenLiveAbsent: [],
  createOnlyPaths: [],
  dependsOn: () => [],
  isEmpty: (canonical) => canonical.licenses.length === 0,
  buildSteps(change) {
    const before = change.before?.licenses ?? [];
    const group = (change.after ?? change.before)!.group;
    if (change.action === "delete")
      return [
        assignStep(
          group,
          [],
          before.map((license) => license.skuId),
          "delete",
        ),
      ];
    const after = change.after!.licenses;
    const previous = new Map(before.map((license) => [license.skuId, license.disabledPlans.join(",")]));
    const wanted = new Set(after.map((license) => license.skuId));
    const add = after.filter((license) => previous.get(license.skuId) !== license.disabledPlans.join(","));
    const remove = before.map((license) => license.skuId).filter((skuId) => !wanted.has(skuId));
    return [assignStep(group, add, remove, "assign")];
  },
  fingerprint: () => undefined,
} satisfies ResourceKind<LicenseAssignmentSpec, WireGraphGroup, LicenseAssignmentCanonical>;
