import {
  type EnvironmentSpec,
  type ManagedSpec,
  ENVIRONMENT_TYPES,
  SHARING_MODES,
  SOLUTION_CHECKER_MODES,
  UPDATE_CADENCES,
  type DataverseSpec,
  type EnvironmentType,
  type SharingMode,
  type SolutionCheckerMode,
  type UpdateCadence,
} from "../policy/types.js";
import {
  type GovernanceConfiguration,
  type ManagedExtendedSettings,
  type WireEnvironment,
  ZERO_GUID,
} from "../wire/types.js";
import { normalizeId } from "./ids.js";
import { compact, type Json, type JsonObject } from "./json.js";
import { BAP, BAP_API_VERSION, BAP_PATCH_API_VERSION } from "./paths.js";
import { idInPath, type IdOrPlaceholder } from "./placeholder.js";
import type {
  CanonContext,
  ChangeProblem,
  KindChange,
  PlannedChange,
  ResourceKind,
  StepRequest,
} from "./resource-kind.js";
import type { Built, ExportContext } from "../export/context.js";
import {
  isAzureRegion,
  isCurrencyCode,
  isDataverseDomain,
  isGeography,
  isGuid,
  isSolutionCheckerRule,
  isWholeNumber,
  oneLine,
} from "../export/format.js";
import type { ExportComment } from "../export/types.js";

export interface DataverseCanonical {
  domain?: string;
  language?: number;
  currency?: string;
}

export interface ManagedCanonical {
  enabled: boolean;
  maxShareLimit?: number;
  limitSharingMode?: string;
  groupSharingDisabled?: boolean;
  solutionCheckerMode?: string;
  suppressValidationEmails?: boolean;
  /** A set: sorted. */
  solutionCheckerRuleOverrides?: string[];
  usageInsights?: boolean;
  includeOnHomepageInsights?: boolean;
  aiGeneratedDescriptions?: boolean;
}

/** Optional properties are absent in a desired form when the document leaves them unmanaged. */
export interface EnvironmentCanonical {
  displayName: string;
  description?: string;
  location: string;
  azureRegion?: string;
  type: string;
  /** null = none. */
  securityGroupId?: string | null;
  /** null = no Dataverse. */
  dataverse?: DataverseCanonical | null;
  updateCadence?: string;
  adminMode?: boolean;
  /** Environment group id (or placeholder); null = not in a group. */
  group?: IdOrPlaceholder | null;
  managed?: ManagedCanonical;
}

// --- managed-environment settings: typed ↔ the wire's strings (TF internal/services/managed_environment) ---

type SettingCodec = {
  key: keyof ManagedExtendedSettings & string;
  read(value: string): Json;
  write(value: Json): string;
};

const bool: Pick<SettingCodec, "read" | "write"> = {
  read: (value) => value.toLowerCase() === "true",
  write: (value) => String(value === true),
};
const invertedBool: Pick<SettingCodec, "read" | "write"> = {
  read: (value) => value.toLowerCase() !== "true",
  write: (value) => String(value !== true),
};
const text: Pick<SettingCodec, "read" | "write"> = {
  read: (value) => value,
  write: (value) => jsonText(value),
};

/** A scalar as the wire's string ("10", "warn"). */
function jsonText(value: Json): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

const MANAGED_SETTINGS: Record<Exclude<keyof ManagedCanonical, "enabled">, SettingCodec> = {
  maxShareLimit: {
    key: "maxLimitUserSharing",
    read: (value) => Number(value),
    write: (value) => jsonText(value),
  },
  limitSharingMode: { key: "limitSharingMode", ...text },
  groupSharingDisabled: { key: "isGroupSharingDisabled", ...bool },
  solutionCheckerMode: { key: "solutionCheckerMode", ...text },
  suppressValidationEmails: { key: "suppressValidationEmails", ...bool },
  solutionCheckerRuleOverrides: {
    key: "solutionCheckerRuleOverrides",
    read: (value) => splitRuleList(value),
    write: (value) => (Array.isArray(value) ? value.map(jsonText).join(",") : ""),
  },
  usageInsights: { key: "excludeEnvironmentFromAnalysis", ...invertedBool },
  includeOnHomepageInsights: { key: "includeOnHomepageInsights", ...bool },
  aiGeneratedDescriptions: { key: "disableAiGeneratedDescriptions", ...invertedBool },
};

