// What every benchmark against the emulator shares: the built CLI, an emulator process, its control
// endpoints, a CLI run measured by /usr/bin/time, and the floor readers that replay a request log.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const cli = join(root, "bin", "ppgov.js");
export const TOKEN = "ppgov-dev";
export const packageVersion = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;

/** The value after `name` on the command line, or `fallback`. */
export function option(name, fallback) {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : process.argv[index + 1];
}

export function requireBuild() {
  if (!existsSync(join(root, "dist", "cli", "main.js")))
    throw new Error("dist/ is missing: run npm run build");
}

/** Starts `ppgov emulator` and resolves with its URL (first stdout line), pid and a stop function. */
export function startEmulator(seedPath, extraArgs = []) {
  const child = spawn(process.execPath, [cli, "emulator", "--seed", seedPath, "--port", "0", ...extraArgs], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PPGOV_LOG_LEVEL: "error" },
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (!stdout.includes("\n")) return;
      resolve({
        url: stdout.split("\n")[0].trim(),
        pid: child.pid,
        stop: () =>
          new Promise((done) => {
            child.once("exit", done);
            child.kill("SIGTERM");
          }),
      });
    });
    child.once("exit", (code) => reject(new Error(`emulator exited (${code}): ${stderr}`)));
  });
}

/** One call to the emulator's control API (`/_emulator/<path>`). */
export async function control(url, method, path, body) {
  const response = await fetch(`${url}/_emulator/${path}`, {
    method,
    // A fresh connection each time: a kept-alive one may have timed out during a long run.
    headers: { "content-type": "application/json", connection: "close" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} /_emulator/${path}: ${response.status}`);
  return method === "GET" ? response.json() : undefined;
}

/** The emulator's request log since the last reset: the entries, their count and the 429s. */
export async function requestLog(url) {
  const log = await control(url, "GET", "requests");
  return { log, requests: log.length, throttled: log.filter((entry) => entry.status === 429).length };
}

/**
 * Runs the CLI with `args` under /usr/bin/time -v against the emulator at `url`. Wall time is measured
 * here; CPU and peak RSS come from time (the CLI process alone).
 */
export function runCli(url, args, { env = {}, allowExit = [0], cwd = root } = {}) {
  const started = performance.now();
  const result = spawnSync("/usr/bin/time", ["-v", process.execPath, cli, ...args], {
    cwd,
    env: { ...process.env, PPGOV_ENDPOINT: url, PPGOV_TOKEN: TOKEN, PPGOV_LOG_LEVEL: "info", ...env },
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
  });
  const wallMs = performance.now() - started;
  if (!allowExit.includes(result.status))
    throw new Error(`ppgov ${args[0]} exited ${result.status}:\n${result.stderr.slice(-3000)}`);
  const field = (label) => Number(new RegExp(`${label}: ([0-9.:]+)`).exec(result.stderr)?.[1] ?? NaN);
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    wallMs,
    cpuMs: (field("User time \\(seconds\\)") + field("System time \\(seconds\\)")) * 1000,
    rssMb: field("Maximum resident set size \\(kbytes\\)") / 1024,
  };
}

/** The admin API's reads that are POSTs: BAP's listTenantSettings (Learn, "List Tenant Settings"). */
const READ_BY_POST = /\/listTenantSettings(\?|$)/i;

/** Whether a request of the emulator's log changes the tenant: any non-GET but the reads by POST. */
export function isWrite(entry) {
  return entry.method !== "GET" && !READ_BY_POST.test(entry.path);
}

/** One request of a log replayed: same method and path, body read and dropped. */
export function send(url, entry) {
  return fetch(`${url}${entry.path}`, {
    method: entry.method,
    headers: { authorization: `Bearer ${TOKEN}`, ConsistencyLevel: "eventual" },
  }).then((response) => response.arrayBuffer().then(() => response.status));
}

/**
 * "At once" is capped: thousands of simultaneous connects overflow the listen backlog (511) and time
 * out instead of measuring anything.
 */
export const FLOOR_IN_FLIGHT = 500;

/**
 * The paged lists among `entries`: per path, the pages (first page and its `$skiptoken` successors) in
 * the order they were sent. Everything else is an independent GET.
 */
export function splitPagedLists(entries) {
  const pathOf = (entry) => entry.path.split("?")[0];
  const paged = new Set(entries.filter((entry) => /[?&](\$|%24)?skiptoken=/i.test(entry.path)).map(pathOf));
  const chains = new Map();
  const singles = [];
  for (const entry of entries) {
    if (!paged.has(pathOf(entry))) singles.push(entry);
    else chains.set(pathOf(entry), [...(chains.get(pathOf(entry)) ?? []), entry]);
  }
  return { chains: [...chains.values()], singles };
}

/** Every GET of `entries` at once, except that each paged list's pages go one after another. */
export async function pagedFloorRead(url, entries) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { chains, singles } = splitPagedLists(entries);
  let next = 0;
  const worker = async () => {
    while (next < singles.length) await send(url, singles[next++]);
  };
  const chain = async (pages) => {
    for (const page of pages) await send(url, page);
  };
  await Promise.all([
    ...chains.map(chain),
    ...Array.from({ length: Math.min(FLOOR_IN_FLIGHT - chains.length, singles.length) }, worker),
  ]);
  const used = process.cpuUsage(cpu);
  const longest = Math.max(0, ...chains.map((pages) => pages.length));
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000, longest };
}

/** Every request of `entries` at once (up to FLOOR_IN_FLIGHT), bodies read and dropped. */
export async function floorRead(url, entries) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < entries.length) await send(url, entries[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(FLOOR_IN_FLIGHT, entries.length) }, worker));
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

export const seconds = (ms) => (ms / 1000).toFixed(2);
export const mb = (value) => (Number.isFinite(value) ? Math.round(value).toString() : "-");

/** A Markdown table of `lines` (arrays of cells) under `header`. */
export function printTable(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => String(line[i]).length)));
  const format = (cells) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i])).join(" | ")} |`;
  console.log(format(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const line of lines) console.log(format(line));
}
