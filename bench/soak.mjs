#!/usr/bin/env node
// Seeded soak of `ppgov apply` through the BUILT CLI against the in-process emulator (issue 7, "Faults").
//
//   node bench/soak.mjs [--runs 200] [--crash 100] [--seed 7] [--json]
//
// Fault runs: a random valid change set is written to a copy of policies/, random faults are switched on
// (latency, 429 with Retry-After, 500/503, dropped connections, lifecycle operations ending Failed) and
// `ppgov apply` runs. Either it succeeds and a re-plan is empty, or it exits 1 naming what failed (or,
// when it stopped before any write, saying nothing was changed), and a second apply without faults
// converges. Crash runs: the apply is killed with SIGKILL once a random
// number of requests reached the tenant; the re-run converges. After every run the emulator's state must
// hold no duplicate environment or DLP policy (by display name). Prints the counts; exits 1 on any breach.
// Needs `npm run build` first (`npm run soak` does it).
import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "bin", "ppgov.js");
const { loadSeedFile, sampleSeedPath, startEmulator } = await import(join(root, "dist/emulator/server.js"));
// The emulator's own PRNG (mulberry32): the whole soak is reproducible from its seed.
const { seededRandom } = await import(join(root, "dist/emulator/faults.js"));

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] !== undefined ? Number(process.argv[at + 1]) : fallback;
}

function run(args, cwd, env, { killAfterRequests, emulator } = {}) {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      env: { PATH: process.env.PATH, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    let watcher;
    if (killAfterRequests !== undefined) {
      const base = emulator.requests().length;
      watcher = setInterval(() => {
        if (emulator.requests().length - base >= killAfterRequests) child.kill("SIGKILL");
      }, 1);
    }
    const timeout = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("close", (code, signal) => {
      clearInterval(watcher);
      clearTimeout(timeout);
      resolveRun({ code, signal, stdout, stderr });
    });
  });
}

const pick = (random, items) => items[Math.floor(random() * items.length)];
const SOCIAL = [
  "shared_twitter",
  "shared_linkedinv2",
  "shared_youtube",
  "shared_facebook",
  "shared_instagram",
];

/** Writes one random valid change set into the repository copy; returns a short description. */
async function writeChangeSet(repo, random, serial) {
  const changes = [];
  const settingsPath = join(repo, "policies/tenant/settings.yaml");
  const settings = parse(await readFile(settingsPath, "utf8"));
  if (random() < 0.5) {
    const key = pick(random, [
      "disableEnvironmentCreationByNonAdminUsers",
      "disableTrialEnvironmentCreationByNonAdminUsers",
    ]);
    settings.spec[key] = !settings.spec[key];
    changes.push(`setting ${key}`);
  }
  await writeFile(settingsPath, stringify(settings));

  const socialPath = join(repo, "policies/dlp/social-media.yaml");
  const social = parse(await readFile(socialPath, "utf8"));
  if (random() < 0.6) {
    const blocked = SOCIAL.filter(() => random() < 0.5);
    social.spec.connectors.blocked = blocked.length > 0 ? blocked : ["shared_twitter"];
    changes.push(`dlp blocked ${social.spec.connectors.blocked.length}`);
  }
  await writeFile(socialPath, stringify(social));

  if (random() < 0.35) {
    const name = `soak-${serial}`;
    const document = {
      apiVersion: "ppgov/v1",
      kind: "Environment",
      metadata: { name },
      spec: {
        displayName: `Soak ${serial}`,
        description: `Soak environment ${serial}`,
        location: "unitedstates",
        type: "Sandbox",
      },
    };
    await writeFile(join(repo, `policies/environments/${name}.yaml`), stringify(document));
    changes.push(`environment ${name}`);
  }
  if (random() < 0.35) {
    const policy = {
      apiVersion: "ppgov/v1",
      kind: "DlpPolicy",
      metadata: { name: `soak-dlp-${serial}` },
      spec: {
        displayName: `Soak policy ${serial}`,
        scope: { only: ["innovation-lab"] },
        defaultGroup: "nonBusiness",
        connectors: { blocked: [pick(random, SOCIAL)] },
      },
    };
    await writeFile(join(repo, `policies/dlp/soak-dlp-${serial}.yaml`), stringify(policy));
    changes.push(`dlp soak-dlp-${serial}`);
  }
  return changes.join(", ") || "no change";
}

function randomFaults(random) {
  const faults = {};
  if (random() < 0.4) faults.latencyMs = Math.floor(random() * 20);
  if (random() < 0.5) {
    faults.rate429 = 0.05 + random() * 0.15;
    faults.retryAfterSeconds = random() < 0.7 ? 0 : 1;
  }
  if (random() < 0.5) faults.rate5xx = 0.03 + random() * 0.1;
  if (random() < 0.4) faults.rateDrop = 0.02 + random() * 0.05;
  if (random() < 0.4) faults.lifecycleFailRate = 0.3 + random() * 0.5;
  return faults;
}

function duplicates(state) {
  const count = (names) => names.length - new Set(names).size;
  return (
    count((state.environments ?? []).map((e) => e.properties.displayName)) +
    count((state.dlpPolicies ?? []).map((p) => p.policyDefinition.displayName))
  );
}

