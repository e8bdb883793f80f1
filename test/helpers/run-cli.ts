import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const cliPath = `${repoRoot}/bin/ppgov.js`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI in a child process, as a user would. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { PATH: process.env.PATH, NO_COLOR: "1", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/**
 * Runs the built CLI under `script`, so that stdout and stderr are a terminal (where ppgov colours its
 * output and logs human lines); resolves with everything the terminal showed.
 */
export function runOnTerminal(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const command = [process.execPath, cliPath, ...args].map((part) => `'${part}'`).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      cwd,
      env: { PATH: process.env.PATH, TERM: "xterm", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", reject);
    child.on("close", () => resolve(output));
  });
}

/**
 * stderr without apply's progress lines ("ppgov: step 1 of 3 started: …", written off a terminal for
 * CI logs): what is left are warnings, logs and errors.
 */
export function withoutProgress(stderr: string): string {
  return stderr
    .split("\n")
    .filter((line) => !line.startsWith("ppgov: "))
    .join("\n");
}
