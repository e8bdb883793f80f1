/**
 * Issue 7, hostile corpus through the built CLI: each case is a policy directory with one valid document
 * and one hostile file. `validate`, `plan` and `apply --auto-approve` (against an emulator) must refuse it with an error naming
 * the file, without a stack trace, within a second of work, and send nothing to the tenant.
 */
import {
  readFileSync,
  mkdirSync,
  mkdtempSync,
  existsSync,
  openSync,
  closeSync,
  ftruncateSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";

const GROUP =
  "apiVersion: ppgov/v1\nkind: EnvironmentGroup\nmetadata:\n  name: ok\nspec:\n  displayName: Ok\n";

function dlp(name: string, connectors: string, rules = ""): string {
  return [
    "apiVersion: ppgov/v1",
    "kind: DlpPolicy",
    "metadata:",
    `  name: ${name}`,
    "spec:",
    "  displayName: Hostile",
    "  scope: {all: true}",
    "  defaultGroup: business",
    "  connectors:",
    `    blocked: ${connectors}`,
    rules,
  ].join("\n");
}

function allocation(amount: string): string {
  return `apiVersion: ppgov/v1\nkind: LicenseAllocation\nmetadata:\n  name: big\nspec:\n  environment: default\n  allocations:\n    AppPass: ${amount}\n`;
}

function aliasBomb(): string {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 15; level += 1) {
    const name = String.fromCharCode(97 + level);
    const previous = String.fromCharCode(96 + level);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(",")}]`);
  }
  return `${levels.join("\n")}\n`;
}

interface HostileCase {
  name: string;
  file: string;
  /** Writes the hostile file into `dir`. */
  write(path: string): void;
  /** Text the refusal must contain besides the file name. */
  says: RegExp;
  /** Also run `apply --auto-approve` (the same loading path as plan: a few cases keep the suite short). */
  apply?: boolean;
}

const CASES: HostileCase[] = [
  {
    name: "alias bomb",
    apply: true,
    file: "bomb.yaml",
    write: (p) => writeFileSync(p, aliasBomb()),
    says: /alias/i,
  },
  {
    name: "100 MB file",
    file: "huge.yaml",
    // Sparse: 100 MB by size, refused from its size without being read.
    write: (p) => {
      const fd = openSync(p, "w");
      ftruncateSync(fd, 100 * 1024 * 1024);
      closeSync(fd);
    },
    says: /100\.0 MiB, over the 1\.0 MiB limit/,
  },
  {
    name: "deeply nested flow sequences",
    file: "deep-flow.yaml",
    write: (p) =>
      writeFileSync(p, `${GROUP.replace("ok", "deep")}  extra: ${"[".repeat(20000)}${"]".repeat(20000)}\n`),
    says: /PPG\d{3}/,
  },
  {
    name: "deeply nested mappings",
    file: "deep-map.yaml",
    write: (p) =>
      writeFileSync(
        p,
        `${GROUP.replace("ok", "deepmap")}${Array.from({ length: 3000 }, (_, i) => `${"  ".repeat(i + 1)}k${i}:`).join("\n")} x\n`,
      ),
    says: /PPG\d{3}/,
  },
  {
    name: "invalid UTF-8",
    apply: true,
    file: "latin1.yaml",
    write: (p) =>
      writeFileSync(p, Buffer.concat([Buffer.from(GROUP), Buffer.from([0xc3, 0x28, 0xff, 0x0a])])),
    says: /not valid UTF-8/,
  },
  {
    name: "name with path separators",
    file: "slash.yaml",
    write: (p) => writeFileSync(p, GROUP.replace("name: ok", "name: ../../etc/passwd")),
    says: /metadata\.name/,
  },
  {
    name: "name with shell metacharacters",
    file: "shell.yaml",
    write: (p) =>
      writeFileSync(p, GROUP.replace("name: ok", 'name: "$(touch PWNED); `touch PWNED` | rm -rf ~"')),
    says: /metadata\.name/,
  },
  {
    name: "connector ids with injection attempts",
    apply: true,
    file: "inject.yaml",
    write: (p) =>
      writeFileSync(
        p,
        dlp(
          "inject",
          `["../../providers/x", "shared_x?$filter=name eq 'y'", "%2Fadmin", "shared_o'reilly", "a\\"b", "shared_x#f"]`,
          `  connectorRules:\n    "../x": {endpoints: [{deny: "*"}]}\n`,
        ),
      ),
    says: /PPG207 spec\.connectors\.blocked\[0\] must be a connector id/,
  },
  {
    name: "huge integer",
    file: "huge-number.yaml",
    write: (p) => writeFileSync(p, allocation("99999999999999999999999")),
    says: /too large to be exact/,
  },
  {
    name: "huge integer in an environment",
    apply: true,
    file: "huge-share-limit.yaml",
    write: (p) =>
      writeFileSync(
        p,
        readFileSync(join(repoRoot, "policies/environments/contoso-production.yaml"), "utf8")
          .replace("name: contoso-production", "name: huge-share")
          .replace(/maxShareLimit: 20/, "maxShareLimit: 123456789012345678901234567890"),
      ),
    says: /PPG208 spec\.managed\.maxShareLimit is too large to be exact/,
  },
  {
    name: "infinite number",
    file: "inf-number.yaml",
    write: (p) => writeFileSync(p, allocation("1e400")),
    says: /PPG308/,
  },
];

