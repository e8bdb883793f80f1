import { pino, type Logger } from "pino";
import type { SecretRegistry } from "./secrets.js";

export type { Logger };

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Paths pino censors in every log object, whatever the message. */
const REDACT_PATHS = [
  "token",
  "accessToken",
  "access_token",
  "clientSecret",
  "client_secret",
  "assertion",
  "client_assertion",
  "password",
  "authorization",
  "Authorization",
  "headers.authorization",
  "headers.Authorization",
  "*.token",
  "*.accessToken",
  "*.clientSecret",
  "*.assertion",
  "*.authorization",
  "*.Authorization",
  "*.headers.authorization",
  "*.headers.Authorization",
];

export interface LoggerOptions {
  level: LogLevel;
  secrets: SecretRegistry;
  /** Defaults to stderr (fd 2); tests pass a stream to capture output. */
  destination?: NodeJS.WritableStream;
}

/**
 * Structured logs to stderr. Known secret values are scrubbed from the serialised line as a last line
 * of defence, on top of path-based redaction.
 */
export function createLogger(options: LoggerOptions): Logger {
  const out = options.destination ?? process.stderr;
  const stream = {
    write(line: string): void {
      out.write(options.secrets.scrub(line));
    },
  };
  return pino(
    {
      level: options.level,
      base: { name: "ppgov" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}

export function parseLogLevel(value: string | undefined, fallback: LogLevel = "warn"): LogLevel {
  if (value === undefined || value === "") return fallback;
  const lower = value.toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(lower) ? (lower as LogLevel) : fallback;
}
