// CPU time of the pure core on a generated tenant: load + validate the repository, canonicalise and
// diff against the live tenant (built straight from the seed, no HTTP), the plan's DLP effect, render
// text and JSON.
//   node bench/core.mjs --seed DIR/seed.json --repo DIR/policies     (prints one JSON line)
// Runs in its own process so the figures are the core's alone; dist/ must be built.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dist = (path) => new URL(`../dist/${path}`, import.meta.url).href;

/** The LiveTenant a full read of this seed would produce (what readLiveTenant returns). */
export function liveTenantFromSeed(seed, virtualConnectors) {
  return {
    tenantId: seed.tenantId,
    environments: seed.environments ?? [],
    environmentGroups: seed.environmentGroups ?? [],
    dlpPolicies: seed.dlpPolicies ?? [],
    connectors: seed.connectors ?? [],
    unblockableConnectorIds: (seed.unblockableConnectors ?? []).map((c) => c.id),
    virtualConnectors,
    billingPolicies: [],
    allocations: seed.allocations ?? {},
    currencyPool: seed.currencyPool ?? {},
    subscribedSkus: seed.subscribedSkus ?? [],
    licenseGroups: seed.groups ?? [],
    licenseGroupMemberCounts: seed.groupMemberCounts ?? {},
  };
}

const cpuMs = (usage) => Math.round((usage.user + usage.system) / 1000);

export async function measureCore(seedPath, repoDir) {
  const seed = JSON.parse(readFileSync(seedPath, "utf8"));
  const virtual = JSON.parse(
    readFileSync(new URL("../fixtures/seeds/reference/virtual-connectors.json", import.meta.url), "utf8"),
  );
  const live = liveTenantFromSeed(seed, virtual);
  const { createPolicyValidator } = await import(dist("adapters/fs/policy-schemas.js"));
  const { listPolicyFiles } = await import(dist("adapters/fs/policy-files.js"));
  const { loadPolicies } = await import(dist("core/policy/load-policies.js"));
  const { buildDesiredState, buildPlan } = await import(dist("core/plan/index.js"));
  const { withDlpEffect } = await import(dist("app/impact.js"));
  const { renderPlanText } = await import(dist("render/plan-text.js"));
  const { renderPlanJson } = await import(dist("render/plan-json.js"));

  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const validator = createPolicyValidator();
  const loaded = await loadPolicies(repoDir, { validator, listPolicyFiles: (d) => listPolicyFiles(d) });
  const loadedAt = performance.now();
  const loadCpu = process.cpuUsage(cpuStart);
  const desired = buildDesiredState(loaded.documents);
  const result = buildPlan(desired, live, { createdAt: "2026-11-22T00:00:00.000Z", tenantId: seed.tenantId });
  // As the CLI's plan does: the DLP effect (which environments' effective classification moves).
  const plan = withDlpEffect(result.plan, live, result.changes);
  const plannedAt = performance.now();
  const planCpu = process.cpuUsage(cpuStart);
  const text = renderPlanText(plan, { color: false });
  const json = renderPlanJson(plan);
  const cpu = process.cpuUsage(cpuStart);
  return {
    resources: desired.resources.length,
    documents: loaded.documentCount,
    errors: [...loaded.diagnostics, ...result.diagnostics].filter((d) => d.severity === "error").length,
    summary: plan.summary,
    loadMs: Math.round(loadedAt - started),
    planMs: Math.round(plannedAt - loadedAt),
    renderMs: Math.round(performance.now() - plannedAt),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    // Per phase, CPU rather than wall time: on a busy machine the wall times above mostly measure waiting.
    loadCpuMs: cpuMs(loadCpu),
    planCpuMs: cpuMs(planCpu) - cpuMs(loadCpu),
    renderCpuMs: cpuMs(cpu) - cpuMs(planCpu),
    outputBytes: text.length + json.length,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const option = (name) => process.argv[process.argv.indexOf(name) + 1];
  console.log(JSON.stringify(await measureCore(option("--seed"), option("--repo"))));
}
