/**
 * Progress lines for long reads and applies, on stderr. On a terminal: "reading the tenant…",
 * "  3 of 12: …". Off a terminal (CI logs), for the commands that ask for it (apply): one plain line
 * per phase and per step started and finished, and a heartbeat naming what it waits for and for how
 * long, so a log never goes quiet for more than HEARTBEAT_MS. Elsewhere silent: the logs speak.
 */
export interface Progress {
  /** A new phase: "reading the live tenant…". */
  phase(text: string): void;
  /** A counted item of the current phase started: "3 of 12: create environment". */
  count(done: number, total: number, text: string): void;
  /** A counted item ended ("succeeded", "failed", …), after `ms`. */
  finished?(done: number, total: number, text: string, outcome: string, ms: number): void;
  /**
   * Runs `work` and reports `status(elapsedMs)` (what it waits for) every heartbeat interval while it
   * runs; nothing after it settles.
   */
  heartbeat?<T>(status: (elapsedMs: number) => string, work: Promise<T>): Promise<T>;
}

export const silentProgress: Progress = {
  phase: () => undefined,
  count: () => undefined,
};

/** Off a terminal, a waiting apply says so at least this often (issue 20: at least every 15 s). */
export const HEARTBEAT_MS = 10_000;

export interface ProgressOptions {
  stream: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Off a terminal (or in CI), write plain log lines instead of nothing. */
  logLines?: boolean;
  /** Clock for elapsed times (tests). */
  now?: () => number;
  heartbeatMs?: number;
}

/** True when progress lines help a person: stderr is a terminal and this is not a CI run. */
export function wantsProgress(options: ProgressOptions): boolean {
  const interactive = (options.stream as NodeJS.WriteStream).isTTY === true;
  const ci = options.env.CI !== undefined && options.env.CI !== "" && options.env.CI !== "false";
  return interactive && !ci;
}

/** "4.2 s", "75 s", "3 min 5 s". */
export function formatElapsed(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/**
 * On a terminal: one line per event. Off one, with `logLines`: plain lines prefixed "ppgov:" (a CI
 * log's own timestamps date them), each step started and finished, and the heartbeat. Else silent.
 */
export function createProgress(options: ProgressOptions): Progress {
  const terminal = wantsProgress(options);
  if (!terminal && options.logLines !== true) return silentProgress;
  const prefix = terminal ? "" : "ppgov: ";
  const now = options.now ?? Date.now;
  const every = options.heartbeatMs ?? HEARTBEAT_MS;
  const write = (text: string): void => void options.stream.write(`${prefix}${text.trimStart()}\n`);
  return {
    phase: (text) => write(text),
    count: (done, total, text) =>
      terminal ? write(`  ${done} of ${total}: ${text}`) : write(`step ${done} of ${total} started: ${text}`),
    finished: (done, total, text, outcome, ms) =>
      // On a terminal the next step's line says enough; a log says how each one ended.
      terminal ? undefined : write(`step ${done} of ${total} ${outcome} in ${formatElapsed(ms)}: ${text}`),
    heartbeat: async (status, work) => {
      const started = now();
      const timer = setInterval(() => write(status(now() - started)), every);
      timer.unref();
      try {
        return await work;
      } finally {
        clearInterval(timer);
      }
    },
  };
}

/**
 * Runs `work` and, every `everyMs` while it runs, reports `status()` as a progress line: long reads
 * (thousands of requests against a slow service) otherwise show nothing between their first and last
 * line. Nothing is written after `work` settles.
 */
export async function reportWhile<T>(
  progress: Progress,
  status: () => string,
  work: Promise<T>,
  everyMs = 5_000,
): Promise<T> {
  if (progress === silentProgress) return work;
  const timer = setInterval(() => progress.phase(status()), everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
