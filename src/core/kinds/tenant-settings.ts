import type { TenantSettingsSpec } from "../policy/types.js";
import type { LiveTenantSettings } from "../plan/live-tenant.js";
import { escapeSegment, isJsonObject, pointerSegments, valueAt, type Json, type JsonObject } from "./json.js";
import { BAP, BAP_API_VERSION } from "./paths.js";
import type { KindChange, ResourceKind, StepRequest } from "./resource-kind.js";
import type { Built } from "../export/context.js";

/**
 * The settings the policy language knows (schemas/tenant-settings.schema.json), as JSON pointers into
 * the settings object. Export writes these; a test keeps the list and the schema in step.
 */
export const TENANT_SETTING_PATHS: readonly string[] = [
  "/walkMeOptOut",
  "/disableNPSCommentsReachout",
  "/disableNewsletterSendout",
  "/disableEnvironmentCreationByNonAdminUsers",
  "/disablePortalsCreationByNonAdminUsers",
  "/disableSurveyFeedback",
  "/disableTrialEnvironmentCreationByNonAdminUsers",
  "/disableCapacityAllocationByEnvironmentAdmins",
  "/disableSupportTicketsVisibleByAllUsers",
  "/powerPlatform/search/disableDocsSearch",
  "/powerPlatform/search/disableCommunitySearch",
  "/powerPlatform/search/disableBingVideoSearch",
  "/powerPlatform/teamsIntegration/shareWithColleaguesUserLimit",
  "/powerPlatform/powerApps/disableShareWithEveryone",
  "/powerPlatform/powerApps/enableGuestsToMake",
  "/powerPlatform/powerApps/disableMakerMatch",
  "/powerPlatform/powerApps/disableUnusedLicenseAssignment",
  "/powerPlatform/powerApps/disableCreateFromImage",
  "/powerPlatform/powerApps/disableCreateFromFigma",
  "/powerPlatform/powerApps/disableConnectionSharingWithEveryone",
  "/powerPlatform/powerAutomate/disableCopilot",
  "/powerPlatform/powerAutomate/disableCopilotWithBing",
  "/powerPlatform/environments/disablePreferredDataLocationForTeamsEnvironment",
  "/powerPlatform/governance/disableAdminDigest",
  "/powerPlatform/governance/disableDeveloperEnvironmentCreationByNonAdminUsers",
  "/powerPlatform/governance/enableDefaultEnvironmentRouting",
  "/powerPlatform/governance/policy/enableDesktopFlowDataPolicyManagement",
  "/powerPlatform/licensing/disableBillingPolicyCreationByNonAdminUsers",
  "/powerPlatform/licensing/enableTenantCapacityReportForEnvironmentAdmins",
  "/powerPlatform/licensing/storageCapacityConsumptionWarningThreshold",
  "/powerPlatform/licensing/enableTenantLicensingReportForEnvironmentAdmins",
  "/powerPlatform/licensing/disableUseOfUnassignedAIBuilderCredits",
  "/powerPlatform/licensing/applyAutoClaimToOnlyManagedEnvironments",
  "/powerPlatform/champions/disableChampionsInvitationReachout",
  "/powerPlatform/champions/disableSkillsMatchInvitationReachout",
  "/powerPlatform/intelligence/disableCopilot",
  "/powerPlatform/intelligence/enableOpenAiBotPublishing",
  "/powerPlatform/intelligence/disableCopilotFeedback",
  "/powerPlatform/intelligence/disableCopilotFeedbackMetadata",
  "/powerPlatform/modelExperimentation/enableModelDataSharing",
  "/powerPlatform/modelExperimentation/disableDataLogging",
  "/powerPlatform/catalogSettings/powerCatalogAudienceSetting",
  "/powerPlatform/userManagementSettings/enableDeleteDisabledUserinAllEnvironments",
];

/** Every object that holds known settings: each is partial (a setting left out is unmanaged). */
const SETTING_GROUPS: readonly string[] = [
  ...new Set(
    TENANT_SETTING_PATHS.flatMap((path) => {
      const segments = pointerSegments(path);
      return segments.map((_, depth) =>
        depth === 0 ? "" : `/${segments.slice(0, depth).map(escapeSegment).join("/")}`,
      );
    }),
  ),
];

/** The canonical form is the settings object itself: the service's names and values, nothing renamed. */
export type TenantSettingsCanonical = JsonObject;

/** Pointers of the leaves (non-object values) of a settings object. */
export function settingLeaves(settings: Json, path = ""): string[] {
  if (!isJsonObject(settings)) return [path];
  return Object.keys(settings)
    .sort()
    .flatMap((key) => settingLeaves(settings[key]!, `${path}/${escapeSegment(key)}`));
}

/** How many live settings a document leaves unmanaged (shown in the plan, never as changes). */
export function unmanagedSettingCount(spec: TenantSettingsSpec, live: LiveTenantSettings): number {
  const named = new Set(settingLeaves(spec as Json));
  return settingLeaves(live.settings as Json).filter((path) => path !== "" && !named.has(path)).length;
}

