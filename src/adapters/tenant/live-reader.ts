/**
 * Reads the live tenant into the planner's LiveTenant value: only the collections the plan needs
 * (`requiredLiveCollections`), independent collections in parallel, per-item reads bounded.
 */
import { buildSkuIndex, type SkuIndex } from "../../core/kinds/sku-index.js";
import type { LiveCollection, LiveRequirements, LiveTenant } from "../../core/plan/index.js";
import { emptyLiveTenant } from "../../core/plan/index.js";
import {
  environmentMatcher,
  type EnvironmentSelection,
  type LicenseGroupSkus,
} from "../../core/plan/desired-state.js";
import type {
  CurrencyAllocation,
  WireDlpPolicy,
  WireDlpPolicySummary,
  WireEnvironment,
  WireGraphGroup,
  WireSubscribedSku,
} from "../../core/wire/types.js";
import type { ReadCache } from "../cache/read-cache.js";
import {
  createReadPools,
  DEFAULT_READ_CONCURRENCY_CEILING,
  type ReadPools,
  type ReadPoolStats,
  type ReadService,
} from "./concurrency.js";
import type { TenantClient } from "./tenant-client.js";
import { getTenantIsolationPolicy } from "./tenant-isolation-api.js";
import { resolveTenantDomains } from "./tenant-domains.js";

export interface ReadLiveTenantOptions {
  /** The tenant id when known (Tenant document, AZURE_TENANT_ID); read from the admin API otherwise. */
  tenantId?: string;
  /**
   * Ceiling of parallel per-item reads per API service (BAP, PowerApps, Power Platform API, Graph).
   * Each service starts at 16 (or this, if lower), climbs while it answers without 429/503 and halves
   * when it throttles. Default 128.
   */
  concurrency?: number;
  /** Told how each service's pool behaved once the read ends (logs, the benchmark). */
  onPoolStats?: (stats: Partial<Record<ReadService, ReadPoolStats>>) => void;
  /**
   * Count the members of license groups (improves the seat check): of the groups that gain a SKU when
   * the requirements say what each wants, of every group read otherwise. Default true.
   */
  memberCounts?: boolean;
  /**
   * Reuse per-object reads (DLP policy documents) whose list entry still carries the cached etag.
   * Plan only: apply never passes a cache, so its staleness checks always see the service's answer.
   */
  cache?: ReadCache;
}

/** Fetches what `requirements` lists and returns it as a LiveTenant (collections not asked for stay empty). */
export async function readLiveTenant(
  client: TenantClient,
  requirements: LiveRequirements,
  options: ReadLiveTenantOptions = {},
): Promise<LiveTenant> {
  const wanted = new Set<LiveCollection>(requirements.collections);
  const needs = (collection: LiveCollection): boolean => wanted.has(collection);
  const pools = createReadPools({ max: options.concurrency ?? DEFAULT_READ_CONCURRENCY_CEILING });
  // The HTTP client reports each 429/503; the pool of the request that got it narrows.
  const stopListening = client.http.onThrottled(() => pools.throttled());
  try {
    return await readCollections(client, requirements, options, pools, needs);
  } finally {
    stopListening();
    options.onPoolStats?.(pools.stats());
  }
}

