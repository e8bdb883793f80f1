import { pino, type Logger } from "pino";
import type { SecretRegistry } from "./secrets.js";

export type { Logger };

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `text`: one human line per entry (a terminal's default); `json`: pino's JSON lines (otherwise). */
export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

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
  /** Default json. */
  format?: LogFormat;
}

/**
 * Structured logs to stderr. Known secret values are scrubbed from the serialised line as a last line
 * of defence, on top of path-based redaction.
 */
export function createLogger(options: LoggerOptions): Logger {
  const out = options.destination ?? process.stderr;
  const stream = {
    write(line: string): void {
      // Scrubbed after formatting: the human line quotes the same values the JSON line holds.
      out.write(options.secrets.scrub(options.format === "text" ? formatLogLine(line) : line));
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

/**
 * `--log-format`, else PPGOV_LOG_FORMAT, else text when the logs go to a terminal and json otherwise
 * (CI, files, log collectors). An unknown value falls back like an unset one.
 */
export function resolveLogFormat(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  isTty: boolean,
): LogFormat {
  for (const value of [flag, env.PPGOV_LOG_FORMAT])
    if (value !== undefined && (LOG_FORMATS as readonly string[]).includes(value.toLowerCase()))
      return value.toLowerCase() as LogFormat;
  return isTty ? "text" : "json";
}

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};
/** pino's own fields, shown as the line's level and message or not at all. */
const OMITTED_FIELDS = new Set(["level", "time", "pid", "hostname", "name", "msg"]);

/**
 * One pino JSON line as a human line: `warn  retrying GET … status=429 attempt=2`. Nested values stay
 * JSON; an error shows its message; fields the message already quotes are left out. A line that is
 * not JSON is passed through.
 */
export function formatLogLine(line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== "object" || entry === null) return line;
  const record = entry as Record<string, unknown>;
  const level = typeof record.level === "number" ? (LEVEL_NAMES[record.level] ?? "log") : "log";
  const message = typeof record.msg === "string" ? record.msg : "";
  // A field whose text the message already says ("… on GET /providers/…": method, path) is left out
  // of the human line; the JSON line keeps every field.
  const fields = Object.entries(record)
    .filter(([key]) => !OMITTED_FIELDS.has(key))
    .filter(([, value]) => !(typeof value === "string" && value.length >= 3 && message.includes(value)))
    .map(([key, value]) => `${key}=${formatField(value)}`);
  return `${[level.padEnd(5), message, ...fields].filter((part) => part !== "").join(" ")}\n`;
}

function formatField(value: unknown): string {
  if (typeof value === "string") return /[\s"=]/.test(value) || value === "" ? JSON.stringify(value) : value;
  if (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { message?: unknown }).message === "string"
  )
    return JSON.stringify((value as { message: string }).message);
  return JSON.stringify(value);
}

export function parseLogLevel(value: string | undefined, fallback: LogLevel = "warn"): LogLevel {
  if (value === undefined || value === "") return fallback;
  const lower = value.toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(lower) ? (lower as LogLevel) : fallback;
}
