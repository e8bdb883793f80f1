import type {
  AssignLicenseBody,
  DlpPolicyWriteBody,
  EnvironmentCreateBody,
  EnvironmentPatchBody,
  GovernanceConfiguration,
  ProvisionInstanceBody,
  WireDlpPolicy,
  WireEnvironment,
  WireTenantIsolationPolicy,
} from "../wire/types.js";
import { normalizeId } from "../kinds/ids.js";
import type { Json } from "../kinds/json.js";
import { substituteRefs } from "../kinds/placeholder.js";
import type { LiveTenant } from "./live-tenant.js";
import type { Plan, PlanStep } from "./types.js";

/**
 * Applies a plan's steps to a copy of a LiveTenant the way the service would, without any I/O: the
 * model behind "apply, then re-plan is empty" tests and dry runs. Ids of created objects are
 * deterministic ("00000000-0000-4000-8000-00000000000n", skipping ids in use). Throws on a request it does not know: a
 * step the planner should not have produced.
 */
export function simulateApply(plan: Pick<Plan, "steps">, live: LiveTenant): LiveTenant {
  const state = copyForSimulation(live);
  const resolved = new Map<string, string>();
  const taken = new Set<string>([
    ...state.environments.map((environment) => environment.name.toLowerCase()),
    ...state.environmentGroups.map((group) => group.id.toLowerCase()),
    ...state.dlpPolicies.map((policy) => policy.policyDefinition.name.toLowerCase()),
    ...state.billingPolicies.map((record) => record.policy.id.toLowerCase()),
  ]);
  let counter = 0;
  const newId = (): string => {
    let id: string;
    do {
      counter += 1;
      id = `00000000-0000-4000-8000-${counter.toString(16).padStart(12, "0")}`;
    } while (taken.has(id));
    taken.add(id);
    return id;
  };
  plan.steps.forEach((step, index) => {
    const path = substituteRefs(step.path, resolved);
    const body = step.body === undefined ? undefined : substituteRefs(step.body, resolved);
    const produced = applyStep(state, step, path.split("?")[0]!, body, newId, index + 1);
    if (step.produces && produced !== undefined) resolved.set(step.produces.ref, produced);
  });
  return state;
}

/**
 * Collections no step writes (the connector catalogue, SKUs) are shared with `live`. DLP policies and
 * allocations, which a step only ever replaces whole, and environments, which findEnvironment copies
 * before a step changes one, are new containers of the same objects. Everything else is a deep copy.
 * A large tenant's DLP policies and environments are most of its size, and copying them all dominated
 * the plan's effect section. The result must be treated as read-only where it shares.
 */
const SHARED: ReadonlySet<string> = new Set<keyof LiveTenant>([
  "connectors",
  "unblockableConnectorIds",
  "virtualConnectors",
  "subscribedSkus",
  "previousCatalogue",
]);
const SHALLOW: ReadonlySet<string> = new Set<keyof LiveTenant>([
  "dlpPolicies",
  "environments",
  "allocations",
]);

function copyForSimulation(live: LiveTenant): LiveTenant {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(live))
    copy[key] = SHARED.has(key)
      ? value
      : SHALLOW.has(key)
        ? Array.isArray(value)
          ? [...(value as unknown[])]
          : { ...(value as Record<string, unknown>) }
        : structuredClone(value);
  return copy as unknown as LiveTenant;
}

/** The environment, as a fresh copy in its place in `state`: the caller may change it (copyForSimulation). */
function findEnvironment(state: LiveTenant, id: string): WireEnvironment {
  // Step paths usually carry the name exactly as listed: compare as is first, normalised only if not.
  let index = state.environments.findIndex((candidate) => candidate.name === id);
  if (index === -1) {
    const wanted = normalizeId(id);
    if (wanted !== null)
      index = state.environments.findIndex((candidate) => normalizeId(candidate.name) === wanted);
  }
  const found = state.environments[index];
  if (found === undefined) throw new Error(`simulate: environment ${id} not found`);
  const environment = structuredClone(found);
  state.environments[index] = environment;
  return environment;
}

