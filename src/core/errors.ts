/**
 * Errors ppgov raises on purpose. The CLI boundary maps them to exit codes and prints their message
 * without a stack trace (unless --debug). Anything else reaching the boundary is a bug.
 */
export class PpgovError extends Error {
  readonly exitCode: number;
  /** Stable machine-readable code, e.g. "PLAN_STALE", "AUTH_MISSING". */
  readonly code: string;

  constructor(code: string, message: string, options?: { exitCode?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options?.exitCode ?? 1;
  }
}

/** The user already saw what went wrong (e.g. diagnostics were printed); exit quietly with this code. */
export class ExitError extends PpgovError {
  constructor(exitCode: number) {
    super("EXIT", `exit ${exitCode}`, { exitCode });
  }
}

/** Bad command-line usage: unknown flag values, missing files. */
export class UsageError extends PpgovError {
  constructor(message: string) {
    super("USAGE", message, { exitCode: 1 });
  }
}
