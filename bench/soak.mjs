#!/usr/bin/env node
// Seeded soak of `ppgov apply` through the BUILT CLI against the in-process emulator (issue 7, "Faults").
//
//   node bench/soak.mjs [--runs 200] [--crash 100] [--seed 7] [--only N] [--json]   (--help: usage)
//
// Fault runs: a random valid change set is written to a copy of policies/, random faults are switched on
// (latency, 429 with Retry-After, 500/503, dropped connections, lifecycle operations ending Failed) and
// `ppgov apply` runs. Either it succeeds and a re-plan is empty, or it exits 1 naming what failed (or,
// when it stopped before any write, saying nothing was changed), and a second apply without faults
// converges. Crash runs: the apply is killed with SIGKILL once a random
// number of requests reached the tenant; the re-run converges. After every run the emulator's state must
// hold no duplicate environment or DLP policy (by display name), and once converged every one the
// repository declares (none lost) and none it neither declares nor held at the start (none unexpected).
// "retries" counts the attempts the CLI itself logged as retried, not the faults injected. Prints the
// counts; exits 1 on any breach, 2 on a bad flag. Needs `npm run build` first (`npm run soak` does it).
import { spawn } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments, stringify } from "yaml";

const USAGE = `usage: node bench/soak.mjs [--runs N] [--crash N] [--seed N] [--only N] [--json]

Seeded soak of \`ppgov apply\` (the built CLI) against the in-process emulator.
  --runs N   apply runs under random faults (default 200)
  --crash N  applies killed with SIGKILL mid-run, then re-run (default 100)
  --seed N   seed of the change sets, faults and kill points (default 7)
  --only N   reproduce fault run N alone: runs 1..N-1 still run (each run starts from the state the
             ones before it left), their breaches are not reported, no crash runs
  --json     print the figures and breaches as one JSON object
  -h, --help print this and exit
Exit 0 when every run converged with no duplicate, lost or unexpected resource, 1 on any breach, 2 on a
bad flag. The full stderr of every apply that breached is written to a file the breach names.
Needs \`npm run build\` first.
`;

/** The flags, checked before anything starts: a typo must not start a 300-run soak. */
function parseFlags(argv) {
  const flags = { runs: 200, crash: 100, seed: 7, only: undefined, json: false };
  const numeric = { "--runs": "runs", "--crash": "crash", "--seed": "seed", "--only": "only" };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === "--help" || arg === "-h") return { help: true };
    if (arg === "--json") {
      flags.json = true;
      continue;
    }
    const [name, inline] =
      arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const key = numeric[name];
    if (key === undefined) return { error: `unknown option '${arg}'` };
    const value = inline ?? argv[(index += 1)];
    if (value === undefined || !/^\d+$/.test(value))
      return { error: `${name} needs a whole number (got ${value ?? "nothing"})` };
    flags[key] = Number(value);
  }
  if (flags.only !== undefined) {
    if (flags.only < 1) return { error: "--only needs a run number from 1" };
    // Runs 1..N-1 set up the state run N starts from (repository, tenant, the fault PRNG's position).
    flags.runs = flags.only;
    flags.crash = 0;
  }
  return { flags };
}

