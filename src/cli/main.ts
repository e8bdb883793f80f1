import { statSync } from "node:fs";
import { resolve } from "node:path";
import { CommanderError, type Command } from "commander";
import { createLogger, parseLogLevel, resolveLogFormat } from "../adapters/log/logger.js";
import { SecretRegistry } from "../adapters/log/secrets.js";
import { PpgovError, UsageError } from "../core/errors.js";
import { renderErrorJson } from "../render/error-json.js";
import { wantsColor } from "./color.js";
import type { CliContext } from "./context.js";
import { buildProgram, type GlobalOptions } from "./program.js";
import { commandRegistrars } from "./commands/index.js";

export interface MainIo {
  env?: NodeJS.ProcessEnv;
  /** Given (tests): `-C` resolves against it and the process's directory is left alone. */
  cwd?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  isTty?: boolean;
  /** Whether stderr (the logs) is a terminal; default from the stream. */
  stderrIsTty?: boolean;
}

/**
 * The single error boundary of the CLI: parses argv, runs one command, maps errors to exit codes.
 * Stack traces are shown only with --debug; secrets are scrubbed from every message. Under
 * `--format json` a failure is the JSON error envelope on stdout (and the usual line on stderr).
 */
export async function main(argv: readonly string[], io: MainIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  endQuietlyOnClosedPipe(stdout);
  endQuietlyOnClosedPipe(stderr);
  const secrets = new SecretRegistry();
  secrets.addFromEnv(env);

  let exitCode = 0;
  let context: CliContext | undefined;
  const debugRequested = argv.includes("--debug");
  // The action's own --format, once commander has parsed it; before that (a parse error), argv's.
  let jsonOutput = formatInArgv(argv) === "json";
  let allowEmpty = false;
  // --request-timeout and --deadline win over PPGOV_REQUEST_TIMEOUT and PPGOV_DEADLINE.
  let deadlineFlags: NodeJS.ProcessEnv = {};
  let commandName: string | undefined;

  const getContext = (): CliContext => {
    if (context) return context;
    const opts = program.opts<GlobalOptions>();
    // The controller is a long-running service: its one line per cycle is at info, shown by default.
    const level = parseLogLevel(
      opts.logLevel ?? env.PPGOV_LOG_LEVEL,
      commandName === "controller" ? "info" : "warn",
    );
    const isTty = io.isTty ?? Boolean((stdout as NodeJS.WriteStream).isTTY);
    const stderrIsTty = io.stderrIsTty ?? Boolean((stderr as NodeJS.WriteStream).isTTY);
    context = {
      logger: createLogger({
        level,
        secrets,
        destination: stderr,
        format: resolveLogFormat(opts.logFormat, env, stderrIsTty),
      }),
      secrets,
      env: Object.keys(deadlineFlags).length === 0 ? env : { ...env, ...deadlineFlags },
      cwd: workingDirectory(opts.chdir, io.cwd),
      stdout,
      stderr,
      isTty,
      color: wantsColor({ flag: opts.color !== false, env, isTty }),
      jsonOutput,
      debug: opts.debug === true,
      allowEmpty,
    };
    return context;
  };

  const program = buildProgram(commandRegistrars, getContext, (code) => {
    exitCode = code;
  });
  program.hook("preAction", (_program: Command, action: Command) => {
    const opts = action.opts<{
      format?: unknown;
      allowEmpty?: unknown;
      requestTimeout?: string;
      deadline?: string;
    }>();
    jsonOutput = opts.format === "json";
    allowEmpty = opts.allowEmpty === true;
    deadlineFlags = {
      ...(opts.requestTimeout === undefined ? {} : { PPGOV_REQUEST_TIMEOUT: opts.requestTimeout }),
      ...(opts.deadline === undefined ? {} : { PPGOV_DEADLINE: opts.deadline }),
    };
    commandName = action.name();
  });
  // On every command, not only the root: a subcommand copies these settings when it is created, so
  // without this its own parse errors (an unknown option, a missing argument) would call process.exit
  // themselves, past this boundary: unscrubbed, and with no JSON envelope under --format json.
  for (const command of [program, ...program.commands]) {
    command.exitOverride();
    command.configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stderr.write(secrets.scrub(text)),
    });
  }

  const fail = (code: string, message: string): void => {
    if (jsonOutput) stdout.write(secrets.scrub(renderErrorJson(code, message)));
    stderr.write(`${secrets.scrub(`error: ${message}`)}\n`);
  };

  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error: unknown) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; commander already printed the rest.
      if (error.exitCode !== 0 && jsonOutput)
        stdout.write(secrets.scrub(renderErrorJson("USAGE", error.message.replace(/^error: /, ""))));
      return error.exitCode;
    }
    if (error instanceof PpgovError) {
      if (error.code !== "EXIT") fail(error.code, error.message);
      if (debugRequested && error.stack) stderr.write(`${secrets.scrub(error.stack)}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    fail("INTERNAL", `unexpected failure: ${message}`);
    if (debugRequested && error instanceof Error && error.stack) {
      stderr.write(`${secrets.scrub(error.stack)}\n`);
    } else {
      stderr.write("(run again with --debug for details; this is a bug in ppgov, please report it)\n");
    }
    return 1;
  }
}

/**
 * `-C DIR`: every relative path (policies, plan files, the journal, caches) is then relative to DIR.
 * The real process changes directory, as `git -C` does, so nothing resolves against the old one.
 */
function workingDirectory(chdir: string | undefined, given: string | undefined): string {
  const base = given ?? process.cwd();
  if (chdir === undefined) return base;
  const target = resolve(base, chdir);
  if (!statSync(target, { throwIfNoEntry: false })?.isDirectory())
    throw new UsageError(`-C ${chdir}: no such directory (${target})`);
  if (given === undefined) process.chdir(target);
  return target;
}

/** `--format json` or `--format=json` anywhere in argv (commander has not parsed it yet). */
function formatInArgv(argv: readonly string[]): string | undefined {
  for (const [index, arg] of argv.entries()) {
    if (arg === "--format") return argv[index + 1];
    if (arg.startsWith("--format=")) return arg.slice("--format=".length);
  }
  return undefined;
}

/**
 * A reader that stops early (`ppgov plan | head`) closes the pipe: further writes fail with EPIPE,
 * which unhandled would end the run with a stack trace. The output is no longer wanted; the command
 * still finishes its work (an apply must not stop half-way) and exits with its own code.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WritableStream): void {
  if (!stream.listeners("error").includes(ignoreClosedPipe)) stream.on("error", ignoreClosedPipe);
}

function ignoreClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") return;
  throw error;
}
