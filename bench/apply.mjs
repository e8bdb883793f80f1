// Apply benchmark: `ppgov apply` of ~500 changes on the generated scale-1 tenant (50 new environments,
// 200 environment updates, 100 DLP policy updates, 150 allocation changes: generate-tenant's "apply"
// profile) against the emulator with latency and slow lifecycle operations, beside its floor.
//   npm run bench:apply                        (builds first; scale 1)
//   node bench/apply.mjs [--scale 1] [--latency-ms 100] [--lifecycle-ms 2000] [--concurrency N]
// The apply runs in three phases, told apart by the emulator's request log: the read before the steps
// (the staleness check), the steps (writes and lifecycle polls), and the read after (convergence).
// Floors:
//   reads   each read's requests replayed as the paged floor sends them (bench/harness.mjs);
//   steps   the critical path of the plan's step graph, computed: a step waits for the previous step of
//           its resource and for the steps whose ids it uses; a synchronous step costs one latency, an
//           asynchronous one a latency, the operation's duration and one poll; no processing.
// The serial reference is the steps one after another (computed the same way), plus the two reads.
// Journal: bytes written and fsyncs (the journal fsyncs each entry once: src/adapters/fs/journal-file.ts).
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RANDOM_SEED, generateTenant } from "./generate-tenant.mjs";
import {
  control,
  isWrite,
  mb,
  option,
  packageVersion,
  pagedFloorRead,
  printTable,
  requestLog,
  requireBuild,
  root,
  runCli,
  seconds,
  startEmulator,
} from "./harness.mjs";

const LIFECYCLE_POLL = /\/lifecycleOperations\//i;

/**
 * Longest path through the steps (ms), and their serial sum, with the per-step cost model above.
 * `guardMs`, when given, is added to each create of an object matched by name: without a shared lock
 * (the file lock, the default) apply re-reads that kind's list before and after such a create
 * (src/app/create-guard.ts), a read the duplicate check depends on, so it is part of that chain.
 */
async function stepFloors(plan, latencyMs, lifecycleMs, guardMs = 0) {
  const { refsIn } = await import(join(root, "dist", "core", "plan", "index.js"));
  const { stepGraph } = await import(join(root, "dist", "app", "step-graph.js"));
  const guarded = new Set(
    plan.resources
      .filter((resource) => resource.action === "create" || resource.action === "replace")
      .map((resource) => resource.address),
  );
  const cost = (step) =>
    (step.async === "none" ? latencyMs : 2 * latencyMs + lifecycleMs) +
    (step.produces !== undefined && guarded.has(step.address) ? guardMs : 0);
  const steps = [...plan.steps].sort((a, b) => a.wave - b.wave);
  const producedBy = new Map();
  const lastOfResource = new Map();
  const finish = new Map();
  let serial = 0;
  for (const step of steps) {
    const after = [lastOfResource.get(step.address), ...[...refsIn(step)].map((ref) => producedBy.get(ref))];
    const start = Math.max(0, ...after.filter((id) => id !== undefined).map((id) => finish.get(id)));
    finish.set(step.id, start + cost(step));
    serial += cost(step);
    lastOfResource.set(step.address, step.id);
    if (step.produces !== undefined) producedBy.set(step.produces.ref, step.id);
  }
  // The same cost model over the graph the apply engine schedules by (src/app/step-graph.ts), which
  // also orders steps on related and deleted resources: how far it is from the floor's graph.
  const graph = stepGraph(plan);
  const engineFinish = new Map();
  for (const step of steps) {
    const start = Math.max(0, ...graph.dependsOn.get(step.id).map((id) => engineFinish.get(id)));
    engineFinish.set(step.id, start + cost(step));
  }
  const waves = new Map();
  for (const step of steps) waves.set(step.wave, Math.max(waves.get(step.wave) ?? 0, cost(step)));
  return {
    critical: Math.max(0, ...finish.values()),
    engineCritical: Math.max(0, ...engineFinish.values()),
    waves: [...waves.values()].reduce((sum, ms) => sum + ms, 0),
    serial,
    count: steps.length,
    asyncCount: steps.filter((step) => step.async !== "none").length,
  };
}

/** The apply's request log cut into its phases. */
function phases(log) {
  const isStep = (entry) => isWrite(entry) || LIFECYCLE_POLL.test(entry.path);
  const first = log.findIndex(isStep);
  const last = log.findLastIndex(isStep);
  if (first === -1) throw new Error("the apply sent no step: nothing to measure (is the plan empty?)");
  return {
    before: log.slice(0, first),
    steps: log.slice(first, last + 1),
    after: log.slice(last + 1),
    startedAt: log[0].at,
    stepsFrom: log[first].at,
    stepsTo: log[last].at,
    endedAt: log.at(-1).at,
  };
}

