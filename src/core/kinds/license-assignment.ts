import { type LicenseAssignmentSpec, type GroupLicense } from "../policy/types.js";
import type { WireAssignedLicense, WireGraphGroup, WireSubscribedSku } from "../wire/types.js";
import { normalizeId } from "./ids.js";
import { idInPath } from "./placeholder.js";
import type { CanonContext, ResourceKind, StepRequest } from "./resource-kind.js";
import { type Built, type ExportContext } from "../export/context.js";
import { isGuid, isLicenseName, oneLine } from "../export/format.js";
import type { ExportComment } from "../export/types.js";

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
  exporter: {
    folder: "licensing/assignments",
    fallbackName: "group",
    pinsId: false,
    uniqueDisplayName: false,
    build: (group, context) => licenseAssignmentSpec(group, context),
  },
} satisfies ResourceKind<LicenseAssignmentSpec, WireGraphGroup, LicenseAssignmentCanonical>;

// Export: the live object as a document.

/** The name a document writes for a SKU: its part number when that finds the same SKU, else its id. */
function skuName(sku: WireSubscribedSku, context: ExportContext): string {
  const byPartNumber = context.skus.find(sku.skuPartNumber);
  return isLicenseName(sku.skuPartNumber) && byPartNumber?.skuId.toLowerCase() === sku.skuId.toLowerCase()
    ? sku.skuPartNumber
    : sku.skuId.toLowerCase();
}

function planName(sku: WireSubscribedSku, planId: string, context: ExportContext): string | undefined {
  const plan = sku.servicePlans.find((candidate) => candidate.servicePlanId.toLowerCase() === planId);
  if (plan === undefined) return undefined;
  const name = plan.servicePlanName;
  return isLicenseName(name) && context.skus.findPlan(sku, name) === planId ? name : planId;
}

export function licenseAssignmentSpec(
  group: WireGraphGroup,
  context: ExportContext,
): Built<LicenseAssignmentSpec> {
  const canonical = licenseAssignmentKind.canonicalizeLive(group);
  if (!isGuid(canonical.group)) return { reason: `its group id '${canonical.group}' is not a GUID` };
  const comments: ExportComment[] = [];
  const displayName = oneLine(group.displayName ?? "");
  if (displayName !== "") comments.push({ pointer: "/spec/group", text: displayName, position: "trailing" });
  const licenses: GroupLicense[] = [];
  for (const license of canonical.licenses) {
    const sku = context.skus.find(license.skuId);
    if (sku === undefined || sku.skuId.toLowerCase() !== license.skuId)
      return { reason: `SKU ${license.skuId} is not among the tenant's subscribed SKUs` };
    const written: GroupLicense = { sku: skuName(sku, context) };
    const plans: string[] = [];
    for (const planId of license.disabledPlans) {
      const name = planName(sku, planId, context);
      if (name === undefined) return { reason: `service plan ${planId} is not part of ${sku.skuPartNumber}` };
      plans.push(name);
    }
    if (plans.length > 0) written.disabledPlans = plans;
    if (written.sku !== sku.skuPartNumber && oneLine(sku.skuPartNumber) !== "")
      comments.push({
        pointer: `/spec/licenses/${licenses.length}/sku`,
        text: oneLine(sku.skuPartNumber),
        position: "trailing",
      });
    licenses.push(written);
  }
  if (licenses.length === 0) return { reason: "it holds no licenses" };
  return { spec: { group: canonical.group, licenses }, comments };
}
