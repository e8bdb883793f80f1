/**
 * Entry point of the GitHub Action's bundle (action.yml `runs.main: action/ppgov-action.mjs`, built
 * from this file by `npm run bundle:action`, scripts/bundle-action.mjs). The bundle holds the CLI and
 * every dependency, so a run on a fresh runner does no `npm ci` and no build: it only reads
 * package.json and schemas/ of the Action's own checkout.
 */
import { runAction } from "./run.js";

process.exitCode = await runAction(process.env);
