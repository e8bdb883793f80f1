/**
 * Progress lines for long reads and applies. On a terminal they go to stderr ("reading the tenant…",
 * "applying 3 of 12: …"); in CI or when stderr is not a terminal they are silent and the logs speak.
 */
export interface Progress {
  /** A new phase: "reading the live tenant…". */
  phase(text: string): void;
  /** A counted item of the current phase: "3 of 12: create environment". */
  count(done: number, total: number, text: string): void;
}

export const silentProgress: Progress = {
  phase: () => undefined,
  count: () => undefined,
};

export interface ProgressOptions {
  stream: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** True when progress lines help a person: stderr is a terminal and this is not a CI run. */
export function wantsProgress(options: ProgressOptions): boolean {
  const interactive = (options.stream as NodeJS.WriteStream).isTTY === true;
  const ci = options.env.CI !== undefined && options.env.CI !== "" && options.env.CI !== "false";
  return interactive && !ci;
}

/** Writes one line per event to a terminal's stderr; silent elsewhere. */
export function createProgress(options: ProgressOptions): Progress {
  if (!wantsProgress(options)) return silentProgress;
  const write = (text: string): void => void options.stream.write(`${text}\n`);
  return {
    phase: (text) => write(text),
    count: (done, total, text) => write(`  ${done} of ${total}: ${text}`),
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