const parsed = parseFlags(process.argv.slice(2));
if (parsed.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (parsed.error !== undefined) {
  process.stderr.write(`soak: ${parsed.error}\n(run 'node bench/soak.mjs --help' for usage)\n`);
  process.exit(2);
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "bin", "ppgov.js");
const { loadSeedFile, sampleSeedPath, startEmulator } = await import(join(root, "dist/emulator/server.js"));
// The emulator's own PRNG (mulberry32): the whole soak is reproducible from its seed.
const { seededRandom } = await import(join(root, "dist/emulator/faults.js"));

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

/** The live environments and DLP policies, each as "Environment <display name>" or "DlpPolicy <…>". */
function liveNames(state) {
  return [
    ...(state.environments ?? []).map((e) => `Environment ${e.properties.displayName}`),
    ...(state.dlpPolicies ?? []).map((p) => `DlpPolicy ${p.policyDefinition.displayName}`),
  ];
}

function duplicates(state) {
  const names = liveNames(state);
  return names.length - new Set(names).size;
}

/** The environments and DLP policies the repository copy declares, named as liveNames names them. */
async function declaredNames(dir) {
  const names = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.ya?ml$/.test(entry.name)) continue;
    const text = await readFile(join(entry.parentPath ?? entry.path, entry.name), "utf8");
    for (const document of parseAllDocuments(text)) {
      const value = document.toJS();
      if ((value?.kind === "Environment" || value?.kind === "DlpPolicy") && value.spec?.displayName)
        names.push(`${value.kind} ${value.spec.displayName}`);
    }
  }
  return names;
}

const { runs, crash: crashRuns, seed } = parsed.flags;
const random = seededRandom(seed);
const emulator = await startEmulator({
  seed: await loadSeedFile(sampleSeedPath),
  lifecycleDelayMs: 20,
  faultSeed: seed,
});
const work = await mkdtemp(join(tmpdir(), "ppgov-soak-"));
// Outside `work` (removed at the end): the full stderr of each apply that breached, named in the breach.
const reportDir = await mkdtemp(join(tmpdir(), "ppgov-soak-report-"));
let reportsWritten = 0;
async function keepStderr(label, step, stderr) {
  const file = join(reportDir, `${label.replace(/\s+/g, "-")}-${step}.stderr.log`);
  await writeFile(file, stderr);
  reportsWritten += 1;
  return file;
}
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
  lost: 0,
  unexpected: 0,
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
  // Re-planned whatever the exit code, so the breach quotes this run's re-plan, not an earlier run's.
  const replanEmpty = await replanIsEmpty();
  if (again.code === 0 && replanEmpty) return true;
  figures.notConverged += 1;
  const file = await keepStderr(label, "retry-apply", again.stderr);
  breaches.push(
    `${label}: the apply without faults did not converge (exit ${again.code}; full stderr in ${file}): ${again.stderr.slice(0, 400)} ${lastReplan}`,
  );
  return false;
}

/** What a user reads on stderr: the lines that are not structured (JSON) log records, last ones first. */
function messageLines(stderr) {
  const lines = stderr.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("{"));
  return lines.slice(-6).join(" | ").slice(-600) || "(no message on stderr)";
}

/**
 * No duplicate ever; once the run converged, every declared resource present (none lost) and nothing
 * neither declared nor there at the start (none unexpected).
 */
async function checkTenant(label, converged) {
  const state = emulator.state();
  const found = duplicates(state);
  if (found > 0) {
    figures.duplicates += found;
    breaches.push(`${label}: ${found} duplicate(s) in the tenant`);
  }
  if (!converged) return;
  const live = new Set(liveNames(state));
  const declared = await declaredNames(join(work, "policies"));
  const lost = declared.filter((name) => !live.has(name));
  const expected = new Set([...declared, ...baseline]);
  const unexpected = [...live].filter((name) => !expected.has(name));
  if (lost.length > 0) {
    figures.lost += lost.length;
    breaches.push(`${label}: declared but not in the tenant: ${lost.slice(0, 5).join(", ")}`);
  }
  if (unexpected.length > 0) {
    figures.unexpected += unexpected.length;
    breaches.push(
      `${label}: in the tenant but neither declared nor there at the start: ${unexpected.slice(0, 5).join(", ")}`,
    );
  }
}

/** Attempts the CLI retried, from its own log lines ("retrying after …", info for 429s, warn else). */
function retriesLogged(stderr) {
  let count = 0;
  for (const line of stderr.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      if (/^retrying after /.test(JSON.parse(line).msg ?? "")) count += 1;
    } catch {
      // A line cut short at the kill: not a record.
    }
  }
  return count;
}