async function main() {
  requireBuild();
  const scale = Number(option("--scale", "1"));
  const latencyMs = Number(option("--latency-ms", "100"));
  const lifecycleMs = Number(option("--lifecycle-ms", "2000"));
  const concurrency = option("--concurrency", undefined);
  const randomSeed = Number(option("--random-seed", String(DEFAULT_RANDOM_SEED)));
  console.log(
    `ppgov apply benchmark: scale ${scale}, ${latencyMs} ms latency per request, lifecycle operations of ${lifecycleMs} ms, ` +
      `apply --concurrency ${concurrency ?? "default"}, node ${process.version}, ppgov ${packageVersion}`,
  );
  const work = mkdtempSync(join(tmpdir(), "ppgov-bench-apply-"));
  try {
    const tenant = generateTenant({ scale, out: work, seed: randomSeed, profile: "apply" });
    const emulator = await startEmulator(tenant.seedPath, ["--lifecycle-delay-ms", String(lifecycleMs)]);
    try {
      await control(emulator.url, "PUT", "faults", { latencyMs });
      const planFile = join(work, "plan.json");
      const env = { PPGOV_CACHE_DIR: join(work, "cache") };
      const planned = runCli(
        emulator.url,
        ["plan", "-d", tenant.repoDir, "-o", planFile, "--format", "json"],
        {
          env,
          allowExit: [0, 2],
        },
      );
      const plan = JSON.parse(readFileSync(planFile, "utf8"));
      console.log(
        `plan: ${JSON.stringify(plan.summary)} in ${plan.steps.length} steps, ${seconds(planned.wallMs)} s`,
      );

      await control(emulator.url, "POST", "reset");
      const journal = join(work, "journal.jsonl");
      const args = ["apply", planFile, "-d", tenant.repoDir, "--auto-approve", "--journal", journal];
      if (concurrency !== undefined) args.push("--concurrency", concurrency);
      const applied = runCli(emulator.url, args, { env });
      const { log } = await requestLog(emulator.url);
      const cut = phases(log);
      const stepRequests = { writes: 0, polls: 0, reads: 0 };
      for (const entry of cut.steps)
        if (isWrite(entry)) stepRequests.writes += 1;
        else if (LIFECYCLE_POLL.test(entry.path)) stepRequests.polls += 1;
        else stepRequests.reads += 1;
      const journalText = readFileSync(journal, "utf8");
      const journalEntries = journalText.split("\n").filter((line) => line.trim() !== "").length;

      await control(emulator.url, "POST", "reset");
      const beforeFloor = await pagedFloorRead(emulator.url, cut.before);
      await control(emulator.url, "POST", "reset");
      const afterFloor = await pagedFloorRead(emulator.url, cut.after);
      const steps = await stepFloors(plan, latencyMs, lifecycleMs);
      // The create guard's two reads of the environment list: its pages one after another.
      const guardMs = 2 * beforeFloor.longest * latencyMs;
      const guardedSteps = await stepFloors(plan, latencyMs, lifecycleMs, guardMs);
      const floor = beforeFloor.wallMs + steps.critical + afterFloor.wallMs;
      const serial = beforeFloor.wallMs + steps.serial + afterFloor.wallMs;

      const measured = {
        before: cut.stepsFrom - cut.startedAt,
        steps: cut.stepsTo - cut.stepsFrom + latencyMs,
        after: cut.endedAt - cut.stepsTo,
      };
      printTable(
        ["phase", "apply s", "floor s", "ratio", "requests"],
        [
          [
            "read before the steps",
            seconds(measured.before),
            seconds(beforeFloor.wallMs),
            (measured.before / beforeFloor.wallMs).toFixed(2),
            cut.before.length,
          ],
          [
            `steps (${steps.count}, ${steps.asyncCount} asynchronous)`,
            seconds(measured.steps),
            seconds(steps.critical),
            (measured.steps / steps.critical).toFixed(2),
            cut.steps.length,
          ],
          [
            "read after the steps",
            seconds(measured.after),
            seconds(afterFloor.wallMs),
            (measured.after / afterFloor.wallMs).toFixed(2),
            cut.after.length,
          ],
          [
            "whole apply (process)",
            seconds(applied.wallMs),
            seconds(floor),
            (applied.wallMs / floor).toFixed(2),
            log.length,
          ],
        ],
      );
      console.log(
        `apply: ${seconds(applied.cpuMs)} s CPU, ${mb(applied.rssMb)} MB peak RSS; ` +
          `apply / floor = ${(applied.wallMs / floor).toFixed(2)} (target <= 1.5); ` +
          `steps with wave barriers would floor at ${seconds(steps.waves)} s, by the engine's step graph at ${seconds(steps.engineCritical)} s; ` +
          `serial reference (steps one at a time) ${seconds(serial)} s = ${(serial / applied.wallMs).toFixed(1)} x the apply`,
      );
      console.log(
        `journal: ${journalEntries} entries, ${(statSync(journal).size / 1024).toFixed(1)} KiB written, ${journalEntries} fsyncs ` +
          `(${(journalEntries / Math.max(1, steps.count)).toFixed(1)} per step)`,
      );
      console.log(
        `during the steps: ${stepRequests.writes} writes, ${stepRequests.polls} lifecycle polls, ${stepRequests.reads} reads ` +
          `(the create guard's list reads, src/app/create-guard.ts); with the guard's two list reads ` +
          `(${seconds(guardMs)} s) on each create's chain the steps floor at ${seconds(guardedSteps.critical)} s: ` +
          `steps / that = ${(measured.steps / guardedSteps.critical).toFixed(2)}, whole apply / (reads + that) = ` +
          `${(applied.wallMs / (beforeFloor.wallMs + guardedSteps.critical + afterFloor.wallMs)).toFixed(2)}`,
      );
      const throttled = log.filter((entry) => entry.status === 429).length;
      if (throttled > 0) console.log(`429s during the apply: ${throttled}`);
    } finally {
      await emulator.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