function splitRuleList(value: string): string[] {
  return [
    ...new Set(
      value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== ""),
    ),
  ].sort();
}

/**
 * Settings of an environment that is not managed are not in force, so both sides reduce to
 * `{enabled: false}` then. An empty rule-override list reads back as "" and means [].
 */
function managedFromWire(configuration: GovernanceConfiguration | undefined): ManagedCanonical {
  if (configuration?.protectionLevel !== "Standard") return { enabled: false };
  const managed: Record<string, Json> = { enabled: true };
  const extended = configuration.settings?.extendedSettings ?? {};
  for (const [field, codec] of Object.entries(MANAGED_SETTINGS)) {
    const raw = extended[codec.key];
    if (typeof raw === "string" && (raw !== "" || field === "solutionCheckerRuleOverrides"))
      managed[field] = codec.read(raw);
  }
  return managed as unknown as ManagedCanonical;
}

function managedFromSpec(spec: ManagedSpec): ManagedCanonical {
  if (!spec.enabled) return { enabled: false };
  return compact({
    ...spec,
    solutionCheckerRuleOverrides:
      spec.solutionCheckerRuleOverrides === undefined
        ? undefined
        : [...new Set(spec.solutionCheckerRuleOverrides)].sort(),
  });
}

/** The governanceConfiguration body: live settings ppgov does not model are kept as they are. */
export function governanceBody(managed: ManagedCanonical, live: WireEnvironment | undefined): Json {
  if (!managed.enabled) return { protectionLevel: "Basic" };
  const extended: JsonObject = {};
  for (const [key, value] of Object.entries(
    live?.properties.governanceConfiguration?.settings?.extendedSettings ?? {},
  ))
    if (typeof value === "string") extended[key] = value;
  for (const [field, codec] of Object.entries(MANAGED_SETTINGS)) {
    const value = (managed as unknown as Record<string, Json | undefined>)[field];
    if (value !== undefined) extended[codec.key] = codec.write(value);
  }
  return { protectionLevel: "Standard", settings: { extendedSettings: extended } };
}

// --- canonical forms --------------------------------------------------------------------------------

function canonicalizeDesired(spec: EnvironmentSpec, ctx: CanonContext): EnvironmentCanonical {
  return compact({
    displayName: spec.displayName,
    description: spec.description,
    location: spec.location.toLowerCase(),
    azureRegion: spec.azureRegion?.toLowerCase(),
    type: spec.type,
    securityGroupId: spec.securityGroupId === undefined ? undefined : normalizeId(spec.securityGroupId),
    dataverse:
      spec.dataverse === undefined
        ? undefined
        : compact({
            domain: spec.dataverse.domain?.toLowerCase(),
            language: spec.dataverse.language,
            currency: spec.dataverse.currency?.toUpperCase(),
          }),
    updateCadence: spec.updateCadence,
    adminMode: spec.adminMode,
    group: spec.group === undefined ? undefined : ctx.resolveGroupRef(spec.group),
    managed: spec.managed === undefined ? undefined : managedFromSpec(spec.managed),
  });
}

function canonicalizeLive(environment: WireEnvironment): EnvironmentCanonical {
  const properties = environment.properties;
  const linked = properties.linkedEnvironmentMetadata ?? null;
  const currency = linked?.currency as { code?: unknown } | undefined;
  return compact({
    displayName: properties.displayName,
    description: properties.description ?? "",
    location: environment.location.toLowerCase(),
    azureRegion: properties.azureRegion?.toLowerCase(),
    type: properties.environmentSku,
    securityGroupId: normalizeId(linked?.securityGroupId),
    dataverse:
      linked === null
        ? null
        : compact({
            domain: linked.domainName?.toLowerCase(),
            language: linked.baseLanguage,
            currency: typeof currency?.code === "string" ? currency.code.toUpperCase() : undefined,
          }),
    updateCadence: properties.updateCadence?.id,
    adminMode: properties.states?.runtime?.id === "AdminMode",
    group: normalizeId(properties.parentEnvironmentGroup?.id),
    managed: managedFromWire(properties.governanceConfiguration),
  });
}

/** Adding Dataverse is done in place (provisionInstance); removing it is not possible. */
function replaceReason(before: EnvironmentCanonical, after: EnvironmentCanonical): string | undefined {
  return before.dataverse && after.dataverse === null
    ? "Dataverse cannot be removed from an environment"
    : undefined;
}

