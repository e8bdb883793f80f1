import { Command, Option } from "commander";
import type { CliContext } from "./context.js";
import { LOG_LEVELS } from "../adapters/log/logger.js";

/** Global options every command accepts (PRODUCT.md §2). */
export interface GlobalOptions {
  logLevel?: string;
  debug?: boolean;
}

/**
 * A command registers itself on the program and returns nothing; its action resolves to an exit code
 * through `setExitCode`. Each command module exports one `register*` function.
 */
export type CommandRegistrar = (
  program: Command,
  context: () => CliContext,
  setExitCode: (code: number) => void,
) => void;

export function buildProgram(
  registrars: readonly CommandRegistrar[],
  context: () => CliContext,
  setExitCode: (code: number) => void,
): Command {
  const program = new Command("ppgov")
    .description("GitOps policy-as-code reconciler for Microsoft Power Platform governance")
    .version(packageVersion(), "-V, --version")
    .addOption(new Option("--log-level <level>", "log level (also PPGOV_LOG_LEVEL)").choices(LOG_LEVELS))
    .option("--debug", "show stack traces on errors")
    .showHelpAfterError()
    .enablePositionalOptions(false);
  for (const register of registrars) register(program, context, setExitCode);
  return program;
}

function packageVersion(): string {
  return "0.1.0";
}