async function readCollections(
  client: TenantClient,
  requirements: LiveRequirements,
  options: ReadLiveTenantOptions,
  pools: ReadPools,
  needs: (collection: LiveCollection) => boolean,
): Promise<LiveTenant> {
  const live = emptyLiveTenant();
  // Only the named environments' allocations when the documents name them (what is free to allocate
  // is read after the diff, for the environments a plan raises); otherwise every environment's.
  const selection = needs("allocations") ? requirements.allocationEnvironments : undefined;

  // Environments are always read: references, the default environment and allocations need them.
  // Allocations are one GET per environment, so they start as each page of environments arrives
  // instead of after the last page (the list pages are serial: each names the next).
  const environmentsRead = readEnvironments(
    client,
    needs("allocations") ? { pools, selection } : undefined,
  ).then(({ environments, allocations }) => {
    live.environments = environments;
    if (allocations !== undefined) live.allocations = allocations;
  });

  const tasks: Promise<unknown>[] = [environmentsRead];
  if (options.tenantId !== undefined) live.tenantId = options.tenantId;

  if (needs("environmentGroups") || needs("environmentGroupRuleSets")) {
    tasks.push(
      client.admin.listEnvironmentGroups().then(async (groups) => {
        live.environmentGroups = groups;
        if (!needs("environmentGroupRuleSets")) return;
        const tenantId = live.tenantId ?? (await client.admin.getTenant()).tenantId;
        live.tenantId = tenantId;
        // Rule sets live on the tenant's Power Platform API host.
        const ruleSets = await pools.map("powerPlatform", groups, (group) =>
          client.admin.getEnvironmentGroupRuleSet(tenantId, group.id),
        );
        live.environmentGroupRuleSets = Object.fromEntries(
          groups.flatMap((group, index) => {
            const ruleSet = ruleSets[index];
            return ruleSet === undefined ? [] : [[group.id, ruleSet]];
          }),
        );
      }),
    );
  }
  if (needs("dlpPolicies")) {
    tasks.push(readPolicies(client, options.cache, pools).then((policies) => (live.dlpPolicies = policies)));
  }
  if (needs("connectors")) {
    tasks.push(client.powerApps.listConnectors().then((connectors) => (live.connectors = connectors)));
  }
  if (needs("unblockableConnectorIds")) {
    tasks.push(
      client.governance
        .listUnblockableConnectors()
        .then(
          (list) =>
            (live.unblockableConnectorIds = list.filter((c) => c.metadata.unblockable).map((c) => c.id)),
        ),
    );
  }
  if (needs("virtualConnectors")) {
    tasks.push(client.governance.listVirtualConnectors().then((list) => (live.virtualConnectors = list)));
  }
  if (needs("billingPolicies")) {
    tasks.push(
      client.licensing.listBillingPolicies().then(async (policies) => {
        const links = await pools.map("powerPlatform", policies, (policy) =>
          client.licensing.listBillingPolicyEnvironments(policy.id),
        );
        live.billingPolicies = policies.map((policy, index) => ({
          policy,
          environmentIds: links[index] ?? [],
        }));
      }),
    );
  }
  const skusRead = needs("subscribedSkus") ? client.graph.listSubscribedSkus() : undefined;
  if (skusRead !== undefined) tasks.push(skusRead.then((skus) => (live.subscribedSkus = skus)));
  if (needs("licenseGroups")) {
    const counts = options.memberCounts ?? true;
    tasks.push(readLicenseGroups(client, requirements, pools, counts ? { skusRead } : undefined, live));
  }
  const domains = requirements.tenantDomains ?? [];
  if (domains.length > 0)
    tasks.push(
      resolveTenantDomains(client.http, domains, pools).then((resolved) => (live.tenantDomains = resolved)),
    );
  if (needs("tenantSettings") || needs("tenantIsolation")) {
    tasks.push(readTenantObjects(client, live, needs("tenantSettings"), needs("tenantIsolation")));
  }

  await Promise.all(tasks);
  return live;
}

interface AllocationReads {
  pools: ReadPools;
  /** The environments whose allocations are needed; undefined: every environment's. */
  selection: EnvironmentSelection | undefined;
}

/**
 * Every environment, page by page; with `reads`, also the selected environments' allocations (bounded
 * by the Power Platform API's pool), started while later pages are still being listed.
 */
async function readEnvironments(
  client: TenantClient,
  reads: AllocationReads | undefined,
): Promise<{ environments: WireEnvironment[]; allocations?: Record<string, CurrencyAllocation[]> }> {
  const environments: WireEnvironment[] = [];
  if (reads === undefined) {
    for await (const environment of client.admin.iterateEnvironments()) environments.push(environment);
    return { environments };
  }
  const { pools, selection } = reads;
  const selects = selection === undefined ? () => true : environmentMatcher(selection);
  const pending: Promise<readonly [string, CurrencyAllocation[]]>[] = [];
  for await (const environment of client.admin.iterateEnvironments()) {
    environments.push(environment);
    const selected = selects({
      id: environment.name,
      displayName: environment.properties.displayName,
      isDefault: environment.properties.isDefault === true,
    });
    if (!selected) continue;
    const read = pools.run("powerPlatform", async () => {
      const list = await client.licensing.getEnvironmentAllocations(environment.name);
      return [environment.name.toLowerCase(), list] as const;
    });
    // Handled here so a failure while later pages are listed is not an unhandled rejection;
    // Promise.all below still rejects with it.
    read.catch(() => undefined);
    pending.push(read);
  }
  const lists = await Promise.all(pending);
  return { environments, allocations: Object.fromEntries(lists.filter(([, list]) => list.length > 0)) };
}

/** The tenant's singletons (settings, isolation policy); both carry the tenant id they belong to. */
async function readTenantObjects(
  client: TenantClient,
  live: LiveTenant,
  settings: boolean,
  isolation: boolean,
): Promise<void> {
  const tenantId = live.tenantId ?? (await client.admin.getTenant()).tenantId;
  await Promise.all([
    settings
      ? client.admin
          .listTenantSettings()
          .then((value) => (live.tenantSettings = { tenantId, settings: value }))
      : undefined,
    isolation
      ? getTenantIsolationPolicy(client.http, tenantId).then(
          (policy) => (live.tenantIsolation = { tenantId, policy }),
        )
      : undefined,
  ]);
}

/** Above this many groups named by LicenseAssignment documents, list the licensed groups instead. */
const LIST_LICENSED_GROUPS_ABOVE = 50;

