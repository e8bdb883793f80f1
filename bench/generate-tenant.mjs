// Generates a large tenant for the plan benchmark: an emulator seed (PRODUCT.md §3) and the matching
// policy repository with about 1% of its resources changed, so the plan has something to show.
//   node bench/generate-tenant.mjs --scale 1 --out DIR [--random-seed N] [--profile plan|apply]
//                                  (writes DIR/seed.json, DIR/policies/)
// Scale 1 is the reference tenant: 5,000 environments, 200 DLP policies each classifying the whole
// catalogue of 1,000 connectors with 20 action rules and 5 endpoint rules, 5,000 allocations and 200
// group license assignments. Deterministic: one seeded PRNG (--random-seed, default 20261122), fixed
// timestamps.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REFERENCE = { environments: 5000, dlpPolicies: 200, allocations: 5000, assignments: 200 };
const CONNECTOR_COUNT = 1000;
const TENANT = "7d1e0c52-9b3a-4f6e-8a21-5c4b3d2e1f00";
const API = "/providers/Microsoft.PowerApps/apis/";
const ENV_PATH = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/";
const ENVIRONMENTS_PER_FILE = 50;
const CURRENCY_TYPES = ["AppPass", "PowerAutomatePerProcess", "AI", "PerFlowPlan"];
/** Connectors Microsoft marks unblockable: never generated into Blocked. */
const UNBLOCKABLE = ["shared_approvals", "shared_office365", "shared_sharepointonline", "shared_teams"];