// The sample repository is converged first, so every run starts from a clean re-plan.
emulator.setFaults({});
const first = await run(apply, work, env);
if (first.code !== 0) throw new Error(`initial apply failed: ${first.stderr}`);
// What the tenant held after the first converge, declared or not (the seed's own objects).
const baseline = new Set(liveNames(emulator.state()));

for (let serial = 1; serial <= runs; serial += 1) {
  const label = `run ${serial}`;
  if (parsed.flags.only === serial) {
    // Only run N is reported: what the runs before it breached is not its finding.
    for (const key of Object.keys(figures)) figures[key] = 0;
    breaches.length = 0;
  }
  figures.runs += 1;
  await writeChangeSet(work, random, serial);
  emulator.resetRequests();
  emulator.setFaults(randomFaults(random));
  // Retries are logged at info (429) and warn: info, as JSON lines, to count them.
  const result = await run(apply, work, { ...env, PPGOV_LOG_LEVEL: "info", PPGOV_LOG_FORMAT: "json" });
  const log = emulator.requests();
  const faulted = log.filter((r) => r.status === 0 || r.status === 429 || r.status >= 500).length;
  figures.faultsInjected += faulted;
  figures.retries += retriesLogged(result.stderr);
  if (parsed.flags.only === serial) await keepStderr(label, "fault-apply", result.stderr);
  emulator.setFaults({});
  let converged = false;
  if (result.code === 0 && (await replanIsEmpty())) {
    figures.convergedFirstTime += 1;
    converged = true;
  } else {
    const report = result.stdout + result.stderr;
    if (result.code !== 1 || !/failed|not attempted|nothing was changed in the tenant/i.test(report)) {
      figures.unclearFailures += 1;
      const file = await keepStderr(label, "fault-apply", result.stderr);
      breaches.push(
        `${label}: apply exit ${result.code} without a clear failure report (full stderr in ${file}): ${messageLines(result.stderr)}`,
      );
    }
    if (await recover(label)) {
      figures.convergedAfterRetry += 1;
      converged = true;
    }
  }
  await checkTenant(label, converged);
}

for (let serial = 1; serial <= crashRuns; serial += 1) {
  const label = `crash ${serial}`;
  figures.crashRuns += 1;
  await writeChangeSet(work, random, runs + serial);
  emulator.resetRequests();
  emulator.setFaults({});
  await run(apply, work, env, { killAfterRequests: 1 + Math.floor(random() * 40), emulator });
  const converged = await recover(label);
  if (converged) figures.crashConverged += 1;
  await checkTenant(label, converged);
}

figures.seconds = Math.round((Date.now() - started) / 1000);
await emulator.close();
await rm(work, { recursive: true, force: true });
if (reportsWritten === 0) await rm(reportDir, { recursive: true, force: true });
if (parsed.flags.json)
  console.log(JSON.stringify({ figures, breaches, ...(reportsWritten > 0 ? { reportDir } : {}) }));
else {
  console.log(
    `soak seed ${seed}: runs ${figures.runs}, faults injected ${figures.faultsInjected}, retries ${figures.retries}, ` +
      `converged first time ${figures.convergedFirstTime}, converged after retry ${figures.convergedAfterRetry}, ` +
      `crash runs ${figures.crashRuns} (converged ${figures.crashConverged}), duplicates ${figures.duplicates}, ` +
      `lost ${figures.lost}, unexpected ${figures.unexpected}, ` +
      `unclear failures ${figures.unclearFailures}, not converged ${figures.notConverged}, ${figures.seconds} s`,
  );
  for (const breach of breaches) console.log(`BREACH ${breach}`);
  if (reportsWritten > 0) console.log(`full stderr of the breaching applies: ${reportDir}`);
}
process.exitCode = breaches.length > 0 ? 1 : 0;
