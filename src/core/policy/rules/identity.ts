import type { LoadedDocument } from "../types.js";
import { placeOf, type Rule } from "./context.js";

/** PPG301: metadata.name is the repository key of a resource, unique per kind. */
export const uniqueNames: Rule = (context) => {
  const seen = new Map<string, LoadedDocument>();
  for (const loaded of context.documents) {
    const { kind, metadata } = loaded.document;
    const key = `${kind}/${metadata.name}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, loaded);
      continue;
    }
    context.report(
      loaded,
      "PPG301",
      "/metadata/name",
      `${kind} '${metadata.name}' is declared twice (first at ${placeOf(first, "/metadata/name")}); metadata.name must be unique per kind`,
    );
  }
};

/** PPG312: two documents pinning the same live object would fight over it. */
export const uniqueIds: Rule = (context) => {
  const seen = new Map<string, LoadedDocument>();
  for (const loaded of context.documents) {
    const { kind, metadata } = loaded.document;
    if (metadata.id === undefined) continue;
    const key = `${kind}/${metadata.id.toLowerCase()}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, loaded);
      continue;
    }
    context.report(
      loaded,
      "PPG312",
      "/metadata/id",
      `metadata.id '${metadata.id}' is also pinned by ${kind}/${first.document.metadata.name} (${placeOf(first, "/metadata/id")}); each live object can be declared once`,
    );
  }
};

/** PPG302: without metadata.id, live objects are found by display name, so it must be unique per kind. */
export const uniqueDisplayNames: Rule = (context) => {
  const seen = new Map<string, LoadedDocument>();
  for (const loaded of context.documents) {
    const spec = loaded.document.spec as { displayName?: unknown };
    if (typeof spec.displayName !== "string") continue;
    const key = `${loaded.document.kind}/${spec.displayName.trim()}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, loaded);
      continue;
    }
    context.report(
      loaded,
      "PPG302",
      "/spec/displayName",
      `spec.displayName '${spec.displayName}' is also used by ${first.document.kind}/${first.document.metadata.name} (${placeOf(first, "/spec/displayName")}); display names must be unique per kind because ppgov finds live objects by them`,
    );
  }
};

/** PPG309: the Tenant document holds tenant-wide settings; a second one would be ambiguous. */
export const singleTenant: Rule = (context) => {
  const tenants = context.documents.filter((loaded) => loaded.document.kind === "Tenant");
  const first = tenants[0];
  for (const extra of tenants.slice(1)) {
    if (first === undefined) break;
    context.report(
      extra,
      "PPG309",
      "/kind",
      `a second Tenant document (the first is Tenant/${first.document.metadata.name} at ${placeOf(first)}); a repository has at most one`,
    );
  }
};
