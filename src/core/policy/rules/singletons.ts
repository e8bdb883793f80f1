import { SINGLETON_KINDS } from "../types.js";
import { ofKind, placeOf, type Rule } from "./context.js";

/**
 * PPG315: a tenant has one settings object and one isolation policy; two documents of either kind
 * would fight over the same live object.
 */
export const singletonKinds: Rule = (context) => {
  for (const kind of SINGLETON_KINDS) {
    const documents = context.documents.filter((loaded) => loaded.document.kind === kind);
    const first = documents[0];
    if (first === undefined) continue;
    for (const extra of documents.slice(1))
      context.report(
        extra,
        "PPG315",
        "/kind",
        `a second ${kind} document (the first is ${kind}/${first.document.metadata.name} at ${placeOf(first)}); a tenant has one ${kind === "TenantSettings" ? "settings object" : "isolation policy"}, so a repository declares it at most once`,
      );
  }
};

/** PPG316: each allowed tenant has one direction; listing it twice leaves the intent unclear. */
export const allowedTenantsOnce: Rule = (context) => {
  for (const loaded of ofKind(context.documents, "TenantIsolation")) {
    const seen = new Map<string, number>();
    (loaded.document.spec.allowedTenants ?? []).forEach((entry, index) => {
      // A domain and the id it resolves to are only compared at plan time.
      const field = entry.tenantId === undefined ? "domain" : "tenantId";
      const named = entry.tenantId ?? entry.domain ?? "";
      const key = `${field}:${named.toLowerCase()}`;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, index);
        return;
      }
      context.report(
        loaded,
        "PPG316",
        `/spec/allowedTenants/${index}/${field}`,
        `tenant ${named} is already listed at spec.allowedTenants[${first}] (${placeOf(loaded, `/spec/allowedTenants/${first}`)}); list each tenant once, with direction both to allow it either way`,
      );
    });
  }
};
