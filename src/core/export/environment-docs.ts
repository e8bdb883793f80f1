import { environmentGroupKind } from "../kinds/environment-group.js";
import { environmentKind, type ManagedCanonical } from "../kinds/environment.js";
import {
  ENVIRONMENT_TYPES,
  SHARING_MODES,
  SOLUTION_CHECKER_MODES,
  UPDATE_CADENCES,
  type DataverseSpec,
  type EnvironmentGroupSpec,
  type EnvironmentSpec,
  type EnvironmentType,
  type ManagedSpec,
  type SharingMode,
  type SolutionCheckerMode,
  type UpdateCadence,
} from "../policy/types.js";
import type { WireEnvironment, WireEnvironmentGroup } from "../wire/types.js";
import type { Built, ExportContext } from "./context.js";
import {
  isAzureRegion,
  isCurrencyCode,
  isDataverseDomain,
  isGeography,
  isGuid,
  isSolutionCheckerRule,
  isWholeNumber,
  oneLine,
} from "./format.js";
import type { ExportComment } from "./types.js";

const includes = <T extends string>(list: readonly T[], value: unknown): value is T =>
  typeof value === "string" && (list as readonly string[]).includes(value);

export function environmentGroupSpec(group: WireEnvironmentGroup): Built<EnvironmentGroupSpec> {
  const canonical = environmentGroupKind.canonicalizeLive(group);
  if (canonical.displayName === "") return { reason: "it has no display name" };
  const spec: EnvironmentGroupSpec = { displayName: canonical.displayName };
  // An empty description is left out: unmanaged reads the same and keeps the file short.
  if (canonical.description !== undefined && canonical.description !== "")
    spec.description = canonical.description;
  return { spec, comments: [] };
}

/**
 * Every managed setting whose live value the schema accepts. A setting left out is unmanaged (the
 * live value is kept), so dropping an odd value never produces a change.
 */
function managedSpec(managed: ManagedCanonical): ManagedSpec {
  if (!managed.enabled) return { enabled: false };
  const spec: ManagedSpec = { enabled: true };
  if (isWholeNumber(managed.maxShareLimit, -1)) spec.maxShareLimit = managed.maxShareLimit;
  if (includes<SharingMode>(SHARING_MODES, managed.limitSharingMode))
    spec.limitSharingMode = managed.limitSharingMode;
  if (managed.groupSharingDisabled !== undefined) spec.groupSharingDisabled = managed.groupSharingDisabled;
  if (includes<SolutionCheckerMode>(SOLUTION_CHECKER_MODES, managed.solutionCheckerMode))
    spec.solutionCheckerMode = managed.solutionCheckerMode;
  if (managed.suppressValidationEmails !== undefined)
    spec.suppressValidationEmails = managed.suppressValidationEmails;
  const overrides = managed.solutionCheckerRuleOverrides;
  if (overrides !== undefined && overrides.length > 0 && overrides.every(isSolutionCheckerRule))
    spec.solutionCheckerRuleOverrides = overrides;
  if (managed.usageInsights !== undefined) spec.usageInsights = managed.usageInsights;
  if (managed.includeOnHomepageInsights !== undefined)
    spec.includeOnHomepageInsights = managed.includeOnHomepageInsights;
  if (managed.aiGeneratedDescriptions !== undefined)
    spec.aiGeneratedDescriptions = managed.aiGeneratedDescriptions;
  return spec;
}

function dataverseSpec(dataverse: {
  domain?: string;
  language?: number;
  currency?: string;
}): DataverseSpec | undefined {
  const spec: DataverseSpec = {};
  if (dataverse.domain !== undefined && isDataverseDomain(dataverse.domain)) spec.domain = dataverse.domain;
  if (isWholeNumber(dataverse.language, 1)) spec.language = dataverse.language;
  if (dataverse.currency !== undefined && isCurrencyCode(dataverse.currency))
    spec.currency = dataverse.currency;
  return Object.keys(spec).length === 0 ? undefined : spec;
}

/**
 * An Environment document from the live environment's canonical form. Fields whose live value has no
 * written form (no Dataverse, no security group) are left out: the top level of an environment is
 * partial, so a field left out is unmanaged and plans as no change.
 */
export function environmentSpec(
  environment: WireEnvironment,
  context: ExportContext,
): Built<EnvironmentSpec> {
  const canonical = environmentKind.canonicalizeLive(environment);
  if (canonical.displayName === "") return { reason: "it has no display name" };
  if (!includes<EnvironmentType>(ENVIRONMENT_TYPES, canonical.type))
    return { reason: `its type '${canonical.type}' is not one a document can declare` };
  if (!isGeography(canonical.location))
    return { reason: `its location '${canonical.location}' is not a geography name` };
  const comments: ExportComment[] = [];
  const spec: EnvironmentSpec = {
    displayName: canonical.displayName,
    location: canonical.location,
    type: canonical.type,
  };
  if (canonical.description !== undefined && canonical.description !== "")
    spec.description = canonical.description;
  if (canonical.azureRegion !== undefined && isAzureRegion(canonical.azureRegion))
    spec.azureRegion = canonical.azureRegion;
  if (typeof canonical.securityGroupId === "string" && isGuid(canonical.securityGroupId))
    spec.securityGroupId = canonical.securityGroupId;
  const dataverse = canonical.dataverse ? dataverseSpec(canonical.dataverse) : undefined;
  if (dataverse !== undefined) spec.dataverse = dataverse;
  if (includes<UpdateCadence>(UPDATE_CADENCES, canonical.updateCadence))
    spec.updateCadence = canonical.updateCadence;
  if (canonical.adminMode === true) spec.adminMode = true;
  if (typeof canonical.group === "string") {
    const group = context.groupName(canonical.group);
    if (group !== undefined) {
      spec.group = group;
      const displayName = context.live.environmentGroups.find(
        (candidate) => candidate.id.toLowerCase() === canonical.group,
      )?.displayName;
      if (displayName !== undefined && oneLine(displayName) !== "")
        comments.push({ pointer: "/spec/group", text: oneLine(displayName), position: "trailing" });
    }
  }
  if (canonical.managed !== undefined) spec.managed = managedSpec(canonical.managed);
  return { spec: orderEnvironmentSpec(spec), comments };
}

/** The field order of the documentation, so exported files read like hand-written ones. */
function orderEnvironmentSpec(spec: EnvironmentSpec): EnvironmentSpec {
  const order: (keyof EnvironmentSpec)[] = [
    "displayName",
    "description",
    "location",
    "azureRegion",
    "type",
    "securityGroupId",
    "dataverse",
    "updateCadence",
    "adminMode",
    "group",
    "managed",
  ];
  const ordered: Record<string, unknown> = {};
  for (const key of order) if (spec[key] !== undefined) ordered[key] = spec[key];
  return ordered as unknown as EnvironmentSpec;
}
