// Drift benchmark: `ppgov drift` of the generated tenant (about 1% drifted) against its read floor
// (bench/read-bench.mjs), the bound plan has: wall <= 1.5 x the paged floor.
//   npm run bench:drift                        (builds first; scale 1)
//   node bench/drift.mjs [--scales 0.25,1] [--latency-ms 100] [--random-seed N]
import { runReadBench } from "./read-bench.mjs";

const results = await runReadBench({
  name: "drift",
  args: (tenant) => ["drift", "-d", tenant.repoDir, "--format", "json"],
  // 2: drift found, which the generated repository always has.
  allowExit: [2],
  check: (run) => {
    const summary = JSON.parse(run.stdout).summary;
    console.log(`drift: ${JSON.stringify(summary)}`);
  },
});
const writes = results.flatMap((result) => result.writes);
if (writes.length > 0) throw new Error(`drift sent write requests: ${writes.join(", ")}`);
