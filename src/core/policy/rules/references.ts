import { dottedPath } from "../pointer.js";
import { createSuggester, didYouMean } from "../suggest.js";
import type { EnvRef, LoadedDocument } from "../types.js";
import { isAbsent, ofKind, placeOf, type Rule, type RuleContext } from "./context.js";

interface Reference {
  pointer: string;
  target: string;
}

/** Every env ref a document holds, with where it is. */
export function environmentReferences(loaded: LoadedDocument): Reference[] {
  const document = loaded.document;
  const list = (base: string, refs: readonly EnvRef[] | undefined): Reference[] =>
    (refs ?? []).map((target, index) => ({ pointer: `${base}/${index}`, target }));
  switch (document.kind) {
    case "DlpPolicy": {
      const scope = document.spec.scope;
      if ("only" in scope) return list("/spec/scope/only", scope.only);
      if ("except" in scope) return list("/spec/scope/except", scope.except);
      return [];
    }
    case "LicenseAllocation":
      return [{ pointer: "/spec/environment", target: document.spec.environment }];
    case "BillingPolicy":
      return list("/spec/environments", document.spec.environments);
    default:
      return [];
  }
}

/** `default` and `id:<guid>` name environments the repository does not declare. */
export function isExternalEnvRef(ref: EnvRef): boolean {
  return ref === "default" || ref.startsWith("id:");
}

function declared(context: RuleContext, kind: string): Map<string, LoadedDocument> {
  return new Map(
    context.documents
      .filter((loaded) => loaded.document.kind === kind)
      .map((loaded) => [loaded.document.metadata.name, loaded]),
  );
}

/**
 * PPG303: an env ref must name an Environment document, `default`, or `id:<guid>`. References held by
 * `ensure: absent` documents are not checked: the document is being deleted.
 */
export const knownEnvironmentRefs: Rule = (context) => {
  const environments = declared(context, "Environment");
  const names = createSuggester([...environments.keys()]);
  const otherKinds = new Map<string, LoadedDocument>();
  for (const other of context.documents) {
    if (other.document.kind !== "Environment") otherKinds.set(other.document.metadata.name, other);
  }
  for (const loaded of context.documents) {
    if (isAbsent(loaded.document)) continue;
    for (const reference of environmentReferences(loaded)) {
      const ref = reference.target;
      if (isExternalEnvRef(ref) || environments.has(ref) || context.unvalidated.has(`Environment/${ref}`))
        continue;
      const otherKind = otherKinds.get(ref);
      const hint =
        otherKind === undefined
          ? didYouMean(ref, names)
          : `; '${ref}' is a${/^[AEIOU]/.test(otherKind.document.kind) ? "n" : ""} ${otherKind.document.kind}, not an Environment`;
      context.report(
        loaded,
        "PPG303",
        reference.pointer,
        `${dottedPath(reference.pointer)} refers to environment '${ref}', which no Environment document declares${hint} (use 'id:<guid>' for an environment this repository does not manage, or 'default')`,
      );
    }
  }
};

/** PPG304: Environment.spec.group must name an EnvironmentGroup document. */
export const knownGroupRefs: Rule = (context) => {
  const groups = declared(context, "EnvironmentGroup");
  const names = createSuggester([...groups.keys()]);
  for (const loaded of ofKind(context.documents, "Environment")) {
    const group = loaded.document.spec.group;
    if (group === undefined || isAbsent(loaded.document)) continue;
    if (groups.has(group) || context.unvalidated.has(`EnvironmentGroup/${group}`)) continue;
    context.report(
      loaded,
      "PPG304",
      "/spec/group",
      `spec.group refers to environment group '${group}', which no EnvironmentGroup document declares${didYouMean(group, names)}`,
    );
  }
};

/**
 * PPG310: a present document must not depend on one that says `ensure: absent`: the apply would delete
 * what the other still needs (a DLP policy scoping a deleted environment, an environment in a deleted
 * group, an allocation or billing policy on a deleted environment).
 */
export const noReferencesToAbsent: Rule = (context) => {
  const environments = declared(context, "Environment");
  const groups = declared(context, "EnvironmentGroup");
  const reportAbsent = (
    loaded: LoadedDocument,
    pointer: string,
    what: string,
    target: LoadedDocument,
  ): void =>
    context.report(
      loaded,
      "PPG310",
      pointer,
      `${dottedPath(pointer)} refers to ${what} '${target.document.metadata.name}', which is declared 'ensure: absent' (${placeOf(target, "/spec/ensure")}); remove the reference or keep the ${what}`,
    );
  for (const loaded of context.documents) {
    if (isAbsent(loaded.document)) continue;
    for (const reference of environmentReferences(loaded)) {
      const target = environments.get(reference.target);
      if (target !== undefined && isAbsent(target.document)) {
        reportAbsent(loaded, reference.pointer, "environment", target);
      }
    }
    if (loaded.document.kind === "Environment" && loaded.document.spec.group !== undefined) {
      const target = groups.get(loaded.document.spec.group);
      if (target !== undefined && isAbsent(target.document)) {
        reportAbsent(loaded, "/spec/group", "environment group", target);
      }
    }
  }
};

/**
 * PPG311: allocations are the whole desired state of one environment's capacity; two documents for one
 * environment would overwrite each other. A name and the `id:<guid>` that name pins are the same one.
 */
export const oneAllocationPerEnvironment: Rule = (context) => {
  const pinnedIds = new Map<string, string>();
  for (const environment of ofKind(context.documents, "Environment")) {
    const id = environment.document.metadata.id;
    if (id !== undefined) pinnedIds.set(environment.document.metadata.name, `id:${id.toLowerCase()}`);
  }
  const canonical = (ref: EnvRef): string =>
    ref.startsWith("id:") ? ref.toLowerCase() : (pinnedIds.get(ref) ?? ref);
  const seen = new Map<string, LoadedDocument>();
  for (const loaded of ofKind(context.documents, "LicenseAllocation")) {
    const key = canonical(loaded.document.spec.environment);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, loaded);
      continue;
    }
    context.report(
      loaded,
      "PPG311",
      "/spec/environment",
      `environment '${loaded.document.spec.environment}' already has a LicenseAllocation (${first.document.metadata.name} at ${placeOf(first, "/spec/environment")}); declare one allocation per environment`,
    );
  }
};
