import { Option, type Command } from "commander";
import { UsageError } from "../../core/errors.js";
import type { EmulatorSeed } from "../../emulator/server.js";
import { writeLine, type CliContext } from "../context.js";
import type { CommandRegistrar } from "../program.js";

interface EmulatorCommandOptions {
  port: string;
  seed?: string;
  state?: string;
  devToken: string;
  pageSize: string;
  lifecycleDelayMs: string;
}

function nonNegativeInteger(value: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed > max) {
    throw new UsageError(`${flag} must be an integer between 0 and ${max}, got "${value}"`);
  }
  return parsed;
}

/** Resolves when the process is asked to stop (SIGINT or SIGTERM). */
function untilSignalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

async function runEmulator(options: EmulatorCommandOptions, context: CliContext): Promise<void> {
  const port = nonNegativeInteger(options.port, "--port", 65535);
  const pageSize = nonNegativeInteger(options.pageSize, "--page-size");
  if (pageSize === 0) throw new UsageError("--page-size must be at least 1");
  const lifecycleDelayMs = nonNegativeInteger(options.lifecycleDelayMs, "--lifecycle-delay-ms");
  // Loaded on demand so other commands do not pay for the emulator's modules at start-up.
  const { loadSeedFile, sampleSeedPath, startEmulator } = await import("../../emulator/server.js");
  let seed: EmulatorSeed = {};
  if (options.seed !== undefined) {
    seed = await loadSeedFile(options.seed === "sample" ? sampleSeedPath : options.seed);
  }
  context.secrets.add(options.devToken);
  const emulator = await startEmulator({
    seed,
    port,
    devToken: options.devToken,
    pageSize,
    lifecycleDelayMs,
    logger: context.logger,
    ...(options.state !== undefined ? { statePath: options.state } : {}),
  });
  writeLine(context.stdout, emulator.url);
  context.logger.info({ url: emulator.url, state: options.state ?? null }, "emulator listening");
  const signal = await untilSignalled();
  context.logger.info({ signal }, "emulator stopping");
  await emulator.close();
}

/** `ppgov emulator`: the local tenant emulator on loopback (docs/emulator.md, Running it). */
export const registerEmulatorCommand: CommandRegistrar = (program: Command, context, setExitCode) => {
  program
    .command("emulator")
    .description("run the local Power Platform tenant emulator on 127.0.0.1 (prints its base URL first)")
    .option("--port <n>", "port to listen on (0 = a free port)", "0")
    .option(
      "--seed <file>",
      'seed file in the emulator seed format, or "sample" for the shipped Contoso tenant',
    )
    .option("--state <file>", "persist the tenant state to this file across restarts")
    .addOption(new Option("--dev-token <value>", "bearer token the emulator accepts").default("ppgov-dev"))
    .option("--page-size <n>", "items per page in list responses", "100")
    .option("--lifecycle-delay-ms <n>", "time a lifecycle operation stays Running", "300")
    .action(async (options: EmulatorCommandOptions) => {
      await runEmulator(options, context());
      setExitCode(0);
    });
};
