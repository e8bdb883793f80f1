import type { Logger } from "../adapters/log/logger.js";
import type { SecretRegistry } from "../adapters/log/secrets.js";

/** What every command handler receives: its I/O edges, passed in (no module-level singletons). */
export interface CliContext {
  logger: Logger;
  secrets: SecretRegistry;
  env: NodeJS.ProcessEnv;
  /** The working directory (`-C DIR` moves it); every relative path is resolved against it. */
  cwd: string;
  /** Human output (stdout). */
  stdout: NodeJS.WritableStream;
  /** Progress and prompts (stderr); logs go through `logger`. */
  stderr: NodeJS.WritableStream;
  /** True when stdout is an interactive terminal. */
  isTty: boolean;
  /** ANSI colours in human output: a terminal or FORCE_COLOR, unless --no-color or NO_COLOR (color.ts). */
  color: boolean;
  /**
   * The command was asked for `--format json`: failures go to stdout as the JSON error envelope
   * (render/error-json.ts), never as text, so a script reading stdout always gets JSON.
   */
  jsonOutput: boolean;
  debug: boolean;
  /** `--allow-empty`: a policy directory without documents is a warning, not an error (PPG113). */
  allowEmpty: boolean;
}

export function writeLine(stream: NodeJS.WritableStream, text = ""): void {
  stream.write(`${text}\n`);
}
