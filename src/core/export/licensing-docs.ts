import { billingPolicyKind } from "../kinds/billing-policy.js";
import { licenseAllocationKind } from "../kinds/license-allocation.js";
import { licenseAssignmentKind } from "../kinds/license-assignment.js";
import type { LiveAllocation, LiveBillingPolicy } from "../plan/live-tenant.js";
import {
  BILLING_POLICY_STATUSES,
  CURRENCY_TYPES,
  type BillingPolicySpec,
  type BillingPolicyStatus,
  type CurrencyType,
  type GroupLicense,
  type LicenseAllocationSpec,
  type LicenseAssignmentSpec,
} from "../policy/types.js";
import type { WireGraphGroup, WireSubscribedSku } from "../wire/types.js";
import { envRefComment, type Built, type ExportContext } from "./context.js";
import { isGeography, isGuid, isLicenseName, isResourceGroup, isWholeNumber, oneLine } from "./format.js";
import type { ExportComment } from "./types.js";

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
