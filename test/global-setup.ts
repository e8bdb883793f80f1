import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * End-to-end suites run the built CLI as a user would, so build it once before the run. Incremental, with
 * its build info inside dist/: when nothing in src/ changed since the last build (`npm run check` builds
 * just before testing) tsc emits nothing, which is quicker and leaves the dist/ files other test runs in
 * this tree may be executing untouched; deleting dist/ deletes the build info and forces a full build.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  execFileSync(
    process.execPath,
    [
      `${root}/node_modules/typescript/bin/tsc`,
      "-p",
      "tsconfig.build.json",
      "--incremental",
      "--tsBuildInfoFile",
      "dist/.tsbuildinfo",
    ],
    { cwd: root, stdio: "inherit" },
  );
  // As `npm run build` does: the CLI then loads the schemas' validators instead of compiling them, and
  // bin/ppgov.js runs the one-file bundle built from this very dist/.
  for (const step of ["precompile-schemas.js", "bundle.js"])
    execFileSync(process.execPath, [`${root}/dist/build/${step}`], { cwd: root, stdio: "inherit" });
}
