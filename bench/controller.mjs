// Controller benchmark: `ppgov controller --mode detect` runs --cycles reconcile cycles of an unchanged
// repository against the emulator, with a short interval; samples the controller's RSS and CPU from
// /proc and counts the requests of the warm cycles in the emulator's log.
//   npm run bench:controller                   (builds first)
//   node bench/controller.mjs [--cycles 1000] [--scale 0.02] [--interval 100ms] [--latency-ms 0]
// Targets (issue 24): RSS flat after warm-up (growth <= 10% from the first tenth of the cycles to the
// end), CPU per unchanged cycle reported, requests per warm cycle = list pages only where the cache
// allows it.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RANDOM_SEED, generateTenant } from "./generate-tenant.mjs";
import {
  cli,
  control,
  option,
  packageVersion,
  printTable,
  requestLog,
  requireBuild,
  TOKEN,
  startEmulator,
} from "./harness.mjs";

const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_SIZE_BYTES = 4096;

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** RSS (MB) and CPU time (ms) of a process, from /proc. */
function processFigures(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  const rssMb = (Number(fields[21]) * PAGE_SIZE_BYTES) / 1024 / 1024;
  return { cpuMs, rssMb };
}

async function reconciles(metricsUrl) {
  try {
    const text = await (await fetch(metricsUrl, { headers: { connection: "close" } })).text();
    return [...text.matchAll(/^ppgov_reconcile_total\{[^}]*\} (\d+)$/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
  } catch {
    return 0;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForCycles(metricsUrl, count, child) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the controller exited (${child.exitCode})`);
    const done = await reconciles(metricsUrl);
    if (done >= count) return done;
    await sleep(50);
  }
}

function git(cwd, ...args) {
  execFileSync("git", args, { cwd, stdio: "ignore" });
}

async function main() {
  requireBuild();
  const cycles = Number(option("--cycles", "1000"));
  const scale = Number(option("--scale", "0.02"));
  const interval = option("--interval", "100ms");
  const latencyMs = Number(option("--latency-ms", "0"));
  const work = mkdtempSync(join(tmpdir(), "ppgov-bench-controller-"));
  try {
    const tenant = generateTenant({ scale, out: join(work, "tenant"), seed: DEFAULT_RANDOM_SEED });
    const repo = join(work, "repo");
    cpSync(tenant.repoDir, join(repo, "policies"), { recursive: true });
    git(repo, "init", "-q", "-b", "main");
    git(repo, "add", ".");
    git(repo, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-qm", "policies");

    const emulator = await startEmulator(tenant.seedPath);
    const port = await freePort();
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    const child = spawn(
      process.execPath,
      [
        cli,
        "controller",
        "--repo",
        repo,
        "--mode",
        "detect",
        "--interval",
        interval,
        "--listen",
        `127.0.0.1:${port}`,
        "--work-dir",
        join(work, "controller"),
      ],
      {
        cwd: work,
        stdio: ["ignore", "ignore", "ignore"],
        env: {
          ...process.env,
          PPGOV_ENDPOINT: emulator.url,
          PPGOV_TOKEN: TOKEN,
          PPGOV_LOG_LEVEL: "warn",
          PPGOV_CACHE_DIR: join(work, "cache"),
        },
      },
    );
    try {
      await control(emulator.url, "PUT", "faults", { latencyMs });
      console.log(
        `ppgov controller benchmark: ${cycles} cycles of an unchanged repository (scale ${scale}: ${tenant.counts.documents} documents), ` +
          `--interval ${interval}, ${latencyMs} ms latency, node ${process.version}, ppgov ${packageVersion}`,
      );
      const warmUp = Math.max(2, Math.round(cycles / 10));
      await waitForCycles(metricsUrl, 1, child);
      const first = processFigures(child.pid);
      await waitForCycles(metricsUrl, warmUp, child);
      await control(emulator.url, "POST", "reset");
      const warm = {
        ...processFigures(child.pid),
        cycles: await reconciles(metricsUrl),
        at: performance.now(),
      };
      const samples = [];
      const step = Math.max(1, Math.round((cycles - warmUp) / 9));
      for (let target = warmUp + step; target < cycles + step; target += step) {
        const done = await waitForCycles(metricsUrl, Math.min(target, cycles), child);
        const sample = { cycles: done, ...processFigures(child.pid) };
        const previous = samples.at(-1) ?? warm;
        sample.cpuPerCycleMs = (sample.cpuMs - previous.cpuMs) / (sample.cycles - previous.cycles);
        samples.push(sample);
        // As it goes, so that a run stopped early still shows the trend.
        console.log(
          `  after ${done} cycles: RSS ${sample.rssMb.toFixed(0)} MB, ${sample.cpuPerCycleMs.toFixed(0)} ms CPU per cycle since ${previous.cycles}`,
        );
      }
      const end = samples.at(-1);
      const { log } = await requestLog(emulator.url);
      const warmCycles = end.cycles - warm.cycles;
      const wallMs = performance.now() - warm.at;
      const pathOf = (entry) => entry.path.split("?")[0];
      const lists = log.filter((entry) => !/[0-9a-f]{8}-[0-9a-f]{4}-/i.test(pathOf(entry))).length;

      printTable(
        ["after cycles", "RSS MB", "CPU s", "CPU ms per cycle (since the row above)"],
        [
          [1, first.rssMb.toFixed(0), (first.cpuMs / 1000).toFixed(1), "-"],
          [
            warm.cycles,
            warm.rssMb.toFixed(0),
            (warm.cpuMs / 1000).toFixed(1),
            ((warm.cpuMs - first.cpuMs) / (warm.cycles - 1)).toFixed(0),
          ],
          ...samples.map((s) => [
            s.cycles,
            s.rssMb.toFixed(0),
            (s.cpuMs / 1000).toFixed(1),
            s.cpuPerCycleMs.toFixed(0),
          ]),
        ],
      );
      const peakAfterWarm = Math.max(...samples.map((s) => s.rssMb));
      const growth = (peakAfterWarm - warm.rssMb) / warm.rssMb;
      console.log(
        `RSS after warm-up: ${warm.rssMb.toFixed(0)} MB at cycle ${warm.cycles}, highest later ${peakAfterWarm.toFixed(0)} MB, ` +
          `end ${end.rssMb.toFixed(0)} MB: growth ${(growth * 100).toFixed(1)}% (target <= 10%)`,
      );
      console.log(
        `per warm cycle: ${((end.cpuMs - warm.cpuMs) / warmCycles).toFixed(1)} ms CPU, ${(wallMs / warmCycles).toFixed(0)} ms wall, ` +
          `${(log.length / warmCycles).toFixed(1)} requests (${(lists / warmCycles).toFixed(1)} list pages and tenant-wide reads, ` +
          `${((log.length - lists) / warmCycles).toFixed(1)} per-object reads), over ${warmCycles} cycles`,
      );
      const perObject = new Map();
      for (const entry of log.filter((e) => /[0-9a-f]{8}-[0-9a-f]{4}-/i.test(pathOf(e)))) {
        const family = pathOf(entry).replace(/[0-9a-f]{8}-[0-9a-f-]{27,}|Default-[0-9a-f-]+/gi, "{id}");
        perObject.set(family, (perObject.get(family) ?? 0) + 1);
      }
      for (const [family, count] of [...perObject].sort((a, b) => b[1] - a[1]).slice(0, 5))
        console.log(`  per-object: ${(count / warmCycles).toFixed(1)} per cycle  GET ${family}`);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
      await emulator.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
