import { afterEach, beforeAll } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type EmulatorOptions,
  type EmulatorSeed,
  type RunningEmulator,
} from "../../src/emulator/server.js";

export const DEV = "ppgov-dev";
export const BAP = "/providers/Microsoft.BusinessAppPlatform";
export const GOV = "/providers/PowerPlatform.Governance";

export interface CallResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** One request over real HTTP, with the dev token unless `token` says otherwise (null = none). */
export async function call<T = Record<string, unknown>>(
  emulator: RunningEmulator | string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
): Promise<CallResult<T>> {
  const base = typeof emulator === "string" ? emulator : emulator.url;
  const headers: Record<string, string> = { "Content-Type": "application/json", ...options.headers };
  const token = options.token === undefined ? DEV : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path.startsWith("http") ? path : `${base}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text === "" ? undefined : JSON.parse(text)) as T,
    headers: response.headers,
  };
}

/** Polls a lifecycle URL until it leaves Running; returns the final body. */
export async function waitForOperation(
  emulator: RunningEmulator,
  location: string,
): Promise<CallResult<{ state: { id: string }; links: { environment: { path: string } } }>> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const result = await call<{ state: { id: string }; links: { environment: { path: string } } }>(
      emulator,
      "GET",
      location,
    );
    if (result.status !== 200 || result.body.state.id !== "Running") return result;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`operation ${location} did not finish`);
}

/** Starts an emulator and registers it for closing. */
export async function withEmulator(
  started: RunningEmulator[],
  options: EmulatorOptions = {},
): Promise<RunningEmulator> {
  const emulator = await startEmulator({ lifecycleDelayMs: 20, ...options });
  started.push(emulator);
  return emulator;
}

export async function closeAll(started: RunningEmulator[]): Promise<void> {
  await Promise.all(started.splice(0).map((emulator) => emulator.close()));
}

export interface EmulatorSuite {
  /** Starts an emulator (20 ms lifecycles unless `options` says otherwise), closed after the test. */
  start(options?: EmulatorOptions): Promise<RunningEmulator>;
  /** The sample seed, loaded once before the file's tests. */
  sample(): EmulatorSeed;
}

/**
 * The set-up emulator suites share: the sample seed loaded once, and every emulator a test started
 * closed after it. Call once at a file's top level: it registers the file's beforeAll and afterEach.
 */
export function emulatorSuite(): EmulatorSuite {
  const started: RunningEmulator[] = [];
  let seed: EmulatorSeed | undefined;
  beforeAll(async () => {
    seed = await loadSeedFile(sampleSeedPath);
  });
  afterEach(() => closeAll(started));
  return {
    start: (options) => withEmulator(started, options),
    sample: () => {
      if (seed === undefined) throw new Error("the sample seed is loaded in beforeAll; use it inside a test");
      return seed;
    },
  };
}