/**
 * Types ppgov reads and lets documents name, but never writes. The TF provider's environment_type
 * accepts Developer, Sandbox, Production, Trial and Default, and no Teams (Source: TF provider
 * internal/services/environment/dto.go, EnvironmentTypes); Microsoft365DSC's PPPowerAppsEnvironment
 * reads Teams among its EnvironmentSKU values (Source: Microsoft365DSC
 * docs/docs/resources/power-platform/PPPowerAppsEnvironment.md). Microsoft Teams creates Teams
 * environments and the tenant has one Default environment, so the admin API's create and modifySku
 * take neither (the emulator answers InvalidEnvironmentSku, src/emulator/routes/environment-common.ts).
 */
export const READ_ONLY_ENVIRONMENT_TYPES: readonly EnvironmentType[] = ["Teams", "Default"];

const isReadOnlyType = (type: string | undefined): boolean =>
  type !== undefined && (READ_ONLY_ENVIRONMENT_TYPES as readonly string[]).includes(type);

/** A Teams or Default environment may be declared (to adopt and reference it), never made or retyped. */
function changeProblems(change: PlannedChange<EnvironmentCanonical>): ChangeProblem[] {
  const after = change.after.type;
  const before = change.before?.type;
  if (change.action !== "update" && isReadOnlyType(after)) {
    const why =
      change.action === "create"
        ? "and no live environment matches it"
        : `and the change replaces the environment (${change.reason ?? "a create-only field changes"})`;
    return [
      {
        code: "PPG416",
        pointer: "/spec/type",
        message: `${change.address} declares type ${after}, ${why}: ppgov reads ${after} environments but cannot create one (the admin API creates Production, Sandbox, Trial and Developer environments). Match an existing ${after} environment by displayName or metadata.id, or declare another type`,
      },
    ];
  }
  if (change.before === undefined) return [];
  if (before === after || (!isReadOnlyType(before) && !isReadOnlyType(after))) return [];
  return [
    {
      code: "PPG416",
      pointer: "/spec/type",
      message: `${change.address} changes type ${before} → ${after}: ppgov cannot change the type of a Teams or Default environment, nor make one. Write type: ${before}`,
    },
  ];
}

// --- steps ------------------------------------------------------------------------------------------

const DEFAULT_LANGUAGE = 1033;
const DEFAULT_CURRENCY = "USD";

function lifecycleStep(
  label: string,
  description: string,
  method: StepRequest["method"],
  path: string,
  body: Json | undefined,
  idempotent: boolean,
): StepRequest {
  return {
    label,
    description,
    api: "bap",
    method,
    path,
    ...(body === undefined ? {} : { body }),
    expect: [200, 202],
    async: "lifecycle",
    idempotent,
  };
}

function createSteps(change: KindChange<WireEnvironment, EnvironmentCanonical>): StepRequest[] {
  const after = change.after!;
  const dataverse = after.dataverse ?? null;
  const properties = compact({
    displayName: after.displayName,
    environmentSku: after.type,
    description: after.description,
    azureRegion: after.azureRegion,
    updateCadence: after.updateCadence === undefined ? undefined : { id: after.updateCadence },
    databaseType: dataverse === null ? undefined : "CommonDataService",
    linkedEnvironmentMetadata:
      dataverse === null
        ? undefined
        : compact({
            baseLanguage: dataverse.language ?? DEFAULT_LANGUAGE,
            domainName: dataverse.domain,
            currency: { code: dataverse.currency ?? DEFAULT_CURRENCY },
            securityGroupId: after.securityGroupId ?? undefined,
          }),
    parentEnvironmentGroup: after.group ? { id: after.group } : undefined,
  });
  const steps: StepRequest[] = [
    {
      // Source: TF provider internal/services/environment/api_environment.go (createEnvironmentWithRetry; body environmentCreateDto)
      ...lifecycleStep(
        "create",
        "create environment",
        "POST",
        `${BAP}/environments?api-version=${BAP_API_VERSION}`,
        { location: after.location, properties },
        false,
      ),
      expect: [201, 202],
      produces: { ref: `${change.address}#id`, from: "lifecycle.environment" },
    },
  ];
  const id = idInPath(change.id);
  if (after.adminMode === true)
    steps.push(
      lifecycleStep("admin-mode", "turn admin mode on", "PATCH", patchPath(id), adminModeBody(true), true),
    );
  if (after.managed?.enabled === true) steps.push(governanceStep(id, after.managed, undefined));
  return steps;
}

