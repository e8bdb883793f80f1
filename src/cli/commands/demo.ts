import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import { packageRoot } from "../../adapters/fs/package-root.js";
import { writeLine, type CliContext } from "../context.js";
import type { CommandRegistrar } from "../program.js";
import { runApplyCommand } from "./apply.js";
import { runPlanCommand } from "./plan.js";

export interface DemoOptions {
  /** The policy directory; by default ./policies when there is one, else the sample that ships with ppgov. */
  dir?: string;
  apply?: boolean;
  reset?: boolean;
}

/** Where `ppgov demo --apply` keeps the emulated tenant, so a later `ppgov demo` shows the applied state. */
export const DEMO_STATE = join(".ppgov", "demo-state.json");
const DEMO_TOKEN = "ppgov-dev";

export const registerDemo: CommandRegistrar = (program, context, setExitCode) => {
  program
    .command("demo")
    .description(
      "plan (or with --apply, apply) the policies against an in-process emulator of a sample tenant",
    )
    .option(
      "-d, --dir <dir>",
      "policy directory (default: ./policies when it exists, else the sample policies shipped with ppgov)",
    )
    .option("--apply", `apply the plan to the emulated tenant (kept in ${DEMO_STATE})`)
    .option("--reset", "forget the emulated tenant's state and start again from the sample")
    .action(async (options: DemoOptions) => {
      setExitCode(await runDemo(options, context()));
    });
};

/**
 * The directory the demo plans: the one given, else ./policies of the working directory when there is
 * one (a clone of ppgov, a repository made by ppgov init), else the sample shipped in the package, so
 * that `ppgov demo` works from any directory after `npm install -g ppgov`.
 */
export function demoPolicyDir(dir: string | undefined, cwd: string): string {
  if (dir !== undefined) return dir;
  if (existsSync(join(cwd, "policies"))) return "policies";
  return join(packageRoot(), "policies");
}

export async function runDemo(options: DemoOptions, context: CliContext): Promise<number> {
  const dir = demoPolicyDir(options.dir, context.cwd);
  const shown = isAbsolute(dir) ? dir : `${dir}/`;
  const statePath = join(context.cwd, DEMO_STATE);
  const out = (text = ""): void => writeLine(context.stdout, text);
  if (options.reset === true) {
    await rm(statePath, { force: true });
    out(`Forgot the demo tenant's state (${DEMO_STATE}); the next ppgov demo starts from the sample tenant.`);
    if (options.apply !== true) return 0;
  }
  const resumed = existsSync(statePath);
  // The emulator persists its state after every write; its directory must exist before the first one.
  if (options.apply === true) await mkdir(dirname(statePath), { recursive: true });
  // Loaded on demand: only the demo and `ppgov emulator` need the emulator's modules.
  const { loadSeedFile, sampleSeedPath, startEmulator } = await import("../../emulator/server.js");
  const emulator = await startEmulator({
    seed: await loadSeedFile(sampleSeedPath),
    devToken: DEMO_TOKEN,
    // One second: the service then sends Retry-After: 1 on its 202s, so the client polls every second
    // instead of its 5 s default for a 202 without one.
    lifecycleDelayMs: 1_000,
    logger: context.logger,
    ...(resumed || options.apply === true ? { statePath } : {}),
  });
  const env: NodeJS.ProcessEnv = {
    ...context.env,
    PPGOV_ENDPOINT: emulator.url,
    PPGOV_TOKEN: DEMO_TOKEN,
    PPGOV_JOURNAL: join(context.cwd, ".ppgov", "demo-journal.jsonl"),
  };
  try {
    out(
      `Demo: a tenant emulator of "Contoso" is running at ${emulator.url}, ${resumed ? `with the state a previous ppgov demo --apply left (${DEMO_STATE})` : "seeded with the sample tenant"}.`,
    );
    out(
      `ppgov ${options.apply === true ? "plans and applies" : "plans"} ${shown}${isAbsolute(dir) ? " (the sample policies shipped with ppgov)" : ""} against it:`,
    );
    out();
    const started = Date.now();
    if (options.apply === true) {
      const code = await runApplyCommand(undefined, { dir, autoApprove: true }, context, env);
      out();
      out(
        code === 0
          ? `The emulated tenant now matches ${shown} (state kept in ${DEMO_STATE}). Run ppgov demo again: the plan is empty. Edit a file under ${shown} and run it again to see the change planned; ppgov demo --reset starts over.`
          : "The apply did not complete; see above.",
      );
      return code;
    }
    const code = await runPlanCommand({ dir, format: "text", detailedExitcode: true }, context, env);
    context.logger.info({ durationMs: Date.now() - started }, "demo plan made");
    if (code === 1) return 1;
    out();
    out("Nothing was changed. Next:");
    // After "No changes." there is nothing to apply: only the ways on are offered.
    if (code === 2)
      out(
        "  ppgov demo --apply   apply this plan to the emulated tenant, then plan again to see it converge",
      );
    out("  ppgov demo --reset   start again from the sample tenant");
    if (isAbsolute(dir))
      out("  ppgov init my-policies   a policy repository of your own (these policies, workflows, schemas)");
    out(
      `Against a real tenant: ppgov plan -d ${isAbsolute(dir) ? "DIR" : dir} with AZURE_TENANT_ID/AZURE_CLIENT_ID set (see docs/authentication.md).`,
    );
    return 0;
  } finally {
    await emulator.close();
  }
}
