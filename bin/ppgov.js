#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/ (npm run build). The one-file bundle starts faster; the compiled
// modules it is built from serve when there is no bundle.
import { existsSync } from "node:fs";

const bundle = new URL("../dist/ppgov.mjs", import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : "../dist/cli/main.js");

process.exitCode = await main(process.argv);