let emulator: RunningEmulator;
let root: string;
let baselineMs = 0;

beforeAll(async () => {
  emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), lifecycleDelayMs: 0 });
  root = mkdtempSync(join(tmpdir(), "ppgov-hostile-cli-"));
  // The CLI's own start-up, so the time a refusal takes can be told apart from it.
  const started = performance.now();
  await runCli(["--version"], { cwd: root });
  baselineMs = performance.now() - started;
});

afterAll(async () => {
  await emulator.close();
  rmSync(root, { recursive: true, force: true });
});

async function requestLog(): Promise<{ method: string; path: string }[]> {
  const response = await fetch(`${emulator.url}/_emulator/requests`);
  return (await response.json()) as { method: string; path: string }[];
}

async function resetLog(): Promise<void> {
  await fetch(`${emulator.url}/_emulator/reset`, { method: "POST" });
}

const timings: string[] = [];
/** Each run's time beyond the CLI's own start-up. */
const workMs: number[] = [];

describe("hostile corpus through the built CLI", () => {
  afterAll(() => {
    const sorted = [...workMs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    console.log(
      `hostile corpus (CLI start-up alone ${Math.round(baselineMs)} ms; beyond it: median ${Math.round(median)} ms, max ${Math.round(sorted.at(-1) ?? 0)} ms over ${sorted.length} runs):\n${timings.join("\n")}`,
    );
    // Times are reported, not asserted: the machine is shared (bench/ measures speed).
    expect(sorted.length).toBeGreaterThan(0);
  });

  it.each(CASES)(
    "$name: refused by validate, plan and apply, naming the file, nothing sent",
    async (hostile) => {
      const dir = join(root, hostile.file.replace(/\.yaml$/, ""));
      mkdirSync(join(dir, "policies"), { recursive: true });
      writeFileSync(join(dir, "policies", "group.yaml"), GROUP);
      hostile.write(join(dir, "policies", hostile.file));
      const env = { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev" };
      const times: number[] = [];
      for (const command of hostile.apply === true ? ["validate", "plan", "apply"] : ["validate", "plan"]) {
        await resetLog();
        const started = performance.now();
        const args = [command, "-d", "policies", ...(command === "apply" ? ["--auto-approve"] : [])];
        const result = await runCli(args, { cwd: dir, env, timeoutMs: 20_000 });
        const elapsed = performance.now() - started;
        times.push(elapsed);
        const output = `${result.stdout}\n${result.stderr}`;
        expect(result.code, output).toBe(1);
        expect(output).toContain(`policies/${hostile.file}`);
        expect(output).toMatch(hostile.says);
        expect(output).not.toMatch(/\n\s+at .+:\d+:\d+/);
        expect(result.stdout.length + result.stderr.length).toBeLessThan(20_000);
        // Refused before any tenant access: not one request, let alone a write.
        expect(await requestLog()).toEqual([]);
        // A hang guard with slack for a busy shared machine; the one-second budget is checked on the
        // median below, over every run.
        expect(
          elapsed - baselineMs,
          `${command} ${hostile.name} took ${Math.round(elapsed)} ms`,
        ).toBeLessThan(5000);
        workMs.push(elapsed - baselineMs);
      }
      expect(existsSync(join(dir, "PWNED"))).toBe(false);
      timings.push(
        `  ${hostile.name.padEnd(40)} validate ${Math.round(times[0]!)} ms, plan ${Math.round(times[1]!)} ms${times[2] === undefined ? "" : `, apply ${Math.round(times[2])} ms`}`,
      );
    },
  );
});
