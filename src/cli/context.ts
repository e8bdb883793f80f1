import type { Logger } from "../adapters/log/logger.js";
import type { SecretRegistry } from "../adapters/log/secrets.js";

/** What every command handler receives: its I/O edges, passed in (no module-level singletons). */
export interface CliContext {
  logger: Logger;
  secrets: SecretRegistry;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Human output (stdout). */
  stdout: NodeJS.WritableStream;
  /** Progress and prompts (stderr); logs go through `logger`. */
  stderr: NodeJS.WritableStream;
  /** True when stdout is an interactive terminal. */
  isTty: boolean;
  debug: boolean;
}

export function writeLine(stream: NodeJS.WritableStream, text = ""): void {
  stream.write(`${text}\n`);
}
