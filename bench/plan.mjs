// Plan benchmark: the built CLI's `ppgov plan` against the emulator with injected latency, side by side
// with a serial reference reader (the Terraform provider's way) and a fully parallel floor reader.
//   npm run bench:plan                                   (builds first; scales 0.25,0.5,1)
//   node bench/plan.mjs --scales 0.25,0.5,1 [--random-seed N] [--latency-ms 100] [--concurrency N]
//                       [--extra-concurrency 16|none] [--reference-budget-s 45] [--core-runs 5]
//   node bench/plan.mjs --tenant DIR[,DIR…] [options]   a tenant generated beforehand, or by other means:
//                       DIR/seed.json (emulator seed) and DIR/policies/ (what generate-tenant.mjs --out writes)
// Per scale: generate the tenant (bench/generate-tenant.mjs; --random-seed varies its ids and connector
// classification), start `ppgov emulator` as its own process, set the latency, then measure
//   plan cold   `ppgov plan` with an empty read cache,
//   plan warm   the same again, with the cache the cold run filled (the tenant is unchanged),
//   plan cold max=16  a cold plan with --concurrency 16: the adaptive limit capped at its starting point,
//                   i.e. the fixed 16 per service of earlier rounds (what the adaptation buys),
//   reference   the cold plan's requests, one after another (list, then one GET per object, serially),
//   floor       the cold plan's requests, all at once (up to 500 in flight), bodies read and dropped.
//   floor paged the same, except that each paged list's pages go one after another, as any client that
//               follows nextLink must send them (a page names the next): the floor a real reader can reach.
// The "limit" column is the highest adaptive read limit any API's pool reached and the most requests it
// had in flight (from the CLI's "tenant read pools" log line).
// Requests and 429s come from the emulator's request log. CPU and peak RSS of the CLI come from
// /usr/bin/time -v (of the plan process alone; the emulator shares the machine's cores).
// The reference reader stops after --reference-budget-s and extrapolates linearly (marked "~"):
// it is serial, so its time is the sum of its requests'.
// Also prints the pure core's CPU time (bench/core.mjs) at each scale: the median of --core-runs fresh
// processes, with the lowest and highest.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RANDOM_SEED, generateTenant } from "./generate-tenant.mjs";
import {
  control,
  floorRead,
  mb,
  option,
  packageVersion,
  pagedFloorRead,
  printTable as printRows,
  requestLog,
  requireBuild,
  root,
  runCli,
  seconds,
  send,
  startEmulator,
} from "./harness.mjs";

/** Runs the CLI's plan; wall time measured here, CPU and RSS from time. */
function runPlan(url, repoDir, cacheDir, concurrency) {
  const args = ["plan", "-d", repoDir, "--format", "json"];
  if (concurrency !== undefined) args.push("--concurrency", String(concurrency));
  // Info: the "tenant read pools" line reports the adaptive limits reached.
  const run = runCli(url, args, { env: { PPGOV_CACHE_DIR: cacheDir } });
  const plan = JSON.parse(run.stdout);
  return {
    pools: poolStats(run.stderr),
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    rssMb: run.rssMb,
    summary: plan.summary,
  };
}