/** mulberry32: small, fast, and the same sequence on every machine. */
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function guidFrom(random) {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const pad = (n, width = 5) => String(n).padStart(width, "0");
const q = (value) => JSON.stringify(value); // a JSON string is a valid YAML double-quoted scalar

function connectorNames() {
  const names = [...UNBLOCKABLE];
  for (let i = names.length; i < CONNECTOR_COUNT; i++) names.push(`shared_benchconnector${pad(i, 4)}`);
  return names;
}

function connectorObject(name, index) {
  return {
    name,
    id: `${API}${name}`,
    type: "Microsoft.PowerApps/apis",
    properties: {
      displayName: name.replace(/^shared_/, "Bench ").replace(/connector/, "connector "),
      apiEnvironment: "Shared",
      isCustomApi: false,
      tier: index % 3 === 0 ? "Premium" : "Standard",
      publisher: index < UNBLOCKABLE.length ? "Microsoft" : "Bench Publisher",
      capabilities: ["actions"],
      createdTime: "2024-01-01T00:00:00.0000000Z",
      changedTime: "2026-10-30T00:00:00.0000000Z",
      releaseTag: "Production",
    },
  };
}

function environmentObject(env) {
  return {
    id: `${ENV_PATH}${env.id}`,
    type: "Microsoft.BusinessAppPlatform/scopes/environments",
    location: env.location,
    name: env.id,
    properties: {
      tenantId: TENANT,
      azureRegion: env.location === "europe" ? "westeurope" : "eastus",
      displayName: env.displayName,
      description: env.description,
      createdTime: "2025-02-01T10:00:00.0000000Z",
      createdBy: { id: "SYSTEM", displayName: "SYSTEM", type: "NotSpecified" },
      lastModifiedTime: "2026-10-01T10:00:00.0000000Z",
      provisioningState: "Succeeded",
      creationType: env.isDefault ? "DefaultTenant" : "User",
      environmentSku: env.type,
      isDefault: env.isDefault,
      clientUris: {
        admin: `https://admin.powerplatform.microsoft.com/environments/environment/${env.id}/hub`,
        maker: `https://make.powerapps.com/environments/${env.id}/home`,
      },
      databaseType: "None",
      linkedEnvironmentMetadata: null,
      retentionPeriod: "P7D",
      states: { management: { id: "Ready" }, runtime: { id: "Enabled" } },
      updateCadence: { id: "Frequent" },
      governanceConfiguration: { protectionLevel: "Basic" },
      bingChatEnabled: true,
      m365Enabled: true,
      copilotPolicies: {
        crossGeoCopilotDataMovementEnabled: false,
        crossBoundaryCopilotDataMovementEnabled: false,
      },
    },
  };
}

/** Everything about the tenant, as plain values both outputs are derived from. */
function buildModel(scale, seed) {
  const random = prng(seed);
  const count = (n) => Math.max(1, Math.round(n * scale));
  const names = connectorNames();

  const environments = Array.from({ length: count(REFERENCE.environments) }, (_, i) => {
    const isDefault = i === 0;
    return {
      index: i,
      id: isDefault ? `Default-${TENANT}` : guidFrom(random),
      name: `env-${pad(i)}`,
      displayName: isDefault ? "Bench (default)" : `Bench environment ${pad(i)}`,
      description: `Apps and flows of team ${pad(i % 97, 3)}`,
      location: i % 3 === 0 ? "europe" : "unitedstates",
      type: isDefault ? "Default" : i % 4 === 0 ? "Production" : "Sandbox",
      isDefault,
    };
  });
  // The default environment stays unmanaged (the repo declares every other one).
  const managedEnvironments = environments.filter((env) => !env.isDefault);

  const dlpPolicies = Array.from({ length: count(REFERENCE.dlpPolicies) }, (_, p) => {
    const groups = { business: [], nonBusiness: [], blocked: [] };
    for (const name of names) {
      const roll = random();
      const group = roll < 0.3 ? "business" : roll < 0.8 ? "nonBusiness" : "blocked";
      groups[UNBLOCKABLE.includes(name) && group === "blocked" ? "business" : group].push(name);
    }
    const ruleConnectors = names.slice(UNBLOCKABLE.length + (p % 50), UNBLOCKABLE.length + (p % 50) + 12);
    // 10 connectors × 2 action rules = 20; 2 connectors with 2 + 3 endpoint rules = 5.
    const actions = ruleConnectors.slice(0, 10).map((connector, i) => ({
      connector,
      default: i % 2 === 0 ? "allow" : "block",
      list: [`Action${pad(p % 40, 2)}A`, `Action${pad(i, 2)}B`],
    }));
    const endpoints = [
      {
        connector: ruleConnectors[10],
        rules: [
          ["allow", `p${p}.bench.example.com`],
          ["deny", "*"],
        ],
      },
      {
        connector: ruleConnectors[11],
        rules: [
          ["allow", `db${p}.database.windows.net`],
          ["allow", "*.contoso.com"],
          ["deny", "*"],
        ],
      },
    ];
    const scopeKind = p % 10 === 0 ? "all" : p % 10 < 7 ? "only" : "except";
    const scopeEnvironments =
      scopeKind === "all"
        ? []
        : Array.from(
            { length: 5 + (p % 20) },
            (_, k) => managedEnvironments[(p * 37 + k * 11) % managedEnvironments.length],
          ).filter((env, k, all) => all.indexOf(env) === k);
    return {
      index: p,
      id: guidFrom(random),
      name: `dlp-${pad(p, 3)}`,
      displayName: `Bench data policy ${pad(p, 3)}`,
      defaultGroup: ["business", "nonBusiness", "blocked"][p % 3],
      groups,
      actions,
      endpoints,
      scopeKind,
      scopeEnvironments,
      etag: guidFrom(random),
    };
  });

  const allocations = managedEnvironments.slice(0, count(REFERENCE.allocations)).map((env, i) => ({
    name: `alloc-${env.name}`,
    environment: env,
    values: Object.fromEntries(
      CURRENCY_TYPES.slice(0, 1 + (i % CURRENCY_TYPES.length)).map((type) => [
        type,
        1 + Math.floor(random() * 20),
      ]),
    ),
  }));

  const skus = Array.from({ length: 5 }, (_, s) => ({
    skuId: guidFrom(random),
    skuPartNumber: `BENCH_SKU_${s}`,
    plans: Array.from({ length: 4 }, (_, k) => ({ id: guidFrom(random), name: `BENCH_PLAN_${s}_${k}` })),
  }));
  const assignments = Array.from({ length: count(REFERENCE.assignments) }, (_, g) => {
    const sku = skus[g % skus.length];
    return {
      name: `group-${pad(g, 4)}`,
      groupId: guidFrom(random),
      displayName: `Bench licensed group ${pad(g, 4)}`,
      members: 5 + (g % 40),
      licenses: [{ sku, disabled: g % 2 === 0 ? [sku.plans[1]] : [] }],
    };
  });
  return { environments, managedEnvironments, dlpPolicies, allocations, skus, assignments, names };
}

function wireClassification(group) {
  return { business: "Confidential", nonBusiness: "General", blocked: "Blocked" }[group];
}

function dlpObject(policy) {
  const ref = (name) => ({ id: `${API}${name}`, name, type: "Microsoft.PowerApps/apis" });
  return {
    policyDefinition: {
      name: policy.id,
      displayName: policy.displayName,
      defaultConnectorsClassification: wireClassification(policy.defaultGroup),
      connectorGroups: ["business", "nonBusiness", "blocked"].map((group) => ({
        classification: wireClassification(group),
        connectors: policy.groups[group].map(ref),
      })),
      environmentType: { all: "AllEnvironments", only: "OnlyEnvironments", except: "ExceptEnvironments" }[
        policy.scopeKind
      ],
      environments: policy.scopeEnvironments.map((env) => ({
        id: `${ENV_PATH}${env.id}`,
        name: env.id,
        type: "Microsoft.BusinessAppPlatform/scopes/environments",
      })),
      createdBy: { displayName: "Bench admin" },
      createdTime: "2025-03-01T09:00:00.0000000Z",
      lastModifiedBy: { displayName: "Bench admin" },
      lastModifiedTime: "2026-09-01T09:00:00.0000000Z",
      etag: policy.etag,
      isLegacySchemaVersion: false,
    },
    connectorConfigurationsDefinition: {
      connectorActionConfigurations: policy.actions.map((rule) => ({
        connectorId: `${API}${rule.connector}`,
        actionRules: rule.list.map((actionId) => ({
          actionId,
          behavior: rule.default === "allow" ? "Block" : "Allow",
        })),
        defaultConnectorActionRuleBehavior: rule.default === "allow" ? "Allow" : "Block",
      })),
      endpointConfigurations: policy.endpoints.map((config) => ({
        connectorId: `${API}${config.connector}`,
        endpointRules: config.rules.map(([behavior, endPoint], i) => ({
          order: i + 1,
          behavior: behavior === "allow" ? "Allow" : "Deny",
          endPoint,
        })),
      })),
    },
    customConnectorUrlPatternsDefinition: {
      rules: [
        { order: 1, customConnectorRuleClassification: "Confidential", pattern: "https://*.contoso.com" },
        { order: 2, customConnectorRuleClassification: "Ignore", pattern: "*" },
      ],
    },
  };
}

export function buildSeed(model) {
  const allocated = new Map();
  for (const allocation of model.allocations)
    for (const [type, n] of Object.entries(allocation.values))
      allocated.set(type, (allocated.get(type) ?? 0) + n);
  return {
    tenantId: TENANT,
    environments: model.environments.map(environmentObject),
    dlpPolicies: model.dlpPolicies.map(dlpObject),
    connectors: model.names.map(connectorObject),
    unblockableConnectors: UNBLOCKABLE.map((name) => ({
      id: `${API}${name}`,
      metadata: { unblockable: true },
    })),
    allocations: Object.fromEntries(
      model.allocations.map((a) => [
        a.environment.id.toLowerCase(),
        Object.entries(a.values).map(([currencyType, n]) => ({ currencyType, allocated: n })),
      ]),
    ),
    // Room for the changed allocations: three times what is allocated.
    currencyPool: Object.fromEntries(
      CURRENCY_TYPES.map((type) => [type, 3 * (allocated.get(type) ?? 0) + 100]),
    ),
    subscribedSkus: model.skus.map((sku) => ({
      skuId: sku.skuId,
      skuPartNumber: sku.skuPartNumber,
      accountId: TENANT,
      appliesTo: "User",
      capabilityStatus: "Enabled",
      consumedUnits: 1000,
      id: `${TENANT}_${sku.skuId}`,
      prepaidUnits: { enabled: 1_000_000, lockedOut: 0, suspended: 0, warning: 0 },
      servicePlans: sku.plans.map((plan) => ({
        servicePlanId: plan.id,
        servicePlanName: plan.name,
        provisioningStatus: "Success",
        appliesTo: "User",
      })),
    })),
    groups: model.assignments.map((group) => ({
      id: group.groupId,
      displayName: group.displayName,
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
      assignedLicenses: group.licenses.map((l) => ({
        skuId: l.sku.skuId,
        disabledPlans: l.disabled.map((p) => p.id),
      })),
    })),
    groupMemberCounts: Object.fromEntries(model.assignments.map((g) => [g.groupId, g.members])),
  };
}

/** Picks every hundredth resource of a kind (at least one): the ~1% the repository changes. */
const everyHundredth = (index) => index % 100 === 7;

/** `count` of `total` indices, spread evenly: a predicate on the index. */
function spread(total, count) {
  const picked = new Set(
    Array.from({ length: Math.min(count, total) }, (_, k) => Math.floor((k * total) / count)),
  );
  return (index) => picked.has(index);
}

/**
 * What the repository changes. "plan": about 1% of each kind (the plan benchmark). "apply": the apply
 * benchmark's mix at scale 1 (50 new environments, 200 environment updates, 100 DLP policy updates,
 * 150 allocation changes), scaled like the tenant.
 */
function changeProfile(name, model, scale) {
  if (name === "plan")
    return {
      environment: everyHundredth,
      dlp: (index) => everyHundredth(index) || index === 0,
      allocation: everyHundredth,
      assignment: everyHundredth,
      newEnvironments: 0,
    };
  if (name === "apply") {
    const count = (n) => Math.max(1, Math.round(n * scale));
    return {
      environment: spread(model.managedEnvironments.length, count(200)),
      dlp: spread(model.dlpPolicies.length, count(100)),
      allocation: spread(model.allocations.length, count(150)),
      assignment: () => false,
      newEnvironments: count(50),
    };
  }
  throw new Error(`unknown change profile "${name}" (plan, apply)`);
}

function environmentYaml(env, changed) {
  const description = changed(env.index) ? `${env.description} (renamed in this change)` : env.description;
  const id = env.id === undefined ? "" : `\n  id: ${env.id}`;
  return `apiVersion: ppgov/v1
kind: Environment
metadata:
  name: ${env.name}${id}
spec:
  displayName: ${q(env.displayName)}
  description: ${q(description)}
  location: ${env.location}
  type: ${env.type}
`;
}

function dlpYaml(policy, changed) {
  const groups = structuredClone(policy.groups);
  if (changed(policy.index) && policy.groups.nonBusiness.length > 0) {
    // Reclassify one connector: the typical reviewed change.
    const moved = groups.nonBusiness.shift();
    if (moved !== undefined) groups.business.push(moved);
  }
  const list = (names) => (names.length === 0 ? " []\n" : `\n${names.map((n) => `      - ${n}\n`).join("")}`);
  const scope =
    policy.scopeKind === "all"
      ? "    all: true\n"
      : `    ${policy.scopeKind}:\n${policy.scopeEnvironments.map((env) => `      - ${env.name}\n`).join("")}`;
  const rules = [
    ...policy.actions.map(
      (rule) =>
        `    ${rule.connector}:\n      actions:\n        default: ${rule.default}\n        ${rule.default === "allow" ? "block" : "allow"}:\n${rule.list.map((a) => `          - ${a}\n`).join("")}`,
    ),
    ...policy.endpoints.map(
      (config) =>
        `    ${config.connector}:\n      endpoints:\n${config.rules.map(([behavior, pattern]) => `        - ${behavior}: ${q(pattern)}\n`).join("")}`,
    ),
  ].join("");
  return `apiVersion: ppgov/v1
kind: DlpPolicy
metadata:
  name: ${policy.name}
  id: ${policy.id}
spec:
  displayName: ${q(policy.displayName)}
  scope:
${scope}  defaultGroup: ${policy.defaultGroup}
  connectors:
    business:${list(groups.business)}    nonBusiness:${list(groups.nonBusiness)}    blocked:${list(groups.blocked)}  connectorRules:
${rules}  customConnectorUrlPatterns:
    - pattern: "https://*.contoso.com"
      group: business
    - pattern: "*"
      group: ignore
`;
}

function allocationYaml(allocation, index, changed) {
  const values = Object.entries(allocation.values)
    .map(([type, n], k) => `    ${type}: ${changed(index) && k === 0 ? n + 1 : n}\n`)
    .join("");
  return `apiVersion: ppgov/v1
kind: LicenseAllocation
metadata:
  name: ${allocation.name}
spec:
  environment: ${allocation.environment.name}
  allocations:
${values}`;
}

function assignmentYaml(group, index, changed) {
  const licenses = group.licenses
    .map((license) => {
      const disabled = changed(index) ? [...license.disabled, license.sku.plans[2]] : license.disabled;
      const plans =
        disabled.length === 0
          ? ""
          : `\n      disabledPlans:\n${disabled.map((p) => `        - ${p.name}\n`).join("")}`;
      return `    - sku: ${license.sku.skuPartNumber}${plans === "" ? "\n" : plans}`;
    })
    .join("");
  return `apiVersion: ppgov/v1
kind: LicenseAssignment
metadata:
  name: ${group.name}
spec:
  group: ${group.groupId}
  licenses:
${licenses}`;
}

/** Writes the repository; returns how many documents and how many of them differ from the tenant. */
function writeRepo(model, dir, changes) {
  const write = (relative, docs) => {
    const path = join(dir, relative);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, docs.join("---\n"));
  };
  write("tenant.yaml", [
    `apiVersion: ppgov/v1\nkind: Tenant\nmetadata:\n  name: bench\nspec:\n  tenantId: ${TENANT}\n`,
  ]);
  const envs = model.managedEnvironments;
  for (let start = 0; start < envs.length; start += ENVIRONMENTS_PER_FILE) {
    write(
      `environments/team-${pad(start / ENVIRONMENTS_PER_FILE, 3)}.yaml`,
      envs
        .slice(start, start + ENVIRONMENTS_PER_FILE)
        .map((env) => environmentYaml(env, changes.environment)),
    );
  }
  const created = Array.from({ length: changes.newEnvironments }, (_, k) => ({
    index: -1,
    name: `new-env-${pad(k)}`,
    displayName: `Bench new environment ${pad(k)}`,
    description: "Created by the apply benchmark",
    location: "unitedstates",
    type: "Sandbox",
  }));
  if (created.length > 0)
    write(
      "environments/new.yaml",
      created.map((env) => environmentYaml(env, () => false)),
    );
  for (const policy of model.dlpPolicies) write(`dlp/${policy.name}.yaml`, [dlpYaml(policy, changes.dlp)]);
  for (let start = 0; start < model.allocations.length; start += ENVIRONMENTS_PER_FILE) {
    write(
      `licensing/allocations-${pad(start / ENVIRONMENTS_PER_FILE, 3)}.yaml`,
      model.allocations
        .slice(start, start + ENVIRONMENTS_PER_FILE)
        .map((a, k) => allocationYaml(a, start + k, changes.allocation)),
    );
  }
  write(
    "licensing/assignments.yaml",
    model.assignments.map((group, index) => assignmentYaml(group, index, changes.assignment)),
  );
  const changedCount = (list, isChanged) => list.filter(isChanged).length;
  return {
    documents:
      1 +
      envs.length +
      created.length +
      model.dlpPolicies.length +
      model.allocations.length +
      model.assignments.length,
    changed:
      created.length +
      changedCount(envs, (env) => changes.environment(env.index)) +
      changedCount(model.dlpPolicies, (p) => changes.dlp(p.index) && p.groups.nonBusiness.length > 0) +
      changedCount(model.allocations, (_, i) => changes.allocation(i)) +
      changedCount(model.assignments, (_, i) => changes.assignment(i)),
  };
}