function patchPath(id: string): string {
  // Source: TF provider internal/services/environment/api_environment.go (updateEnvironmentWithRetry, PATCH, BAP_2021_API_VERSION)
  return `${BAP}/scopes/admin/environments/${id}?api-version=${BAP_PATCH_API_VERSION}`;
}

function adminModeBody(on: boolean): Json {
  return { properties: { states: { runtime: { id: on ? "AdminMode" : "Enabled" } } } };
}

function governanceStep(
  id: string,
  managed: ManagedCanonical,
  live: WireEnvironment | undefined,
): StepRequest {
  return {
    // Source: TF provider internal/services/managed_environment/api_managed_environment.go (enable/disableManagedEnvironmentWithRetry)
    ...lifecycleStep(
      "managed",
      managed.enabled ? "set managed-environment settings" : "turn managed environment off",
      "POST",
      `${BAP}/environments/${id}/governanceConfiguration?api-version=${BAP_PATCH_API_VERSION}`,
      governanceBody(managed, live),
      true,
    ),
    expect: [200, 202, 204],
  };
}

const PATCHED_PATHS = [
  "/displayName",
  "/description",
  "/updateCadence",
  "/group",
  "/adminMode",
  "/securityGroupId",
  "/dataverse/domain",
];

function touches(changedPaths: readonly string[], prefix: string): boolean {
  return changedPaths.some((path) => path === prefix || path.startsWith(`${prefix}/`));
}

function updateSteps(change: KindChange<WireEnvironment, EnvironmentCanonical>): StepRequest[] {
  const before = change.before!;
  const after = change.after!;
  const id = idInPath(change.id);
  const changed = change.changedPaths;
  const steps: StepRequest[] = [];
  const typeChanges = touches(changed, "/type");
  if (typeChanges)
    steps.push(
      // Source: TF provider internal/services/environment/api_environment.go (modifyEnvironmentTypeWithRetry; body modifySkuDto)
      lifecycleStep(
        "modify-sku",
        `change type ${before.type} → ${after.type}`,
        "POST",
        `${BAP}/scopes/admin/environments/${id}/modifySku?api-version=${BAP_PATCH_API_VERSION}`,
        { environmentSku: after.type },
        true,
      ),
    );
  const addsDataverse = !before.dataverse && !!after.dataverse;
  if (addsDataverse) {
    const dataverse = after.dataverse!;
    steps.push({
      // Source: TF provider internal/services/environment/api_environment.go (AddDataverseToEnvironment; body createLinkEnvironmentMetadataDto)
      ...lifecycleStep(
        "provision-dataverse",
        "add Dataverse",
        "POST",
        `${BAP}/environments/${id}/provisionInstance?api-version=${BAP_PATCH_API_VERSION}`,
        compact({
          baseLanguage: dataverse.language ?? DEFAULT_LANGUAGE,
          domainName: dataverse.domain,
          currency: { code: dataverse.currency ?? DEFAULT_CURRENCY },
          securityGroupId: after.securityGroupId ?? undefined,
        }),
        false,
      ),
      async: "provisionInstance",
    });
  }
  const patchedPaths = PATCHED_PATHS.filter(
    (path) =>
      touches(changed, path) &&
      !(addsDataverse && (path === "/securityGroupId" || path === "/dataverse/domain")),
  );
  if (patchedPaths.length > 0) {
    const linkedChanged =
      patchedPaths.includes("/securityGroupId") || patchedPaths.includes("/dataverse/domain");
    const properties = compact({
      displayName: after.displayName,
      // The type is only echoed here (modifySku changes it); an uncompared type keeps its live value.
      environmentSku: typeChanges ? after.type : before.type,
      description: after.description ?? "",
      updateCadence: after.updateCadence === undefined ? undefined : { id: after.updateCadence },
      parentEnvironmentGroup: patchedPaths.includes("/group") ? { id: after.group ?? ZERO_GUID } : undefined,
      linkedEnvironmentMetadata:
        linkedChanged && after.dataverse
          ? compact({
              domainName: after.dataverse.domain,
              securityGroupId: after.securityGroupId ?? ZERO_GUID,
            })
          : undefined,
      states: patchedPaths.includes("/adminMode")
        ? { runtime: { id: after.adminMode === true ? "AdminMode" : "Enabled" } }
        : undefined,
    });
    steps.push(
      lifecycleStep(
        "patch",
        `update ${patchedPaths.map((path) => path.slice(1).replace("/", ".")).join(", ")}`,
        "PATCH",
        patchPath(id),
        { properties },
        true,
      ),
    );
  }
  if (touches(changed, "/managed") && after.managed)
    steps.push(governanceStep(id, after.managed, change.live));
  return steps;
}

