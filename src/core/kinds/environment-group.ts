import { type EnvironmentGroupSpec } from "../policy/types.js";
import type { WireEnvironmentGroup } from "../wire/types.js";
import { compact } from "./json.js";
import { normalizeId } from "./ids.js";
import { BAP, BAP_PATCH_API_VERSION } from "./paths.js";
import { idInPath } from "./placeholder.js";
import type { ResourceKind, StepRequest } from "./resource-kind.js";
import type { Built } from "../export/context.js";

export interface EnvironmentGroupCanonical {
  displayName: string;
  /** Optional in the desired form: absent = unmanaged. */
  description?: string;
}

// Source: TF provider internal/services/environment_groups/api_environment_group.go (GetEnvironmentGroup, UpdateEnvironmentGroup, DeleteEnvironmentGroup)
const groupPath = (id: string): string =>
  `${BAP}/environmentGroups/${id}?api-version=${BAP_PATCH_API_VERSION}`;

export const environmentGroupKind = {
  kind: "EnvironmentGroup",
  noun: "environment group",
  liveCollections: ["environmentGroups", "environmentGroupRuleSets"],
  // Rule sets lock managed settings of grouped environments, and must go before their group does.
  planCollections: (specs, prune) => {
    if (specs.length === 0 && !prune) return [];
    const mayBeDeleted = prune || specs.some((spec) => spec.ensure === "absent");
    return mayBeDeleted ? ["environmentGroups", "environmentGroupRuleSets"] : ["environmentGroups"];
  },
  exportCollections: ["environmentGroups"],
  listLive: (live) => live.environmentGroups,
  liveId: (group) => normalizeId(group.id) ?? group.id,
  referencedAs: "groupNames",
  liveDisplayName: (group) => group.displayName,
  liveCreatedAt: (group) => group.createdTime,
  desiredDisplayName: (spec) => spec.displayName,
  ensure: (spec) => spec.ensure ?? "present",
  canonicalizeDesired: (spec) => compact({ displayName: spec.displayName, description: spec.description }),
  canonicalizeLive: (group) => ({ displayName: group.displayName, description: group.description ?? "" }),
  partialPaths: [""],
  atomicPaths: [],
  ignorePaths: [],
  ignoreWhenLiveAbsent: [],
  createOnlyPaths: [],
  dependsOn: () => [],
  buildSteps(change) {
    const after = change.after;
    const body = { displayName: after?.displayName ?? "", description: after?.description ?? "" };
    switch (change.action) {
      case "create":
        return [
          {
            label: "create",
            description: "create environment group",
            api: "bap",
            method: "POST",
            // Source: TF provider internal/services/environment_groups/api_environment_group.go (CreateEnvironmentGroup)
            path: `${BAP}/environmentGroups?api-version=${BAP_PATCH_API_VERSION}`,
            body,
            expect: [200, 201],
            async: "none",
            idempotent: false,
            produces: { ref: `${change.address}#id`, from: "body.id" },
          },
        ];
      case "update":
        return [
          {
            label: "update",
            description: "update environment group",
            api: "bap",
            method: "PUT",
            // Source: TF provider internal/services/environment_groups/api_environment_group.go (UpdateEnvironmentGroup)
            path: groupPath(idInPath(change.id)),
            body,
            expect: [200],
            async: "none",
            idempotent: true,
          },
        ];
      case "delete":
        return [deleteGroupStep(idInPath(change.id))];
    }
  },
  fingerprint: () => undefined,
  exporter: {
    folder: "environment-groups",
    fallbackName: "group",
    pinsId: true,
    uniqueDisplayName: true,
    build: (group) => environmentGroupSpec(group),
  },
} satisfies ResourceKind<EnvironmentGroupSpec, WireEnvironmentGroup, EnvironmentGroupCanonical>;

function deleteGroupStep(id: string): StepRequest {
  return {
    label: "delete",
    description: "delete environment group",
    api: "bap",
    method: "DELETE",
    // Source: TF provider internal/services/environment_groups/api_environment_group.go (DeleteEnvironmentGroup)
    path: groupPath(id),
    expect: [200, 204, 404],
    async: "none",
    idempotent: true,
  };
}

/**
 * Deletes the group's rule set before the group: the service refuses to delete a group that has one
 * (409 PolicyAssignedToEnvironmentGroup, TF internal/services/environment_groups). The rule set belongs to
 * the group.
 */
export function deleteRuleSetStep(ruleSetId: string): StepRequest {
  return {
    label: "delete-rule-set",
    description: "delete the group's rule set",
    api: "powerplatform-tenant",
    method: "DELETE",
    // Source: TF provider internal/services/environment_group_rule_set/api_environment_group_rule_set.go (DeleteEnvironmentGroupRuleSet)
    path: `/governance/ruleSets/${idInPath(ruleSetId)}?api-version=2021-10-01-preview`,
    expect: [200, 204, 404],
    async: "none",
    idempotent: true,
  };
}

/**
 * Takes an environment out of a group before the group is deleted (tenant-sharded host, TF
 * internal/services/environment_groups/api_environment_group.go).
 */
export function removeFromGroupStep(groupId: string, environmentId: string): StepRequest {
  return {
    label: `remove-${environmentId}`,
    description: `remove environment ${environmentId} from the group`,
    api: "powerplatform-tenant",
    method: "POST",
    // Source: TF provider internal/services/environment_groups/api_environment_group.go (RemoveEnvironmentFromEnvironmentGroup, api-version=1; Learn "Environment Groups - Remove Environment From Group": 2024-10-01, docs/emulator.md)
    path: `/environmentmanagement/environmentGroups/${idInPath(groupId)}/removeEnvironment/${idInPath(environmentId)}?api-version=1`,
    expect: [200, 202, 204, 404],
    async: "none",
    idempotent: true,
  };
}

// Export: the live object as a document.

export function environmentGroupSpec(group: WireEnvironmentGroup): Built<EnvironmentGroupSpec> {
  const canonical = environmentGroupKind.canonicalizeLive(group);
  if (canonical.displayName === "") return { reason: "it has no display name" };
  const spec: EnvironmentGroupSpec = { displayName: canonical.displayName };
  // An empty description is left out: unmanaged reads the same and keeps the file short.
  if (canonical.description !== undefined && canonical.description !== "")
    spec.description = canonical.description;
  return { spec, comments: [] };
}
