import type { Diagnostic } from "../diagnostics.js";
import { didYouMean } from "../policy/suggest.js";
import { DLP_GROUPS, type EnvironmentSpec } from "../policy/types.js";
import { isDeletionProtected, type EnvironmentCanonical } from "../kinds/environment.js";
import { escapeSegment } from "../kinds/json.js";
import type { LicenseAssignmentCanonical } from "../kinds/license-assignment.js";
import { KIND_REGISTRY, type AnyKind } from "../kinds/registry.js";
import { RULE_PARAMETER_SETTINGS } from "../kinds/rule-set.js";
import type { DesiredResource, DesiredState } from "./desired-state.js";
import { documentDiagnostic, planDiagnostic } from "./diagnostic.js";
import type { LiveTenant } from "./live-tenant.js";
import { isUnresolved, type Resolver } from "./resolve.js";
import type { ResourceChange } from "./types.js";

export interface CheckInput {
  desired: DesiredState;
  live: LiveTenant;
  changes: readonly ResourceChange[];
  resolver: Resolver;
  allowProtectedDeletes: boolean;
}

/** Plan-time checks: problems that only show when documents meet the live tenant. Errors stop the plan. */
export function runPlanChecks(input: CheckInput): Diagnostic[] {
  return [
    ...checkDlpConnectors(input),
    ...checkEnvironmentRefs(input),
    ...checkLicenseAssignments(input),
    ...checkProtectedDeletes(input),
    ...checkGroupLockedSettings(input),
    ...checkSecurityGroupNeedsDataverse(input),
    ...checkKindChangeProblems(input),
  ];
}

/** Records keyed by ids the reader may spell in any case. */
function lowerCaseKeys<T>(record: Readonly<Record<string, T>>): Map<string, T> {
  return new Map(Object.entries(record).map(([key, value]) => [key.toLowerCase(), value]));
}

const present = (resource: DesiredResource): boolean =>
  (resource.spec as { ensure?: string }).ensure !== "absent";

/** Unknown connectors (with "did you mean") and unblockable connectors put in `blocked`. */
export function checkDlpConnectors({ desired, resolver }: CheckInput): Diagnostic[] {
  const { catalogue } = resolver;
  const diagnostics: Diagnostic[] = [];
  for (const resource of desired.byKind.DlpPolicy.filter(present)) {
    for (const group of DLP_GROUPS)
      (resource.spec.connectors?.[group] ?? []).forEach((name, index) => {
        // Built only for a finding: a large repository lists 200,000 connectors, nearly all known.
        const pointer = (): string => `/spec/connectors/${group}/${index}`;
        const entry = catalogue.find(name);
        if (entry === undefined)
          diagnostics.push(
            documentDiagnostic(
              "PPG401",
              `connector '${name}' is not in the tenant's connector catalogue${didYouMean(name, catalogue.names)}`,
              resource,
              pointer(),
            ),
          );
        else if (group === "blocked" && entry.unblockable)
          diagnostics.push(
            documentDiagnostic(
              "PPG402",
              `connector '${entry.name}' (${entry.displayName}) cannot be blocked: the service marks it unblockable. Put it in business or nonBusiness.`,
              resource,
              pointer(),
            ),
          );
      });
    for (const name of Object.keys(resource.spec.connectorRules ?? {}))
      if (catalogue.find(name) === undefined)
        diagnostics.push(
          documentDiagnostic(
            "PPG401",
            `connectorRules names connector '${name}', which is not in the tenant's connector catalogue${didYouMean(name, catalogue.names)}`,
            resource,
            `/spec/connectorRules/${escapeSegment(name)}`,
          ),
        );
  }
  return diagnostics;
}

/** `default` and `id:<guid>` refs must exist in the tenant (names are checked by the loader). */
export function checkEnvironmentRefs({ desired, resolver }: CheckInput): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const check = (resource: DesiredResource, ref: string, pointer: string): void => {
    if (!isUnresolved(resolver.resolveEnvRef(ref))) return;
    const what =
      ref === "default"
        ? "the tenant has no default environment"
        : ref.startsWith("id:")
          ? `no environment with id ${ref.slice(3)} exists in the tenant`
          : `Environment/${ref} neither exists in the tenant nor is created by this plan`;
    diagnostics.push(
      documentDiagnostic(
        "PPG409",
        `environment reference '${ref}' cannot be resolved: ${what}`,
        resource,
        pointer,
      ),
    );
  };
  for (const resource of desired.byKind.DlpPolicy.filter(present)) {
    const scope = resource.spec.scope;
    if ("only" in scope)
      scope.only.forEach((ref, index) => check(resource, ref, `/spec/scope/only/${index}`));
    if ("except" in scope)
      scope.except.forEach((ref, index) => check(resource, ref, `/spec/scope/except/${index}`));
  }
  for (const resource of desired.byKind.BillingPolicy.filter(present))
    (resource.spec.environments ?? []).forEach((ref, index) =>
      check(resource, ref, `/spec/environments/${index}`),
    );
  for (const resource of desired.byKind.LicenseAllocation)
    check(resource, resource.spec.environment, "/spec/environment");
  return diagnostics;
}

