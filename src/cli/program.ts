import { Command, InvalidArgumentError, Option } from "commander";
import type { CliContext } from "./context.js";
import { LOG_FORMATS, LOG_LEVELS } from "../adapters/log/logger.js";
import { readPackageManifest } from "../adapters/fs/package-root.js";
import { parseDuration } from "../adapters/tenant/deadlines.js";

/** Global options every command accepts (README.md, Command-line conventions). */
export interface GlobalOptions {
  logLevel?: string;
  logFormat?: string;
  debug?: boolean;
  chdir?: string;
  /** False for `--no-color`. */
  color?: boolean;
}

/** The commands that call the tenant, which take `--request-timeout` and `--deadline`. */
const TENANT_COMMANDS: ReadonlySet<string> = new Set([
  "plan",
  "apply",
  "drift",
  "export",
  "explain",
  "report",
  "doctor",
  "controller",
]);

/** A duration flag's value, checked as it is parsed (a bad one is a usage error naming the flag). */
function durationFlag(flag: string): (value: string) => string {
  return (value) => {
    try {
      parseDuration(value, flag);
    } catch (error) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
    }
    return value;
  };
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
    .version(readPackageManifest().version, "-V, --version")
    .option("-C, --chdir <dir>", "run as if ppgov was started in DIR (before resolving -d, -o, plan files)")
    .addOption(new Option("--log-level <level>", "log level (also PPGOV_LOG_LEVEL)").choices(LOG_LEVELS))
    .addOption(
      new Option(
        "--log-format <format>",
        "log lines: text (default on a terminal) or json (default otherwise; also PPGOV_LOG_FORMAT)",
      ).choices(LOG_FORMATS),
    )
    .option("--no-color", "no ANSI colours (as NO_COLOR); FORCE_COLOR colours piped output")
    .option("--debug", "show stack traces on errors")
    .enablePositionalOptions(false);
  for (const register of registrars) register(program, context, setExitCode);
  for (const command of program.commands.filter((each) => TENANT_COMMANDS.has(each.name())))
    command
      .addOption(
        new Option(
          "--request-timeout <duration>",
          "give up on one attempt of a tenant call after this long, e.g. 30s (also PPGOV_REQUEST_TIMEOUT; default 30s)",
        ).argParser(durationFlag("--request-timeout")),
      )
      .addOption(
        new Option(
          "--deadline <duration>",
          "give up on a tenant call, retries included, after this long, e.g. 2m (also PPGOV_DEADLINE; default 2m)",
        ).argParser(durationFlag("--deadline")),
      );
  // Every command that reads a policy directory (its -d defaults to policies/) refuses one with no
  // documents (PPG113) unless told; export's optional -d only lends settings and accepts anything.
  for (const command of program.commands)
    if (command.options.some((option) => option.long === "--dir" && option.defaultValue !== undefined))
      command.option("--allow-empty", "accept a policy directory with no policy documents (else an error)");
  // A mistyped flag prints commander's "did you mean" line and where the usage is, not the whole help.
  for (const command of [program, ...program.commands])
    command.showHelpAfterError(
      `(run 'ppgov${command === program ? "" : ` ${command.name()}`} --help' for usage)`,
    );
  return program;
}