async function readLicenseGroups(
  client: TenantClient,
  requirements: LiveRequirements,
  pools: ReadPools,
  memberCounts: { skusRead: Promise<WireSubscribedSku[]> | undefined } | undefined,
  live: LiveTenant,
): Promise<void> {
  const groups = new Map<string, WireGraphGroup>();
  // Many named groups: one paged list of licensed groups is cheaper than a GET per group (Graph pages
  // hold 100); groups without licenses yet are then fetched one by one below.
  if (requirements.allLicensedGroups || requirements.licenseGroupIds.length > LIST_LICENSED_GROUPS_ABOVE) {
    for (const group of await client.graph.listLicensedGroups()) groups.set(group.id.toLowerCase(), group);
  }
  const missing = requirements.licenseGroupIds.filter((id) => !groups.has(id.toLowerCase()));
  const named = await pools.map("graph", missing, (id) => client.graph.getGroup(id));
  // A group the policies name but Graph does not know stays absent; the planner reports it.
  for (const group of named) if (group !== undefined) groups.set(group.id.toLowerCase(), group);
  live.licenseGroups = [...groups.values()];
  if (memberCounts === undefined || live.licenseGroups.length === 0) return;
  const wanted = requirements.licenseGroupSkus;
  const counted =
    wanted === undefined
      ? live.licenseGroups
      : groupsGainingSkus(live.licenseGroups, wanted, await skuIndexOf(memberCounts.skusRead));
  const counts = await pools.map("graph", counted, (group) => client.graph.countGroupMembers(group.id));
  const known = counted.flatMap((group, index) => {
    const count = counts[index];
    return count === undefined ? [] : [[group.id, count] as const];
  });
  if (known.length > 0) live.licenseGroupMemberCounts = Object.fromEntries(known);
}

/** The tenant's SKUs, to resolve part numbers; an index of none when they are not read. */
async function skuIndexOf(skusRead: Promise<WireSubscribedSku[]> | undefined): Promise<SkuIndex> {
  return buildSkuIndex((await skusRead) ?? []);
}

/**
 * The groups a LicenseAssignment gives a SKU they do not hold yet: the only ones whose members the
 * seat check counts. A SKU the index cannot resolve counts as gained (the plan reports it anyway).
 */
function groupsGainingSkus(
  groups: readonly WireGraphGroup[],
  wanted: readonly LicenseGroupSkus[],
  skus: SkuIndex,
): WireGraphGroup[] {
  const wantedByGroup = new Map<string, string[]>();
  for (const { group, skus: refs } of wanted)
    wantedByGroup.set(group, [...(wantedByGroup.get(group) ?? []), ...refs]);
  return groups.filter((group) => {
    const held = new Set(group.assignedLicenses.map((license) => license.skuId.toLowerCase()));
    const refs = wantedByGroup.get(group.id.toLowerCase()) ?? [];
    return refs.some((ref) => !held.has((skus.find(ref)?.skuId ?? ref).toLowerCase()));
  });
}

const DLP_CACHE_KIND = "dlp-policy";

/** The version a policy summary announces; undefined when the service sent neither field (no caching). */
function summaryVersion(summary: WireDlpPolicySummary): string | undefined {
  const { etag, lastModifiedTime } = summary.policyDefinition;
  if (etag === undefined && lastModifiedTime === undefined) return undefined;
  return `${etag ?? ""}|${lastModifiedTime ?? ""}`;
}

/**
 * The DLP list, then one GET per policy in BAP's pool, skipping those whose etag the cache holds. A
 * cached document is used only if it is still a valid policy document with the same name and etag.
 */
async function readPolicies(
  client: TenantClient,
  cache: ReadCache | undefined,
  pools: ReadPools,
): Promise<WireDlpPolicy[]> {
  const summaries = await client.governance.listPolicySummaries();
  const full = await pools.map("bap", summaries, async (summary) => {
    const name = summary.policyDefinition.name;
    if (cache === undefined) return client.governance.getPolicy(name);
    const version = summaryVersion(summary);
    if (version !== undefined) {
      const cached = await cache.get<WireDlpPolicy>(DLP_CACHE_KIND, name, version);
      if (
        cached !== undefined &&
        client.http.validate("dlpPolicy", cached) === undefined &&
        cached.policyDefinition.name.toLowerCase() === name.toLowerCase() &&
        cached.policyDefinition.etag === summary.policyDefinition.etag
      )
        return cached;
    }
    const policy = await client.governance.getPolicy(name);
    // Cache under the list's version only when the document agrees with it (no write racing the read).
    if (policy !== undefined && version !== undefined && summaryVersion(policy) === version)
      await cache.set(DLP_CACHE_KIND, name, version, policy);
    return policy;
  });
  // A policy deleted between the list and its GET is simply gone.
  return full.filter((policy): policy is WireDlpPolicy => policy !== undefined);
}
