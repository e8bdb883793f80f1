#!/usr/bin/env node
// `npm run demo` (and the benches) build first; a full build takes ~10 s and the demo ~2 s. This runs
// `npm run build` only when dist/ is missing or older than what it is built from. Plain JavaScript: it
// must run before anything is compiled. `--check` only reports (exit 0 current, 1 stale); `--root DIR`
// checks another tree (tests).
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** What the build reads: sources, schemas (precompiled into dist/), and the build's configuration. */
const INPUTS = [
  "src",
  "schemas",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
];
/** Written by the build's last step, so it is older than the inputs whenever a build is due or broke. */
const OUTPUT = join("dist", "ppgov.mjs");

/** The first input newer than the output (or the output itself when missing); undefined when current. */
export function staleBecause(root) {
  const built = statSync(join(root, OUTPUT), { throwIfNoEntry: false });
  if (built === undefined) return `${OUTPUT} is missing`;
  for (const input of INPUTS) {
    const newer = newerThan(join(root, input), built.mtimeMs);
    if (newer !== undefined) return `${relative(root, newer)} is newer than ${OUTPUT}`;
  }
  return undefined;
}

function newerThan(path, mtimeMs) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (info === undefined) return undefined;
  if (!info.isDirectory()) return info.mtimeMs > mtimeMs ? path : undefined;
  // A deleted source file shows as its directory's mtime.
  if (info.mtimeMs > mtimeMs) return path;
  for (const entry of readdirSync(path)) {
    const newer = newerThan(join(path, entry), mtimeMs);
    if (newer !== undefined) return newer;
  }
  return undefined;
}

const args = process.argv.slice(2);
const rootAt = args.indexOf("--root");
const root = resolve(rootAt >= 0 ? args[rootAt + 1] : fileURLToPath(new URL("..", import.meta.url)));
const reason = staleBecause(root);
if (args.includes("--check")) {
  process.stdout.write(reason === undefined ? "dist/ is current\n" : `dist/ is stale: ${reason}\n`);
  process.exitCode = reason === undefined ? 0 : 1;
} else if (reason !== undefined) {
  process.stderr.write(`Building ppgov (${reason})…\n`);
  execFileSync(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "build", "--silent"], {
    cwd: root,
    stdio: "inherit",
  });
}
