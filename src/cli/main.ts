import { CommanderError } from "commander";
import { createLogger, parseLogLevel } from "../adapters/log/logger.js";
import { SecretRegistry } from "../adapters/log/secrets.js";
import { PpgovError } from "../core/errors.js";
import type { CliContext } from "./context.js";
import { buildProgram, type GlobalOptions } from "./program.js";
import { commandRegistrars } from "./commands/index.js";

export interface MainIo {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  isTty?: boolean;
}

/**
 * The single error boundary of the CLI: parses argv, runs one command, maps errors to exit codes.
 * Stack traces are shown only with --debug; secrets are scrubbed from every message.
 */
export async function main(argv: readonly string[], io: MainIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const secrets = new SecretRegistry();
  secrets.addFromEnv(env);

  let exitCode = 0;
  let context: CliContext | undefined;
  const debugRequested = argv.includes("--debug");

  const getContext = (): CliContext => {
    if (context) return context;
    const opts = program.opts<GlobalOptions>();
    const level = parseLogLevel(opts.logLevel ?? env.PPGOV_LOG_LEVEL, "warn");
    context = {
      logger: createLogger({ level, secrets, destination: stderr }),
      secrets,
      env,
      cwd: io.cwd ?? process.cwd(),
      stdout,
      stderr,
      isTty: io.isTty ?? Boolean((stdout as NodeJS.WriteStream).isTTY),
      debug: opts.debug === true,
    };
    return context;
  };

  const program = buildProgram(commandRegistrars, getContext, (code) => {
    exitCode = code;
  });
  program.exitOverride();
  program.configureOutput({
    writeOut: (text) => stdout.write(text),
    writeErr: (text) => stderr.write(secrets.scrub(text)),
  });

  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error: unknown) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode;
    }
    if (error instanceof PpgovError) {
      if (error.code !== "EXIT") stderr.write(`${secrets.scrub(`error: ${error.message}`)}\n`);
      if (debugRequested && error.stack) stderr.write(`${secrets.scrub(error.stack)}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    stderr.write(`${secrets.scrub(`error: unexpected failure: ${message}`)}\n`);
    if (debugRequested && error instanceof Error && error.stack) {
      stderr.write(`${secrets.scrub(error.stack)}\n`);
    } else {
      stderr.write("(run again with --debug for details; this is a bug in ppgov, please report it)\n");
    }
    return 1;
  }
}
