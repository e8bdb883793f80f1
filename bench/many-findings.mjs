// Benchmark: one DlpPolicy document with N unknown keys under spec (issue 21: 60,000 keys took 43 s
// and printed 60,002 lines). Runs the built CLI's `validate` on it and prints its wall time and
// how many lines it printed.
//   npm run build && node bench/many-findings.mjs [--keys 5000,20000,60000]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const index = process.argv.indexOf("--keys");
const sizes = (index === -1 ? "5000,20000,60000" : process.argv[index + 1]).split(",").map(Number);
const bin = fileURLToPath(new URL("../bin/ppgov.js", import.meta.url));

for (const keys of sizes) {
  const dir = mkdtempSync(join(tmpdir(), "ppgov-findings-"));
  try {
    mkdirSync(join(dir, "policies"));
    const lines = [
      "apiVersion: ppgov/v1",
      "kind: DlpPolicy",
      "metadata:",
      "  name: many-keys",
      "spec:",
      "  displayName: Many keys",
      "  scope:",
      "    all: true",
      "  defaultGroup: blocked",
    ];
    for (let i = 0; i < keys; i += 1) lines.push(`  k${i}: 0`);
    writeFileSync(join(dir, "policies", "many.yaml"), `${lines.join("\n")}\n`);
    const started = performance.now();
    const run = spawnSync(process.execPath, [bin, "validate", "--dir", join(dir, "policies")], {
      encoding: "utf8",
      maxBuffer: 1 << 30,
    });
    const wallMs = Math.round(performance.now() - started);
    const printed = `${run.stdout}${run.stderr}`.split("\n").filter((line) => line !== "").length;
    console.log(`${keys} unknown keys: exit ${run.status}, ${wallMs} ms wall, ${printed} lines printed`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