const runs = option("--runs", 200);
const crashRuns = option("--crash", 0);
const seed = option("--seed", 7);
const random = seededRandom(seed);
const emulator = await startEmulator({
  seed: await loadSeedFile(sampleSeedPath),
  lifecycleDelayMs: 20,
  faultSeed: seed,
});
const work = await mkdtemp(join(tmpdir(), "ppgov-soak-"));
await cp(join(root, "policies"), join(work, "policies"), { recursive: true });
const env = {
  PPGOV_ENDPOINT: emulator.url,
  PPGOV_TOKEN: "ppgov-dev",
  PPGOV_CACHE_DIR: join(work, "cache"),
  PPGOV_JOURNAL: join(work, "journal.jsonl"),
  PPGOV_LOCK_DIR: join(work, "locks"),
  // Creates finish in 20 ms here: a create a killed run journaled but never sent is trusted as absent
  // after 10 s rather than the 2 minutes a real tenant gets.
  PPGOV_CREATE_SETTLE_SECONDS: "10",
};
const apply = ["apply", "-d", "policies", "--auto-approve"];
const figures = {
  runs: 0,
  faultsInjected: 0,
  retries: 0,
  convergedFirstTime: 0,
  convergedAfterRetry: 0,
  crashRuns: 0,
  crashConverged: 0,
  duplicates: 0,
  unclearFailures: 0,
  notConverged: 0,
};
const breaches = [];
const started = Date.now();

let lastReplan = "";
async function replanIsEmpty() {
  const replanned = await run(["plan", "-d", "policies", "--detailed-exitcode"], work, env);
  lastReplan = `re-plan exit ${replanned.code}: ${(replanned.stderr + replanned.stdout).slice(0, 600)}`;
  return replanned.code === 0;
}

/** After a failed or killed apply: one more apply with faults off must converge. */
async function recover(label) {
  emulator.setFaults({});
  const again = await run(apply, work, env);
  if (again.code === 0 && (await replanIsEmpty())) return true;
  figures.notConverged += 1;
  breaches.push(
    `${label}: the apply without faults did not converge (exit ${again.code}): ${again.stderr.slice(0, 400)} ${lastReplan}`,
  );
  return false;
}

/** What a user reads on stderr: the lines that are not structured (JSON) log records, last ones first. */
function messageLines(stderr) {
  const lines = stderr.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("{"));
  return lines.slice(-6).join(" | ").slice(-600) || "(no message on stderr)";
}

function checkDuplicates(label) {
  const found = duplicates(emulator.state());
  if (found > 0) {
    figures.duplicates += found;
    breaches.push(`${label}: ${found} duplicate(s) in the tenant`);
  }
}

// The sample repository is converged first, so every run starts from a clean re-plan.
emulator.setFaults({});
const first = await run(apply, work, env);
if (first.code !== 0) throw new Error(`initial apply failed: ${first.stderr}`);

for (let serial = 1; serial <= runs; serial += 1) {
  const label = `run ${serial}`;
  figures.runs += 1;
  await writeChangeSet(work, random, serial);
  emulator.resetRequests();
  emulator.setFaults(randomFaults(random));
  const result = await run(apply, work, env);
  const log = emulator.requests();
  const faulted = log.filter((r) => r.status === 0 || r.status === 429 || r.status >= 500).length;
  figures.faultsInjected += faulted;
  // Every request the tenant answered with a fault that the run still got past was a retry.
  figures.retries += faulted;
  emulator.setFaults({});
  if (result.code === 0 && (await replanIsEmpty())) {
    figures.convergedFirstTime += 1;
  } else {
    const report = result.stdout + result.stderr;
    if (result.code !== 1 || !/failed|not attempted|nothing was changed in the tenant/i.test(report)) {
      figures.unclearFailures += 1;
      breaches.push(
        `${label}: apply exit ${result.code} without a clear failure report: ${messageLines(result.stderr)}`,
      );
    }
    if (await recover(label)) figures.convergedAfterRetry += 1;
  }
  checkDuplicates(label);
}

for (let serial = 1; serial <= crashRuns; serial += 1) {
  const label = `crash ${serial}`;
  figures.crashRuns += 1;
  await writeChangeSet(work, random, runs + serial);
  emulator.resetRequests();
  emulator.setFaults({});
  await run(apply, work, env, { killAfterRequests: 1 + Math.floor(random() * 40), emulator });
  if (await recover(label)) figures.crashConverged += 1;
  checkDuplicates(label);
}

figures.seconds = Math.round((Date.now() - started) / 1000);
await emulator.close();
await rm(work, { recursive: true, force: true });
if (process.argv.includes("--json")) console.log(JSON.stringify({ figures, breaches }));
else {
  console.log(
    `soak seed ${seed}: runs ${figures.runs}, faults injected ${figures.faultsInjected}, retries ${figures.retries}, ` +
      `converged first time ${figures.convergedFirstTime}, converged after retry ${figures.convergedAfterRetry}, ` +
      `crash runs ${figures.crashRuns} (converged ${figures.crashConverged}), duplicates ${figures.duplicates}, ` +
      `unclear failures ${figures.unclearFailures}, not converged ${figures.notConverged}, ${figures.seconds} s`,
  );
  for (const breach of breaches) console.log(`BREACH ${breach}`);
}
process.exitCode = breaches.length > 0 ? 1 : 0;