function touch(environment: WireEnvironment, stamp: number): void {
  environment.properties.lastModifiedTime = `simulated-${stamp}`;
}

const ROUTES: [
  RegExp,
  (
    state: LiveTenant,
    match: RegExpExecArray,
    body: unknown,
    newId: () => string,
    stamp: number,
  ) => string | void,
][] = [
  [
    /^\/providers\/Microsoft\.BusinessAppPlatform\/environments$/,
    (state, _match, body, newId, stamp) => {
      const request = body as EnvironmentCreateBody;
      const id = newId();
      const p = request.properties;
      const linked = p.linkedEnvironmentMetadata;
      state.environments.push({
        id: `/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${id}`,
        name: id,
        location: request.location,
        properties: {
          displayName: p.displayName,
          description: p.description ?? "",
          environmentSku: p.environmentSku,
          ...(p.azureRegion === undefined ? {} : { azureRegion: p.azureRegion }),
          updateCadence: p.updateCadence ?? { id: "Moderate" },
          isDefault: false,
          states: { management: { id: "Ready" }, runtime: { id: "Enabled" } },
          governanceConfiguration: { protectionLevel: "Basic" },
          lastModifiedTime: `simulated-${stamp}`,
          ...(p.parentEnvironmentGroup ? { parentEnvironmentGroup: p.parentEnvironmentGroup } : {}),
          linkedEnvironmentMetadata:
            linked === undefined
              ? null
              : {
                  domainName: linked.domainName ?? id,
                  baseLanguage: linked.baseLanguage,
                  currency: linked.currency,
                  ...(linked.securityGroupId === undefined
                    ? {}
                    : { securityGroupId: linked.securityGroupId }),
                },
        },
      });
      return id;
    },
  ],
  [
    /^\/providers\/Microsoft\.BusinessAppPlatform\/scopes\/admin\/environments\/([^/]+)\/modifySku$/,
    (state, match, body, _newId, stamp) => {
      const environment = findEnvironment(state, match[1]!);
      environment.properties.environmentSku = (body as { environmentSku: "Production" }).environmentSku;
      touch(environment, stamp);
    },
  ],
  [
    /^\/providers\/Microsoft\.BusinessAppPlatform\/environments\/([^/]+)\/provisionInstance$/,
    (state, match, body, _newId, stamp) => {
      const environment = findEnvironment(state, match[1]!);
      const request = body as ProvisionInstanceBody;
      environment.properties.linkedEnvironmentMetadata = {
        domainName: request.domainName ?? environment.name,
        baseLanguage: request.baseLanguage,
        currency: request.currency,
        ...(request.securityGroupId === undefined ? {} : { securityGroupId: request.securityGroupId }),
      };
      touch(environment, stamp);
    },
  ],
  [
    /^\/providers\/Microsoft\.BusinessAppPlatform\/environments\/([^/]+)\/governanceConfiguration$/,
    (state, match, body, _newId, stamp) => {
      const environment = findEnvironment(state, match[1]!);
      environment.properties.governanceConfiguration = structuredClone(body as GovernanceConfiguration);
      touch(environment, stamp);
    },
  ],
  [
    /^\/providers\/Microsoft\.BusinessAppPlatform\/scopes\/admin\/environments\/([^/]+)$/,
    (state, match, body, _newId, stamp) => {
      const environment = findEnvironment(state, match[1]!);
      if (body === undefined || (body as { code?: string }).code !== undefined) {
        state.environments = state.environments.filter((candidate) => candidate !== environment);
        return;
      }
      patchEnvironment(environment, (body as EnvironmentPatchBody).properties);
      touch(environment, stamp);
    },
  ],
  [
    /^\/providers\/Microsoft\.BusinessAppPlatform\/environmentGroups$/,
    (state, _match, body, newId) => {
      const id = newId();
      const request = body as { displayName: string; description: string };
      state.environmentGroups.push({
        id,
        displayName: request.displayName,
        description: request.description,
      });
      return id;
    },
  ],
  [
    /^\/providers\/Microsoft\.BusinessAppPlatform\/environmentGroups\/([^/]+)$/,
    (state, match, body) => {
      const id = normalizeId(match[1]);
      if (body === undefined) {
        state.environmentGroups = state.environmentGroups.filter((group) => normalizeId(group.id) !== id);
        return;
      }
      const group = state.environmentGroups.find((candidate) => normalizeId(candidate.id) === id);
      if (group === undefined) throw new Error(`simulate: group ${id} not found`);
      Object.assign(group, body);
    },
  ],
  [
    /^\/environmentmanagement\/environmentGroups\/([^/]+)\/removeEnvironment\/([^/]+)$/,
    (state, match) => {
      delete findEnvironment(state, match[2]!).properties.parentEnvironmentGroup;
    },
  ],
  [
    /^\/governance\/ruleSets\/([^/]+)$/,
    (state, match) => {
      const id = match[1]!.toLowerCase();
      state.environmentGroupRuleSets = Object.fromEntries(
        Object.entries(state.environmentGroupRuleSets ?? {}).filter(
          ([, ruleSet]) => ruleSet.id.toLowerCase() !== id,
        ),
      );
    },
  ],
  [
    /^\/providers\/PowerPlatform\.Governance\/v2\/policies(?:\/([^/]+))?$/,
    (state, match, body, newId, stamp) => {
      const name = match[1];
      if (body === undefined) {
        state.dlpPolicies = state.dlpPolicies.filter(
          (policy) => normalizeId(policy.policyDefinition.name) !== normalizeId(name),
        );
        return;
      }
      const request = structuredClone(body as DlpPolicyWriteBody);
      const id = name ?? newId();
      const policy: WireDlpPolicy = {
        policyDefinition: { ...request.policyDefinition, name: id, etag: `simulated-${stamp}` },
        ...(request.connectorConfigurationsDefinition
          ? { connectorConfigurationsDefinition: request.connectorConfigurationsDefinition }
          : {}),
        customConnectorUrlPatternsDefinition: request.customConnectorUrlPatternsDefinition,
      };
      state.dlpPolicies = [
        ...state.dlpPolicies.filter((p) => normalizeId(p.policyDefinition.name) !== normalizeId(id)),
        policy,
      ];
      return id;
    },
  ],
  [
    /^\/licensing\/billingPolicies$/i,
    (state, _match, body, newId) => {
      const request = body as {
        location: string;
        name: string;
        status: string;
        billingInstrument: { resourceGroup: string; subscriptionId: string };
      };
      const id = newId();
      state.billingPolicies.push({ policy: { id, ...structuredClone(request) }, environmentIds: [] });
      return id;
    },
  ],
  [
    /^\/licensing\/billingPolicies\/([^/]+)\/environments\/(add|remove)$/i,
    (state, match, body) => {
      const record = state.billingPolicies.find(
        (candidate) => normalizeId(candidate.policy.id) === normalizeId(match[1]),
      );
      if (record === undefined) throw new Error(`simulate: billing policy ${match[1]} not found`);
      const ids = (body as { environmentIds: string[] }).environmentIds.map((id) => id.toLowerCase());
      record.environmentIds =
        match[2]!.toLowerCase() === "add"
          ? [...new Set([...record.environmentIds, ...ids])]
          : record.environmentIds.filter((id) => !ids.includes(id));
    },
  ],
  [
    /^\/licensing\/billingPolicies\/([^/]+)$/i,
    (state, match, body) => {
      const id = normalizeId(match[1]);
      if (body === undefined) {
        state.billingPolicies = state.billingPolicies.filter(
          (record) => normalizeId(record.policy.id) !== id,
        );
        return;
      }
      const record = state.billingPolicies.find((candidate) => normalizeId(candidate.policy.id) === id);
      if (record === undefined) throw new Error(`simulate: billing policy ${id} not found`);
      Object.assign(record.policy, body);
    },
  ],
  [
    /^\/licensing\/environments\/([^/]+)\/allocations$/,
    (state, match, body) => {
      const id = match[1]!.toLowerCase();
      const current = new Map(
        (state.allocations[id] ?? []).map((entry) => [entry.currencyType, entry.allocated]),
      );
      for (const entry of (body as { currencyAllocations: { currencyType: string; allocated: number }[] })
        .currencyAllocations) {
        current.set(entry.currencyType, entry.allocated);
      }
      state.allocations[id] = [...current].map(([currencyType, allocated]) => ({ currencyType, allocated }));
    },
  ],
  [
    /^\/providers\/Microsoft\.BusinessAppPlatform\/scopes\/admin\/updateTenantSettings$/,
    (state, _match, body) => {
      if (state.tenantSettings === undefined) throw new Error("simulate: tenant settings not read");
      mergeSettings(state.tenantSettings.settings, body);
    },
  ],
  [
    /^\/providers\/PowerPlatform\.Governance\/v1\/tenants\/([^/]+)\/tenantIsolationPolicy$/,
    (state, match, body) => {
      const request = structuredClone(body as WireTenantIsolationPolicy);
      state.tenantIsolation = { tenantId: match[1]!, policy: request };
    },
  ],
  [
    /^\/v1\.0\/groups\/([^/]+)\/assignLicense$/,
    (state, match, body) => {
      const group = state.licenseGroups.find(
        (candidate) => normalizeId(candidate.id) === normalizeId(match[1]),
      );
      if (group === undefined) throw new Error(`simulate: group ${match[1]} not found`);
      const request = body as AssignLicenseBody;
      const removed = new Set(
        [...request.removeLicenses, ...request.addLicenses.map((l) => l.skuId)].map((id) => id.toLowerCase()),
      );
      group.assignedLicenses = [
        ...group.assignedLicenses.filter((license) => !removed.has(license.skuId.toLowerCase())),
        ...request.addLicenses.map((license) => structuredClone(license)),
      ];
    },
  ],
];