/**
 * SKUs and service plans must exist; the Entra group must exist; and new group assignments must fit
 * in the available seats (prepaidUnits.enabled − consumedUnits). Approximation: a group that newly
 * gets a SKU needs one seat per member (the member count when the reader fetched it, else 1); seats a
 * group already holds are not counted again.
 */
export function checkLicenseAssignments({ desired, live, changes, resolver }: CheckInput): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const groups = new Set(live.licenseGroups.map((group) => group.id.toLowerCase()));
  for (const resource of desired.byKind.LicenseAssignment.filter(present)) {
    if (!groups.has(resource.spec.group.toLowerCase()))
      diagnostics.push(
        documentDiagnostic(
          "PPG411",
          `Entra group ${resource.spec.group} was not found in the tenant`,
          resource,
          "/spec/group",
        ),
      );
    resource.spec.licenses.forEach((license, index) => {
      const sku = resolver.skus.find(license.sku);
      if (sku === undefined) {
        diagnostics.push(
          documentDiagnostic(
            "PPG410",
            `SKU '${license.sku}' is not subscribed in the tenant${didYouMean(license.sku, resolver.skus.partNumbers)}`,
            resource,
            `/spec/licenses/${index}/sku`,
          ),
        );
        return;
      }
      (license.disabledPlans ?? []).forEach((plan, planIndex) => {
        if (resolver.skus.findPlan(sku, plan) === undefined)
          diagnostics.push(
            documentDiagnostic(
              "PPG410",
              `service plan '${plan}' is not part of ${sku.skuPartNumber}${didYouMean(
                plan,
                sku.servicePlans.map((p) => p.servicePlanName),
              )}`,
              resource,
              `/spec/licenses/${index}/disabledPlans/${planIndex}`,
            ),
          );
      });
    });
  }
  const memberCounts = lowerCaseKeys(live.licenseGroupMemberCounts ?? {});
  const needed = new Map<string, { seats: number; change: ResourceChange; index: number }>();
  for (const change of changes) {
    if (change.kind !== "LicenseAssignment" || (change.action !== "create" && change.action !== "update"))
      continue;
    const before = new Set(
      ((change.before as LicenseAssignmentCanonical | undefined)?.licenses ?? []).map((l) => l.skuId),
    );
    const after = (change.after as LicenseAssignmentCanonical).licenses;
    const members = memberCounts.get((change.after as LicenseAssignmentCanonical).group) ?? 1;
    after.forEach((license, index) => {
      if (before.has(license.skuId)) return;
      const entry = needed.get(license.skuId);
      if (entry) entry.seats += members;
      else needed.set(license.skuId, { seats: members, change, index });
    });
  }
  for (const [skuId, { seats, change, index }] of needed) {
    const sku = resolver.skus.find(skuId);
    if (sku === undefined || change.resource === undefined) continue;
    const available = sku.prepaidUnits.enabled - sku.consumedUnits;
    if (seats <= available) continue;
    diagnostics.push(
      documentDiagnostic(
        "PPG404",
        `${sku.skuPartNumber}: new assignments need ${seats} seat${seats === 1 ? "" : "s"} but ${Math.max(available, 0)} ${available === 1 ? "is" : "are"} available (${sku.prepaidUnits.enabled} enabled, ${sku.consumedUnits} consumed)`,
        change.resource,
        `/spec/licenses/${index}/sku`,
      ),
    );
  }
  return diagnostics;
}

/**
 * Deleting (or replacing, which deletes) a protected environment needs the override; the tenant's
 * default environment is never deleted.
 */
export function checkProtectedDeletes({
  changes,
  resolver,
  allowProtectedDeletes,
}: CheckInput): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const change of changes) {
    if (change.kind !== "Environment" || (change.action !== "delete" && change.action !== "replace"))
      continue;
    const verb = change.action === "delete" ? "delete" : `replace (${change.reason ?? "create-only change"})`;
    const live = change.id === undefined ? undefined : resolver.liveEnvironment(change.id);
    const spec = change.resource?.spec as EnvironmentSpec | undefined;
    const report = (message: string, pointer: string): void => {
      diagnostics.push(
        change.resource === undefined
          ? planDiagnostic("PPG405", message, change.address)
          : documentDiagnostic("PPG405", message, change.resource, pointer),
      );
    };
    if (live?.properties.isDefault === true) {
      report(
        `${change.address} is the tenant's default environment, which ppgov never deletes or replaces`,
        "/spec/ensure",
      );
      continue;
    }
    if (allowProtectedDeletes || !isDeletionProtected(spec, live?.properties.environmentSku)) continue;
    const why =
      spec?.deletionProtection === true
        ? "deletionProtection is true"
        : "deletionProtection defaults to true for Production";
    report(
      `the plan would ${verb} ${change.address} ("${change.displayName}"), which is protected (${why}): set deletionProtection: false in its document, or pass the override flag (--allow-protected-deletes)`,
      spec?.deletionProtection === undefined ? "/spec" : "/spec/deletionProtection",
    );
  }
  return diagnostics;
}

