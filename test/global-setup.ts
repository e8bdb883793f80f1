import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** End-to-end suites run the built CLI as a user would, so build it once before the run. */
export default function setup(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
}
