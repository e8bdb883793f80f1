// A read-only command (drift, export) at scale against its read floor: generate the tenant, start the
// emulator with latency, run the built CLI once cold, replay the GETs it sent as the paged floor does
// (each nextLink list in sequence, everything else at once), and print command / floor.
import { mkdtempSync, rmSync } from "node:fs";
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
  runCli,
  seconds,
  startEmulator,
} from "./harness.mjs";

/**
 * `command.args(tenant, work)` gives the CLI arguments; `command.allowExit` the exit codes that mean
 * success; `command.check(run, work)` may print what the run produced. Returns the figures per scale.
 */
export async function runReadBench(command) {
  requireBuild();
  const scales = option("--scales", "1")
    .split(",")
    .map(Number)
    .filter((scale) => scale > 0);
  const latencyMs = Number(option("--latency-ms", "100"));
  const randomSeed = Number(option("--random-seed", String(DEFAULT_RANDOM_SEED)));
  console.log(
    `ppgov ${command.name} benchmark: ${latencyMs} ms latency per request, node ${process.version}, ppgov ${packageVersion}`,
  );
  const results = [];
  for (const scale of scales) {
    const work = mkdtempSync(join(tmpdir(), `ppgov-bench-${command.name}-`));
    try {
      const tenant = generateTenant({ scale, out: work, seed: randomSeed });
      const emulator = await startEmulator(tenant.seedPath);
      try {
        await control(emulator.url, "PUT", "faults", { latencyMs });
        await control(emulator.url, "POST", "reset");
        const run = runCli(emulator.url, command.args(tenant, work), {
          env: { PPGOV_CACHE_DIR: join(work, "cache") },
          allowExit: command.allowExit ?? [0],
        });
        const sent = await requestLog(emulator.url);
        const writes = sent.log.filter(isWrite);
        await control(emulator.url, "POST", "reset");
        const floor = await pagedFloorRead(emulator.url, sent.log);
        const c = tenant.counts;
        console.log(
          `\nscale ${scale}: ${c.environments} environments, ${c.dlpPolicies} DLP policies x ${c.connectors} connectors, ${c.allocations} allocations, ${c.assignments} license assignments`,
        );
        printTable(
          ["run", "wall s", "CPU s", "peak RSS MB", "HTTP requests", "writes", "429s"],
          [
            [
              `${command.name} cold`,
              seconds(run.wallMs),
              seconds(run.cpuMs),
              mb(run.rssMb),
              sent.requests,
              writes.length,
              sent.throttled,
            ],
            ["floor paged", seconds(floor.wallMs), seconds(floor.cpuMs), "-", sent.requests, 0, "-"],
          ],
        );
        const ratio = run.wallMs / floor.wallMs;
        console.log(
          `${command.name} / floor paged = ${ratio.toFixed(2)} (target <= ${command.targetRatio ?? 1.5}; longest paged list ${floor.longest} pages); peak RSS ${mb(run.rssMb)} MB (target <= 1024)`,
        );
        command.check?.(run, work);
        results.push({
          scale,
          run,
          floor,
          ratio,
          requests: sent.requests,
          writes: writes.map((entry) => `${entry.method} ${entry.path}`),
        });
      } finally {
        await emulator.stop();
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return results;
}
