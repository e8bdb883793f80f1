// Export benchmark: `ppgov export` of the generated tenant against its read floor (bench/read-bench.mjs).
//   npm run bench:export                       (builds first; scale 1)
//   node bench/export.mjs [--scales 0.25,1] [--latency-ms 100] [--random-seed N]
// Targets (issue 24): wall <= 1.5 x the paged read floor, peak RSS <= 1 GB, no write request.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { runReadBench } from "./read-bench.mjs";

/** Files and bytes below `dir`. */
function sizeOf(dir) {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files += 1;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

const results = await runReadBench({
  name: "export",
  args: (_tenant, work) => ["export", "-o", join(work, "exported")],
  check: (run, work) => {
    // The CLI's own split: "Exported N documents to … (read s, export s, write s):".
    const summary = /^Exported .*$/m.exec(run.stdout)?.[0];
    if (summary !== undefined) console.log(summary);
    const { files, bytes } = sizeOf(join(work, "exported"));
    console.log(`wrote ${files} files, ${(bytes / 1024 / 1024).toFixed(1)} MB`);
  },
});
const writes = results.flatMap((result) => result.writes);
if (writes.length > 0) throw new Error(`export sent write requests: ${writes.join(", ")}`);