function deleteSteps(change: KindChange<WireEnvironment, EnvironmentCanonical>): StepRequest[] {
  return [
    {
      // Source: TF provider internal/services/environment/api_environment.go (deleteEnvironmentWithRetry; body enironmentDeleteDto {code: "7", message})
      ...lifecycleStep(
        "delete",
        "delete environment",
        "DELETE",
        `${BAP}/scopes/admin/environments/${idInPath(change.id)}?api-version=${BAP_API_VERSION}`,
        { code: "7", message: "Deleted by ppgov" },
        true,
      ),
      expect: [200, 202, 204, 404],
    },
  ];
}

export const environmentKind = {
  kind: "Environment",
  noun: "environment",
  liveCollections: ["environments", "environmentGroups"],
  // Groups resolve `spec.group`; their rule sets lock the managed settings of grouped environments.
  planCollections: (specs) => {
    if (!specs.some((spec) => spec.group !== undefined)) return [];
    const managed = specs.some((spec) => spec.managed !== undefined);
    return managed ? ["environmentGroups", "environmentGroupRuleSets"] : ["environmentGroups"];
  },
  listLive: (live) => live.environments,
  liveId: (environment) => normalizeId(environment.name) ?? environment.name,
  neverPrune: (environment) => environment.properties.isDefault === true,
  referencedAs: "environmentNames",
  liveDisplayName: (environment) => environment.properties.displayName,
  liveCreatedAt: (environment) => environment.properties.createdTime,
  desiredDisplayName: (spec) => spec.displayName,
  ensure: (spec) => spec.ensure ?? "present",
  canonicalizeDesired,
  canonicalizeLive,
  partialPaths: ["", "/dataverse", "/managed"],
  atomicPaths: ["/managed/solutionCheckerRuleOverrides"],
  ignorePaths: [],
  ignoreWhenLiveAbsent: ["/azureRegion", "/dataverse/language", "/dataverse/currency", "/dataverse/domain"],
  createOnlyPaths: ["/location", "/azureRegion", "/dataverse/language", "/dataverse/currency"],
  replaceReason,
  changeProblems,
  dependsOn: (canonical) =>
    canonical.group ? [{ kind: "EnvironmentGroup" as const, id: canonical.group }] : [],
  buildSteps(change) {
    switch (change.action) {
      case "create":
        return createSteps(change);
      case "update":
        return updateSteps(change);
      case "delete":
        return deleteSteps(change);
    }
  },
  fingerprint: (environment) => environment.properties.lastModifiedTime ?? undefined,
  exporter: {
    folder: "environments",
    fallbackName: "environment",
    pinsId: true,
    uniqueDisplayName: true,
    // "default" is the env ref of the default environment, never an Environment document's name.
    reservedNames: ["default"],
    skip: (environment) =>
      environment.properties.isDefault === true
        ? { cause: "default-environment", reason: "the default environment is referenced as `default`" }
        : undefined,
    build: (environment, context) => environmentSpec(environment, context),
  },
} satisfies ResourceKind<EnvironmentSpec, WireEnvironment, EnvironmentCanonical>;

/** Deletion protection is a ppgov policy, not a wire field: default true for Production. */
export function isDeletionProtected(
  spec: EnvironmentSpec | undefined,
  liveType: string | undefined,
): boolean {
  if (spec?.deletionProtection !== undefined) return spec.deletionProtection;
  return (spec?.type ?? liveType) === "Production";
}

// Export: the live object as a document.

const includes = <T extends string>(list: readonly T[], value: unknown): value is T =>
  typeof value === "string" && (list as readonly string[]).includes(value);

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
  if (isReadOnlyType(canonical.type))
    comments.push({
      pointer: "/spec/type",
      text: "read only: ppgov never creates this type nor changes it (PPG416)",
      position: "trailing",
    });
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