/** updateTenantSettings merges a partial object into the settings (TF internal/services/tenant_settings). */
function mergeSettings(target: Record<string, unknown>, patch: unknown): void {
  if (typeof patch !== "object" || patch === null) return;
  for (const [key, value] of Object.entries(patch)) {
    const current = target[key];
    if (typeof value === "object" && value !== null && typeof current === "object" && current !== null)
      mergeSettings(current as Record<string, unknown>, value);
    else target[key] = structuredClone(value);
  }
}

function patchEnvironment(environment: WireEnvironment, patch: EnvironmentPatchBody["properties"]): void {
  const p = environment.properties;
  if (patch.displayName !== undefined) p.displayName = patch.displayName;
  if (patch.description !== undefined) p.description = patch.description;
  if (patch.updateCadence !== undefined) p.updateCadence = patch.updateCadence;
  if (patch.parentEnvironmentGroup !== undefined) {
    if (normalizeId(patch.parentEnvironmentGroup.id) === null) delete p.parentEnvironmentGroup;
    else p.parentEnvironmentGroup = patch.parentEnvironmentGroup;
  }
  if (patch.states?.runtime !== undefined)
    p.states = { ...p.states, runtime: { id: patch.states.runtime.id } };
  if (patch.linkedEnvironmentMetadata !== undefined && p.linkedEnvironmentMetadata) {
    const linked = p.linkedEnvironmentMetadata;
    if (patch.linkedEnvironmentMetadata.domainName !== undefined)
      linked.domainName = patch.linkedEnvironmentMetadata.domainName;
    const group = normalizeId(patch.linkedEnvironmentMetadata.securityGroupId);
    if (group === null) delete linked.securityGroupId;
    else linked.securityGroupId = group;
  }
}

function applyStep(
  state: LiveTenant,
  step: PlanStep,
  path: string,
  body: Json | undefined,
  newId: () => string,
  stamp: number,
): string | undefined {
  for (const [pattern, handler] of ROUTES) {
    const match = pattern.exec(path);
    if (match === null) continue;
    const produced = handler(state, match, body, newId, stamp);
    return typeof produced === "string" ? produced : undefined;
  }
  throw new Error(`simulate: no model for ${step.method} ${path}`);
}