/** The read pools' figures from the CLI's log: `{service: {limit, peakLimit, peakInFlight, decreases}}`. */
function poolStats(stderr) {
  for (const line of stderr.split("\n")) {
    if (!line.includes("tenant read pools")) continue;
    try {
      return JSON.parse(line).pools;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** "128/128 ppapi": the highest limit reached over the services, the most in flight, and where. */
function limitCell(pools) {
  if (pools === undefined) return "-";
  const [service, best] =
    Object.entries(pools).sort(
      ([, a], [, b]) => b.peakLimit - a.peakLimit || b.peakInFlight - a.peakInFlight,
    )[0] ?? [];
  if (best === undefined) return "-";
  const halvings = Object.values(pools).reduce((sum, entry) => sum + entry.decreases, 0);
  return `${best.peakLimit}/${best.peakInFlight} ${service === "powerPlatform" ? "ppapi" : service}${halvings > 0 ? ` (${halvings} halvings)` : ""}`;
}

/** Serial: one request after another, as the Terraform provider reads DLP policies. */
async function referenceRead(url, entries, budgetMs) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let done = 0;
  for (const entry of entries) {
    await send(url, entry);
    done += 1;
    if (performance.now() - started > budgetMs) break;
  }
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const factor = entries.length / done;
  return {
    wallMs: elapsed * factor,
    cpuMs: ((used.user + used.system) / 1000) * factor,
    extrapolated: done < entries.length,
    sent: done,
  };
}

/**
 * The pure core's figures from `runs` fresh processes: the run with the median CPU time, plus the
 * lowest and highest CPU seen. One run is not enough on a shared 2-core machine: V8's helper threads
 * (compiling, marking, scavenging) made the same code measure from 1.9 to 2.6 s.
 */
function measureCore(seedPath, repoDir, runs) {
  const results = Array.from({ length: runs }, () => {
    const output = execFileSync(
      process.execPath,
      [join(root, "bench", "core.mjs"), "--seed", seedPath, "--repo", repoDir],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    return JSON.parse(output.trim().split("\n").pop());
  }).sort((a, b) => a.cpuMs - b.cpuMs);
  const median = results[Math.floor((results.length - 1) / 2)];
  return { ...median, runs, minCpuMs: results[0].cpuMs, maxCpuMs: results[results.length - 1].cpuMs };
}

function printTable(label, counts, rows, core) {
  const cold = rows.find((row) => row.name === "plan cold");
  console.log(
    `\n${label}: ${counts.environments} environments, ${counts.dlpPolicies} DLP policies x ${counts.connectors} connectors, ` +
      `${counts.allocations} allocations, ${counts.assignments} license assignments; ${counts.documents} documents, ` +
      `${counts.changed ?? "?"} changed; the cold plan: ${summaryText(cold.summary)}`,
  );
  const header = ["reader", "wall s", "CPU s", "peak RSS MB", "HTTP requests", "429s", "limit/in flight"];
  printRows(
    header,
    rows.map((row) => [
      row.name,
      `${row.extrapolated ? "~" : ""}${seconds(row.wallMs)}`,
      `${row.extrapolated ? "~" : ""}${seconds(row.cpuMs)}`,
      mb(row.rssMb),
      String(row.requests),
      String(row.throttled ?? "-"),
      limitCell(row.pools),
    ]),
  );
  const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
  console.log(
    `plan cold / floor = ${(cold.wallMs / byName.floor.wallMs).toFixed(2)} (target <= 1.5); ` +
      `plan cold / floor paged = ${(cold.wallMs / byName["floor paged"].wallMs).toFixed(2)} ` +
      `(longest paged list: ${byName["floor paged"].longest} pages); ` +
      `reference / plan cold = ${(byName.reference.wallMs / cold.wallMs).toFixed(1)} (target >= 10); ` +
      `reference / plan warm = ${(byName.reference.wallMs / byName["plan warm"].wallMs).toFixed(1)}`,
  );
  const coldRequests = requestBreakdown(cold.log);
  const warmRequests = requestBreakdown(byName["plan warm"].log);
  console.log(
    breakdownText(
      "cold",
      coldRequests,
      coldRequests.lists + coldRequests.dlp,
      "list pages + one GET per DLP policy",
    ),
  );
  console.log(breakdownText("warm", warmRequests, warmRequests.lists, "list pages only"));
  console.log(
    `pure core (load, validate, canonicalise, diff, render) of ${core.resources} resources: ` +
      `${seconds(core.cpuMs)} s CPU, median of ${core.runs} runs (${seconds(core.minCpuMs)}-${seconds(core.maxCpuMs)} s; ` +
      `that run: load ${core.loadCpuMs} ms, plan ${core.planCpuMs} ms, render ${core.renderCpuMs} ms of CPU), ` +
      `${core.maxRssMb} MB peak RSS`,
  );
}

/**
 * The issue's request targets count list pages and one GET per DLP policy. A GET whose path names no
 * object (no GUID) is a list page or a tenant-wide read (the currency availability report, SKUs).
 */
function requestBreakdown(log) {
  const gets = log.filter((entry) => entry.method === "GET");
  const pathOf = (entry) => entry.path.split("?")[0];
  const count = (test) => gets.filter((entry) => test(pathOf(entry))).length;
  const lists = count((path) => !/[0-9a-f]{8}-[0-9a-f]{4}-/i.test(path));
  const dlp = count((path) => /\/PowerPlatform\.Governance\/v2\/policies\/[^/]+$/.test(path));
  const allocations = count((path) => /^\/licensing\/environments\/[^/]+\/allocations$/.test(path));
  return { total: gets.length, lists, dlp, allocations, other: gets.length - lists - dlp - allocations };
}

function breakdownText(label, breakdown, allowed, target) {
  const { total, lists, dlp, allocations, other } = breakdown;
  return (
    `requests, ${label}: ${total} GETs = ${lists} list pages and tenant-wide reads + ${dlp} DLP policy GETs + ` +
    `${allocations} allocation GETs (one per environment) + ${other} other per-object GETs; ` +
    `target <= ${allowed} (${target}): ${total <= allowed ? "met" : "not met"}`
  );
}

const SUMMARY_WORDS = { add: "to add", change: "to change", replace: "to replace", destroy: "to destroy" };

/** "3 to add, 11 to change" from the plan JSON's summary. */
function summaryText(summary) {
  if (summary === undefined) return "-";
  const parts = Object.entries(SUMMARY_WORDS)
    .filter(([key]) => summary[key] > 0)
    .map(([key, words]) => `${summary[key]} ${words}`);
  return parts.length === 0 ? "no changes" : parts.join(", ");
}

/** Resources the plan adds, changes, replaces or destroys. */
function changedCount(summary) {
  return Object.keys(SUMMARY_WORDS).reduce((sum, key) => sum + (summary?.[key] ?? 0), 0);
}

/**
 * A tenant someone else generated: DIR/seed.json and DIR/policies/. Counts come from the seed; the
 * documents from the core's load, the changed ones from the cold plan.
 */
function existingTenant(dir) {
  const seedPath = join(dir, "seed.json");
  const repoDir = join(dir, "policies");
  if (!existsSync(seedPath) || !existsSync(repoDir))
    throw new Error(
      `--tenant ${dir}: expected ${seedPath} and ${repoDir}/ (as bench/generate-tenant.mjs --out writes)`,
    );
  const seed = JSON.parse(readFileSync(seedPath, "utf8"));
  const size = (value) => (Array.isArray(value) ? value.length : Object.keys(value ?? {}).length);
  const counts = {
    environments: size(seed.environments),
    dlpPolicies: size(seed.dlpPolicies),
    connectors: size(seed.connectors),
    allocations: size(seed.allocations),
    assignments: (seed.groups ?? []).filter((group) => (group.assignedLicenses ?? []).length > 0).length,
  };
  return { seedPath, repoDir, counts, label: `tenant ${dir}`, size: counts.environments };
}

/** Measures one tenant: the one `source.scale` generates into a temporary directory, or `source.dir`. */
async function benchTenant(source, options) {
  const work = mkdtempSync(join(tmpdir(), `ppgov-bench-${source.scale ?? "tenant"}-`));
  try {
    const tenant =
      source.dir !== undefined
        ? existingTenant(source.dir)
        : {
            ...generateTenant({ scale: source.scale, out: work, seed: options.randomSeed }),
            label: `scale ${source.scale}`,
            size: source.scale,
          };
    const core = measureCore(tenant.seedPath, tenant.repoDir, options.coreRuns);
    const emulator = await startEmulator(tenant.seedPath);
    try {
      await control(emulator.url, "PUT", "faults", { latencyMs: options.latencyMs });
      const cacheDir = join(work, "cache");
      const rows = [];

      await control(emulator.url, "POST", "reset");
      const cold = runPlan(emulator.url, tenant.repoDir, cacheDir, options.concurrency);
      const coldLog = await requestLog(emulator.url);
      rows.push({ name: "plan cold", ...cold, ...coldLog });

      await control(emulator.url, "POST", "reset");
      const warm = runPlan(emulator.url, tenant.repoDir, cacheDir, options.concurrency);
      rows.push({ name: "plan warm", ...warm, ...(await requestLog(emulator.url)) });

      if (options.extraConcurrency !== undefined) {
        await control(emulator.url, "POST", "reset");
        const wide = runPlan(
          emulator.url,
          tenant.repoDir,
          join(work, "cache-wide"),
          options.extraConcurrency,
        );
        rows.push({
          name: `plan cold max=${options.extraConcurrency}`,
          ...wide,
          ...(await requestLog(emulator.url)),
        });
      }

      // The same data the cold plan fetched, as the reference and floor readers fetch it.
      const entries = coldLog.log.filter((entry) => entry.method === "GET");
      await control(emulator.url, "POST", "reset");
      const reference = await referenceRead(emulator.url, entries, options.referenceBudgetMs);
      const referenceLog = await requestLog(emulator.url);
      rows.push({
        name: "reference",
        ...reference,
        rssMb: NaN,
        requests: entries.length,
        throttled: referenceLog.throttled,
      });

      await control(emulator.url, "POST", "reset");
      const floor = await floorRead(emulator.url, entries);
      rows.push({ name: "floor", ...floor, rssMb: NaN, ...(await requestLog(emulator.url)) });

      await control(emulator.url, "POST", "reset");
      const paged = await pagedFloorRead(emulator.url, entries);
      rows.push({ name: "floor paged", ...paged, rssMb: NaN, ...(await requestLog(emulator.url)) });

      const counts = {
        ...tenant.counts,
        documents: tenant.counts.documents ?? core.documents,
        changed: tenant.counts.changed ?? changedCount(cold.summary),
      };
      printTable(tenant.label, counts, rows, core);
      return { label: tenant.label, size: tenant.size, counts, rows, core };
    } finally {
      await emulator.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  requireBuild();
  const tenantDirs = option("--tenant", undefined);
  const sources =
    tenantDirs === undefined
      ? option("--scales", "0.25,0.5,1")
          .split(",")
          .map((scale) => ({ scale: Number(scale) }))
      : tenantDirs.split(",").map((dir) => ({ dir }));
  for (const source of sources)
    if (source.scale !== undefined && !(source.scale > 0)) throw new Error("--scales takes positive numbers");
  const randomSeed = Number(option("--random-seed", String(DEFAULT_RANDOM_SEED)));
  if (!Number.isSafeInteger(randomSeed)) throw new Error("--random-seed takes an integer");
  const concurrencyOption = option("--concurrency", undefined);
  const options = {
    randomSeed,
    latencyMs: Number(option("--latency-ms", "100")),
    concurrency: concurrencyOption === undefined ? undefined : Number(concurrencyOption),
    referenceBudgetMs: Number(option("--reference-budget-s", "45")) * 1000,
    coreRuns: Math.max(1, Number(option("--core-runs", "5"))),
    // A second cold plan with this ceiling shows what the adaptation buys ("none" to skip).
    extraConcurrency:
      option("--extra-concurrency", "16") === "none"
        ? undefined
        : Number(option("--extra-concurrency", "16")),
  };
  console.log(
    `ppgov plan benchmark: ${options.latencyMs} ms latency per request, plan concurrency ceiling ${options.concurrency ?? "default (start 16, adaptive up to 128)"}, ` +
      `node ${process.version}, ${packageVersion}` +
      (tenantDirs === undefined ? `, tenants generated with --random-seed ${randomSeed}` : ""),
  );
  const results = [];
  for (const source of sources) results.push(await benchTenant(source, options));
  printTargets(results);
  if (results.length > 1) {
    const first = results[0];
    console.log(
      `\nscaling (relative to the first ${tenantDirs === undefined ? "scale" : "tenant, by environments"}):`,
    );
    for (const result of results) {
      const ratio = (name) =>
        (
          result.rows.find((r) => r.name === name).wallMs / first.rows.find((r) => r.name === name).wallMs
        ).toFixed(2);
      console.log(
        `  ${result.label} (x${(result.size / first.size).toFixed(2)} size): plan cold x${ratio("plan cold")}, ` +
          `plan warm x${ratio("plan warm")}, core CPU x${(result.core.cpuMs / first.core.cpuMs).toFixed(2)}`,
      );
    }
  }
}

/** The issue's targets against the largest tenant measured (the reference size in a default run). */
function printTargets(results) {
  const largest = results.reduce((a, b) => (b.size >= a.size ? b : a));
  const first = results[0];
  const row = (name) => largest.rows.find((r) => r.name === name);
  const cold = row("plan cold");
  const verdict = (ok) => (ok ? "met" : "NOT met");
  const paged = cold.wallMs / row("floor paged").wallMs;
  const plain = cold.wallMs / row("floor").wallMs;
  const reference = row("reference").wallMs / cold.wallMs;
  const coldRequests = requestBreakdown(cold.log);
  const warmRequests = requestBreakdown(row("plan warm").log);
  const lines = [
    [
      "plan wall <= 1.5 x floor",
      `${paged.toFixed(2)} x the paged floor: ${verdict(paged <= 1.5)}; ${plain.toFixed(2)} x the plain floor, which fetches every nextLink page at once: ${verdict(plain <= 1.5)}`,
    ],
    [
      "plan >= 10 x faster than the serial reference",
      `${reference.toFixed(1)} x: ${verdict(reference >= 10)}`,
    ],
    [
      "cold requests <= list pages + one GET per DLP policy",
      `${coldRequests.total} vs ${coldRequests.lists + coldRequests.dlp}: ${verdict(coldRequests.total <= coldRequests.lists + coldRequests.dlp)}`,
    ],
    [
      "warm requests <= list pages",
      `${warmRequests.total} vs ${warmRequests.lists}: ${verdict(warmRequests.total <= warmRequests.lists)}`,
    ],
    [
      "peak RSS <= 1 GB",
      `${mb(cold.rssMb)} MB cold, ${mb(row("plan warm").rssMb)} MB warm: ${verdict(Math.max(cold.rssMb, row("plan warm").rssMb) <= 1024)}`,
    ],
    [
      `pure core CPU <= 2 s (${largest.core.resources} resources)`,
      `${seconds(largest.core.cpuMs)} s: ${verdict(largest.core.cpuMs <= 2000)}`,
    ],
  ];
  if (results.length > 1 && largest !== first) {
    const growth = (cold.wallMs / first.rows.find((r) => r.name === "plan cold").wallMs).toFixed(2);
    const size = (largest.size / first.size).toFixed(2);
    lines.push([
      "time grows no worse than linearly",
      `plan cold x${growth} for x${size} the size: ${verdict(Number(growth) <= Number(size))}`,
    ]);
  }
  console.log(`\ntargets (issue 6), at ${largest.label}:`);
  const width = Math.max(...lines.map(([target]) => target.length));
  for (const [target, measured] of lines) console.log(`  ${target.padEnd(width)}  ${measured}`);
}

await main();