/** The PRNG seed used unless one is given: the figures in docs/performance.md come from it. */
export const DEFAULT_RANDOM_SEED = 20261122;

/**
 * Generates the tenant of `scale` into `out`: `seed.json` and `policies/`. Another `seed` (any integer)
 * gives other ids and another connector classification with the same sizes and changed share.
 */
export function generateTenant({ scale, out, seed = DEFAULT_RANDOM_SEED, profile = "plan" }) {
  const model = buildModel(scale, seed);
  mkdirSync(out, { recursive: true });
  const seedPath = join(out, "seed.json");
  writeFileSync(seedPath, JSON.stringify(buildSeed(model)));
  const repoDir = join(out, "policies");
  const repo = writeRepo(model, repoDir, changeProfile(profile, model, scale));
  return {
    seedPath,
    repoDir,
    randomSeed: seed,
    counts: {
      environments: model.environments.length,
      dlpPolicies: model.dlpPolicies.length,
      connectors: model.names.length,
      allocations: model.allocations.length,
      assignments: model.assignments.length,
      documents: repo.documents,
      changed: repo.changed,
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const option = (name, fallback) => {
    const index = process.argv.indexOf(name);
    return index === -1 ? fallback : process.argv[index + 1];
  };
  const randomSeed = Number(option("--random-seed", String(DEFAULT_RANDOM_SEED)));
  if (!Number.isSafeInteger(randomSeed)) throw new Error("--random-seed takes an integer");
  const result = generateTenant({
    scale: Number(option("--scale", "1")),
    out: option("--out", "bench-out"),
    seed: randomSeed,
    profile: option("--profile", "plan"),
  });
  console.log(JSON.stringify(result, null, 2));
}