/**
 * An environment in an environment group cannot have its managed-environment settings changed: the
 * service refuses every governanceConfiguration call for it (GovernanceConfigurationChangeBlockedByGroup;
 * the Terraform provider's managed_environment resource and environment models), whatever the
 * group's rule set holds. So a change that leaves the environment in a group (or puts it in one) may
 * not touch `managed`; leaving the group first is fine (its PATCH runs before the settings call).
 */
export function checkGroupLockedSettings({ changes, live }: CheckInput): Diagnostic[] {
  const ruleSets = lowerCaseKeys(live.environmentGroupRuleSets ?? {});
  const diagnostics: Diagnostic[] = [];
  for (const change of changes) {
    if (change.kind !== "Environment" || change.resource === undefined) continue;
    if (change.action !== "update" && change.action !== "create" && change.action !== "replace") continue;
    const after = change.after as EnvironmentCanonical;
    if (after.group === undefined || after.group === null) continue;
    const group = typeof after.group === "string" ? after.group : "a group this plan creates";
    // Which rules own which settings, to say so in the message.
    const owners = new Map<string, string>([["enabled", "managed-environment"]]);
    for (const parameter of (typeof after.group === "string" ? ruleSets.get(after.group) : undefined)
      ?.parameters ?? [])
      for (const setting of RULE_PARAMETER_SETTINGS[parameter.type] ?? [])
        owners.set(setting, parameter.type);
    const touched =
      change.action === "update"
        ? [
            ...new Set(
              change.changedPaths.flatMap(({ path }) => {
                const setting = /^\/managed\/([^/]+)/.exec(path)?.[1];
                return setting === undefined ? [] : [setting];
              }),
            ),
          ]
        : // A create (or replace) sends the settings call when the document turns managed on.
          after.managed?.enabled === true
          ? ["enabled"]
          : [];
    for (const setting of touched) {
      const owner = owners.get(setting);
      diagnostics.push(
        documentDiagnostic(
          "PPG406",
          `managed.${setting} of ${change.address} cannot be set while it is in environment group ${group}: the service refuses managed-environment settings of an environment in a group (GovernanceConfigurationChangeBlockedByGroup)${owner === undefined ? "" : `, and the group's ${owner} rules govern it`}. Remove spec.managed, or take the environment out of the group`,
          change.resource,
          `/spec/managed/${setting}`,
        ),
      );
    }
  }
  return diagnostics;
}

/** securityGroupId lives on the Dataverse instance: without Dataverse it cannot be set. */
export function checkSecurityGroupNeedsDataverse({ changes }: CheckInput): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const change of changes) {
    if (change.kind !== "Environment" || change.resource === undefined) continue;
    if (change.action === "no-op" || change.action === "delete") continue;
    const after = change.after as EnvironmentCanonical;
    if (after.securityGroupId && !after.dataverse)
      diagnostics.push(
        documentDiagnostic(
          "PPG415",
          `${change.address} sets securityGroupId but has no Dataverse: add spec.dataverse, or remove securityGroupId`,
          change.resource,
          "/spec/securityGroupId",
        ),
      );
  }
  return diagnostics;
}

/** Each kind's own `changeProblems` over its planned creates, updates and replaces. */
export function checkKindChangeProblems({ changes, resolver }: CheckInput): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const change of changes) {
    const { action, resource, after } = change;
    if (resource === undefined || after === undefined) continue;
    if (action !== "create" && action !== "update" && action !== "replace") continue;
    const kind: AnyKind = KIND_REGISTRY[change.kind];
    const problems =
      kind.changeProblems?.(
        {
          action,
          address: change.address,
          ...(change.before === undefined ? {} : { before: change.before }),
          after,
          ...(change.reason === undefined ? {} : { reason: change.reason }),
        },
        resource.spec,
        resolver,
      ) ?? [];
    for (const problem of problems)
      diagnostics.push(documentDiagnostic(problem.code, problem.message, resource, problem.pointer));
  }
  return diagnostics;
}
