// Entry point of the GitHub Action (action.yml `runs.main`). Plain JavaScript so it runs from a git ref
// without a build step checked in: on first use it installs the locked dependencies and builds dist/,
// then runs the CLI in-process through dist/action/run.js.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(args) {
  const result = spawnSync(npm, args, {
    cwd: root,
    stdio: ["ignore", 2, 2],
    shell: process.platform === "win32",
  });
  if (result.status !== 0) {
    process.stdout.write(
      `::error title=ppgov::could not prepare the action (npm ${args.join(" ")} exited ${result.status})\n`,
    );
    process.exit(1);
  }
}

if (!existsSync(`${root}dist/action/run.js`)) {
  run(["ci", "--no-audit", "--no-fund", "--ignore-scripts"]);
  run(["run", "build", "--silent"]);
}
const { runAction } = await import(pathToFileURL(`${root}dist/action/run.js`).href);
process.exitCode = await runAction(process.env);
