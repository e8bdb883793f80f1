// Import rules (docs/architecture.md "Layers and import rules"), run on src/, test/ and bench/ by `npm run lint`.
// Layers, lowest first: core (pure) <- render (pure) <- adapters <- app <- cli <- action.
// The emulator is a peer of the product: it may use core and adapters, and only cli (the demo),
// action and the tests may start it. build/ (the build scripts) may use core and adapters.
// Type-only imports count (tsPreCompilationDeps): a circle of types is still a circle.

/** @param {string} name @param {string} from @param {string[]} to @param {string} comment */
function upward(name, from, to, comment) {
  return { name, comment, severity: "error", from: { path: from }, to: { path: `^src/(${to.join("|")})/` } };
}

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import circle: move the shared type or function down into a module both can import.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    upward(
      "core-is-the-bottom",
      "^src/core/",
      ["render", "adapters", "app", "cli", "action", "emulator"],
      "core is pure and the lowest layer: it imports nothing else in src/",
    ),
    upward(
      "render-is-pure",
      "^src/render/",
      ["adapters", "app", "cli", "action", "emulator"],
      "render turns core values into text: it may import core only",
    ),
    upward(
      "adapters-below-app",
      "^src/adapters/",
      ["render", "app", "cli", "action", "emulator"],
      "adapters implement ports declared in core: they must not import use cases (app) or commands (cli)",
    ),
    upward(
      "app-below-cli",
      "^src/app/",
      ["cli", "action", "emulator"],
      "use cases must not import commands: move the shared helper down into app, adapters or core",
    ),
    upward("cli-below-action", "^src/cli/", ["action"], "the Action entry point sits above the CLI"),
    upward(
      "emulator-is-a-peer",
      "^src/emulator/",
      ["render", "app", "cli", "action"],
      "the emulator stands in for the tenant: it may use core and adapters, never the product's use cases",
    ),
    upward(
      "nothing-imports-build",
      "^src/(?!build/)",
      ["build"],
      "build/ holds build scripts, run by npm run build only",
    ),
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    // bench/ runs the build (dist/), which may be stale or absent: the rules judge the sources.
    exclude: { path: "^dist/" },
  },
};