/** A nested object holding `value` at `pointer`, merged into `target` (the partial update body). */
function setAt(target: JsonObject, pointer: string, value: Json): void {
  const segments = pointerSegments(pointer);
  let node = target;
  for (const segment of segments.slice(0, -1)) {
    const child = node[segment];
    if (isJsonObject(child)) node = child;
    else node = node[segment] = {};
  }
  node[segments.at(-1)!] = value;
}

/**
 * One POST of only the changed settings: updateTenantSettings merges a partial object, so settings
 * the plan does not change are not sent (and cannot be overwritten with a stale value).
 */
function buildSteps(change: KindChange<LiveTenantSettings, TenantSettingsCanonical>): StepRequest[] {
  if (change.action === "delete") return [];
  const body: JsonObject = {};
  for (const path of change.changedPaths) {
    const value = valueAt(change.after, path);
    if (value !== undefined) setAt(body, path, value);
  }
  if (Object.keys(body).length === 0) return [];
  const count = change.changedPaths.length;
  return [
    {
      label: "update",
      description: `update ${count} tenant setting${count === 1 ? "" : "s"}`,
      api: "bap",
      method: "POST",
      // Source: TF provider internal/services/tenant_settings/api_tenant_settings.go (UpdateTenantSettings)
      path: `${BAP}/scopes/admin/updateTenantSettings?api-version=${BAP_API_VERSION}`,
      body,
      expect: [200],
      async: "none",
      idempotent: true,
    },
  ];
}

export const TENANT_SETTINGS_DISPLAY_NAME = "Tenant settings";

export const tenantSettingsKind = {
  kind: "TenantSettings",
  noun: "tenant settings object",
  liveCollections: ["tenantSettings"],
  listLive: (live) => (live.tenantSettings === undefined ? [] : [live.tenantSettings]),
  liveId: (record) => record.tenantId.toLowerCase(),
  liveDisplayName: () => TENANT_SETTINGS_DISPLAY_NAME,
  desiredDisplayName: () => TENANT_SETTINGS_DISPLAY_NAME,
  ensure: () => "present",
  canonicalizeDesired: (spec) => structuredClone(spec) as TenantSettingsCanonical,
  canonicalizeLive: (record) => structuredClone(record.settings) as TenantSettingsCanonical,
  partialPaths: SETTING_GROUPS,
  atomicPaths: [],
  ignorePaths: [],
  ignoreWhenLiveAbsent: [],
  createOnlyPaths: [],
  dependsOn: () => [],
  buildSteps,
  unmanagedNote: (spec, live) => {
    const count = unmanagedSettingCount(spec, live);
    return count === 0
      ? undefined
      : `${count} other setting${count === 1 ? " is" : "s are"} unmanaged (not named in the document)`;
  },
  fingerprint: () => undefined,
  exporter: {
    folder: "tenant",
    fallbackName: "tenant-settings",
    pinsId: false,
    uniqueDisplayName: false,
    build: (record) => tenantSettingsSpec(record),
  },
} satisfies ResourceKind<TenantSettingsSpec, LiveTenantSettings, TenantSettingsCanonical>;

// Export: the live object as a document.

/** A setting's value as the schema allows it: booleans, whole numbers ≥ 0 and non-empty text. */
function expressible(value: Json | undefined): value is boolean | number | string {
  if (typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isInteger(value) && value >= 0;
  return typeof value === "string" && value !== "";
}

/**
 * Every setting the policy language knows, at its live value: the repository then manages them all
 * (a change in the admin center shows as drift). Settings the service adds later stay unmanaged until
 * the schema names them; the document's comment says so.
 */
export function tenantSettingsSpec(record: LiveTenantSettings): Built<TenantSettingsSpec> {
  const spec: JsonObject = {};
  let unknown = 0;
  const settings = record.settings as Json;
  for (const path of TENANT_SETTING_PATHS) {
    const value = valueAt(settings, path);
    if (!expressible(value)) continue;
    let node = spec;
    const segments = pointerSegments(path);
    for (const segment of segments.slice(0, -1)) {
      const child = node[segment];
      node = isJsonObject(child) ? child : (node[segment] = {});
    }
    node[segments.at(-1)!] = value;
  }
  const known = new Set(TENANT_SETTING_PATHS);
  const countUnknown = (value: Json, path: string): void => {
    if (isJsonObject(value)) {
      for (const [key, child] of Object.entries(value)) countUnknown(child, `${path}/${key}`);
    } else if (!known.has(path)) unknown += 1;
  };
  countUnknown(settings, "");
  const note =
    unknown === 0
      ? "Only the settings named here are managed; delete a line to stop managing that setting."
      : `Only the settings named here are managed; delete a line to stop managing that setting. ${unknown} live setting${unknown === 1 ? " is" : "s are"} not in the policy language yet and stay unmanaged.`;
  return {
    spec: spec,
    comments: [{ pointer: "/spec", text: note, position: "before" }],
  };
}
