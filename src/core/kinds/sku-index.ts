import type { WireSubscribedSku } from "../wire/types.js";

/** The tenant's subscribed SKUs, looked up by skuId or skuPartNumber (case-insensitive). */
export interface SkuIndex {
  find(skuOrPartNumber: string): WireSubscribedSku | undefined;
  /** A plan of the SKU by servicePlanId or servicePlanName; returns the servicePlanId. */
  findPlan(sku: WireSubscribedSku, planOrName: string): string | undefined;
  readonly partNumbers: readonly string[];
}

export function buildSkuIndex(skus: readonly WireSubscribedSku[]): SkuIndex {
  const byKey = new Map<string, WireSubscribedSku>();
  for (const sku of skus) {
    byKey.set(sku.skuId.toLowerCase(), sku);
    byKey.set(sku.skuPartNumber.toLowerCase(), sku);
  }
  return {
    find: (key) => byKey.get(key.toLowerCase()),
    findPlan: (sku, key) => {
      const lower = key.toLowerCase();
      const plan = sku.servicePlans.find(
        (candidate) =>
          candidate.servicePlanId.toLowerCase() === lower ||
          candidate.servicePlanName.toLowerCase() === lower,
      );
      return plan?.servicePlanId.toLowerCase();
    },
    partNumbers: skus.map((sku) => sku.skuPartNumber),
  };
}
