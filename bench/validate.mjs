// Benchmark: load and validate a generated repository of 10,000 policy documents.
//   npm run bench:validate            (builds first)
//   node bench/validate.mjs [--documents N] [--files N]
// The measurement runs in a child process so that its peak RSS is the loader's alone. Targets: < 2 s
// wall time and < 300 MB peak memory on a 2-core machine.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatePolicyRepo } from "./generate-repo.mjs";

const TARGET_MS = 2000;
const TARGET_MB = 300;
const ISSUE_24_MS = 1000;

async function measure(dir) {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const { createPolicyValidator } = await import("../dist/adapters/fs/policy-schemas.js");
  const { listPolicyFiles } = await import("../dist/adapters/fs/policy-files.js");
  const { loadPolicies } = await import("../dist/core/policy/load-policies.js");
  const validator = createPolicyValidator();
  const result = await loadPolicies(dir, { validator, listPolicyFiles: (d) => listPolicyFiles(d) });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const usage = process.resourceUsage();
  return {
    documents: result.documentCount,
    files: result.fileCount,
    loaded: result.documents.length,
    diagnostics: result.diagnostics.length,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxRssMb: Math.round(usage.maxRSS / 1024),
  };
}

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

function sizeOf(dir) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) bytes += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
  }
  return bytes;
}

if (process.argv[2] === "--child") {
  process.stdout.write(`${JSON.stringify(await measure(process.argv[3]))}\n`);
} else {
  const self = fileURLToPath(import.meta.url);
  const run = (label, broken) => {
    const dir = mkdtempSync(join(tmpdir(), "ppgov-bench-"));
    try {
      const generated = generatePolicyRepo(dir, {
        documents: option("--documents", 10_000),
        files: option("--files", 500),
        broken,
      });
      const megabytes = (sizeOf(dir) / (1024 * 1024)).toFixed(1);
      console.log(
        `\n${label}: ${generated.documents} documents in ${generated.files} files (${megabytes} MB)`,
      );
      const childStarted = performance.now();
      const output = execFileSync(process.execPath, [self, "--child", dir], { encoding: "utf8" });
      const processMs = Math.round(performance.now() - childStarted);
      const figures = JSON.parse(output);
      console.log(
        `  documents read:      ${figures.documents} in ${figures.files} files (${figures.loaded} schema-valid)`,
      );
      console.log(`  diagnostics:         ${figures.diagnostics}`);
      console.log(`  wall time:           ${figures.wallMs} ms (load + validate, schema compile included)`);
      console.log(`  cpu time:            ${figures.cpuMs} ms`);
      console.log(`  peak RSS:            ${figures.maxRssMb} MB`);
      console.log(`  whole child process: ${processMs} ms (node start-up included)`);
      return figures;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const valid = run("valid repository", 0);
  const met = valid.wallMs < TARGET_MS && valid.maxRssMb < TARGET_MB && valid.diagnostics === 0;
  console.log(
    met ? `  target met (< ${TARGET_MS} ms, < ${TARGET_MB} MB, no diagnostics)` : "  TARGET MISSED",
  );
  // Issue 24's tighter bound, on this machine: reported beside the original target, which sets the exit code.
  console.log(
    `  issue 24 (<= ${ISSUE_24_MS} ms): ${valid.wallMs <= ISSUE_24_MS ? "met" : "NOT met"} (wall ${valid.wallMs} ms, CPU ${valid.cpuMs} ms: on a busy machine wall exceeds CPU)`,
  );
  // For information: the cost of positions when many documents are broken (no target).
  run("same size, a fifth of the teams with mistakes", 0.2);
  process.exitCode = met ? 0 : 1;
}
