// Build step (npm run build, last): the CLI as one file, dist/ppgov.mjs, which bin/ppgov.js runs. Node
// then reads one module instead of about 500 (ppgov's own and its dependencies'): start-up went from
// about 0.25 s to 0.14 s. Packages that are loaded lazily and rarely stay outside.
import { join } from "node:path";
import { build } from "esbuild";
import { packageRoot } from "../adapters/fs/package-root.js";

const root = packageRoot();
await build({
  entryPoints: [join(root, "dist", "cli", "main.js")],
  outfile: join(root, "dist", "ppgov.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Real sign-in only (src/adapters/tenant/credential.ts imports it on the first token request).
  // The azblob lock only (src/adapters/lock/azblob-lock.ts, imported when PPGOV_LOCK=azblob).
  external: ["@azure/identity", "@azure/storage-blob"],
  // Bundled CommonJS dependencies (ajv, yaml, pino, commander…) call require().
  banner: {
    js: 'import { createRequire as ppgovCreateRequire } from "node:module"; const require = ppgovCreateRequire(import.meta.url);',
  },
  legalComments: "none",
  logLevel: "warning",
});
