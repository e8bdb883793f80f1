import { spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cliPath, repoRoot, runCli, runOnTerminal } from "../helpers/run-cli.js";
import { scratchTenants } from "../helpers/scratch-tenant.js";
import { tenantWrites } from "../helpers/tenant-writes.js";

/** The CLI conventions a script or a terminal user relies on (issue 20: items 2, 5, 8, 10, 11). */

const ESC = "\u001b[";
const tenants = scratchTenants("ppgov-cli-ux-");
afterEach(() => tenants.closeAll());

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "ppgov-cli-ux-dirs-"));
  await mkdir(join(scratch, "empty"));
  await mkdir(join(scratch, "invalid"));
  await writeFile(
    join(scratch, "invalid", "group.yaml"),
    "apiVersion: ppgov/v1\nkind: EnvironmentGroup\nmetadata:\n  name: Bad Name\nspec: {}\n",
  );
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

interface ErrorEnvelope {
  error: { code: string; message: string; diagnostics: { code: string; file: string; severity: string }[] };
}

function envelope(stdout: string): ErrorEnvelope {
  return JSON.parse(stdout) as ErrorEnvelope;
}

describe("--format json failures are JSON on stdout", () => {
  it("a usage error (missing directory) is the error envelope, the human line on stderr", async () => {
    const result = await runCli(["plan", "--format", "json", "-d", "no-such-dir"]);
    expect(result.code).toBe(1);
    expect(envelope(result.stdout).error).toEqual({
      code: "USAGE",
      message: "policy directory 'no-such-dir' does not exist",
      diagnostics: [],
    });
    expect(result.stderr).toMatch(/^error: policy directory 'no-such-dir' does not exist$/m);
  });

  it("invalid policies are the envelope with their diagnostics, nothing sent to the tenant", async () => {
    const tenant = await tenants.open();
    const planned = await runCli(["plan", "--format=json", "-d", join(scratch, "invalid")], {
      cwd: tenant.cwd,
      env: tenant.env,
    });
    expect(planned.code).toBe(1);
    const { error } = envelope(planned.stdout);
    expect(error.code).toBe("POLICIES_INVALID");
    expect(error.message).toMatch(/\d+ errors?/);
    expect(error.diagnostics.length).toBeGreaterThan(0);
    expect(error.diagnostics[0]?.severity).toBe("error");
    expect(error.diagnostics[0]?.file).toMatch(/group\.yaml$/);
    expect(tenantWrites(tenant.emulator)).toEqual([]);
  });

  it("a command-line error under --format json is the envelope too (code USAGE)", async () => {
    const result = await runCli(["drift", "--format", "json", "--concurrency", "0"]);
    expect(result.code).toBe(1);
    expect(envelope(result.stdout).error.code).toBe("USAGE");
  });

  it.each([
    [["validate", "--bogus"], "unknown option '--bogus'"],
    [["plan", "--bogus"], "unknown option '--bogus'"],
    [["apply", "--bogus"], "unknown option '--bogus'"],
    [["show", "--bogus", "plan.json"], "unknown option '--bogus'"],
    [["show"], "missing required argument 'planfile'"],
    [["drift", "extra"], "too many arguments for 'drift'. Expected 0 arguments but got 1."],
    [["explain"], "missing required argument 'environment'"],
    [["doctor", "--bogus"], "unknown option '--bogus'"],
  ])("%j --format json: commander's own error is the envelope too", async (args, message) => {
    const result = await runCli([...args, "--format", "json"]);
    expect(result.code).toBe(1);
    expect(envelope(result.stdout).error).toEqual({ code: "USAGE", message, diagnostics: [] });
    expect(result.stderr).toContain(`error: ${message}`);
  });

  it("a subcommand's parse error is scrubbed of secrets like the root's", async () => {
    const env = { PPGOV_TOKEN: "secret-in-a-flag-42" };
    for (const args of [["plan", "--tokn=secret-in-a-flag-42"], ["--tokn=secret-in-a-flag-42"]]) {
      const result = await runCli(args, { env });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("unknown option '--tokn=[redacted]'");
      expect(result.stderr).not.toContain("secret-in-a-flag-42");
    }
  });

  it("a failure of the tenant is the envelope with the error's code", async () => {
    const tenant = await tenants.open();
    await fetch(`${tenant.emulator.url}/_emulator/faults`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rate5xx: 1 }),
    });
    const result = await runCli(["drift", "--format", "json"], {
      cwd: tenant.cwd,
      env: tenant.env,
      timeoutMs: 90_000,
    });
    expect(result.code).toBe(1);
    const { error } = envelope(result.stdout);
    expect(error.code).toMatch(/^[A-Z_]+$/);
    expect(error.message.length).toBeGreaterThan(0);
  }, 90_000);
});

describe("a closed pipe ends quietly", () => {
  /** Runs the CLI with its stdout closed at once, as `ppgov … | true` does. */
  function runIntoClosedPipe(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [cliPath, ...args], {
        cwd: options.cwd ?? repoRoot,
        env: { PATH: process.env.PATH, NO_COLOR: "1", ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout.destroy();
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stderr }));
    });
  }

  it.each([
    [["validate", "-d", "policies"]],
    [["validate", "-d", "policies", "--format", "json"]],
    [["completion", "bash"]],
    [["--help"]],
    [["plan", "--help"]],
  ])("%j: no EPIPE, no stack trace, its own exit code", async (args) => {
    const result = await runIntoClosedPipe(args);
    expect(result.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(result.code).toBe(0);
  });

  it("plan against a tenant", async () => {
    const tenant = await tenants.open();
    const result = await runIntoClosedPipe(["plan", "-d", "policies"], { cwd: tenant.cwd, env: tenant.env });
    expect(result.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(result.code).toBe(0);
  });

  it("stdout and stderr both closed (logs included): still the command's own exit code", async () => {
    const tenant = await tenants.open();
    const run = (args: string[]) =>
      new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, [cliPath, ...args], {
          cwd: tenant.cwd,
          env: { PATH: process.env.PATH, NO_COLOR: "1", ...tenant.env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout.destroy();
        child.stderr.destroy();
        child.on("error", reject);
        child.on("close", resolve);
      });
    // An unhandled EPIPE would end these with 1 (an uncaught error) instead of 0 and 2.
    expect(await run(["plan", "--log-level", "debug"])).toBe(0);
    expect(await run(["drift", "--log-level", "debug", "--log-format", "text"])).toBe(2);
  });

  it("every other command that prints: its own exit code, no EPIPE", async () => {
    const tenant = await tenants.open({ lifecycleDelayMs: 20 });
    const run = (args: string[]) => runIntoClosedPipe(args, { cwd: tenant.cwd, env: tenant.env });
    const saved = await runCli(["plan", "-o", "plan.json"], { cwd: tenant.cwd, env: tenant.env });
    expect(saved.code).toBe(0);
    const cases: [string[], number][] = [
      [["plan", "--format", "markdown"], 0],
      [["plan", "--format", "json"], 0],
      [["show", "plan.json"], 0],
      [["show", "plan.json", "--format", "json"], 0],
      [["drift"], 2],
      [["drift", "--format", "json"], 2],
      [["explain", "contoso-production"], 0],
      [["explain", "contoso-production", "--format", "json"], 0],
      [["report"], 0],
      [["report", "--format", "html"], 0],
      [["doctor"], 0],
      [["doctor", "--format", "json"], 0],
      [["export", "-o", "exported"], 0],
      [["init", "scaffold"], 0],
      [["demo"], 0],
      [["--version"], 0],
      [["plan", "--bogus"], 1],
      [["show", "no-such-plan.json", "--format", "json"], 1],
      [["apply", "plan.json", "--format", "json"], 0],
      [["apply", "plan.json"], 1],
    ];
    for (const [args, code] of cases) {
      const result = await run(args);
      expect(result.stderr, args.join(" ")).not.toMatch(/EPIPE|\n\s+at /);
      expect(result.code, args.join(" ")).toBe(code);
    }
  }, 120_000);
});

describe("an empty or mistyped policy directory fails", () => {
  it("validate -d empty/ exits 1 with PPG113, and 0 with --allow-empty", async () => {
    const refused = await runCli(["validate", "-d", join(scratch, "empty")]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/error PPG113 contains no \*\.yaml or \*\.yml policy files; check -d/);
    const allowed = await runCli(["validate", "-d", join(scratch, "empty"), "--allow-empty"]);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/warning PPG113/);
  });

  it("plan -d empty/ exits 1 before reading the tenant", async () => {
    const tenant = await tenants.open();
    const result = await runCli(["plan", "-d", join(scratch, "empty")], { cwd: tenant.cwd, env: tenant.env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/PPG113/);
    expect(tenant.emulator.requests()).toEqual([]);
  });

  it("a mistyped directory names itself", async () => {
    const result = await runCli(["validate", "-d", "polcies"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: policy directory 'polcies' does not exist$/m);
  });
});

describe("-C/--chdir", () => {
  it("runs as if started in DIR: -d is relative to it", async () => {
    const result = await runCli(["-C", repoRoot, "validate"], { cwd: scratch });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^policies: \d+ documents in \d+ files are valid/m);
  });

  it("names a directory that does not exist", async () => {
    const result = await runCli(["--chdir", join(scratch, "nowhere"), "validate"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: -C .*nowhere: no such directory/m);
  });
});

describe("colour", () => {
  const invalid = (): string[] => ["validate", "-d", join(scratch, "invalid")];
  it("FORCE_COLOR colours piped output; NO_COLOR and --no-color win over it", async () => {
    const forced = await runCli(invalid(), { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(forced.stdout).toContain(ESC);
    const flag = await runCli([...invalid(), "--no-color"], {
      env: { NO_COLOR: undefined, FORCE_COLOR: "1" },
    });
    expect(flag.stdout).not.toContain(ESC);
    const noColor = await runCli(invalid(), { env: { NO_COLOR: "1", FORCE_COLOR: "1" } });
    expect(noColor.stdout).not.toContain(ESC);
    const piped = await runCli(invalid(), { env: { NO_COLOR: undefined } });
    expect(piped.stdout).not.toContain(ESC);
  });

  it("--no-color on a terminal", async () => {
    const coloured = await runOnTerminal(invalid(), repoRoot, {});
    expect(coloured).toContain(ESC);
    const plain = await runOnTerminal(["--no-color", ...invalid()], repoRoot, {});
    expect(plain).not.toContain(ESC);
  });
});

describe("logs", () => {
  it("are human lines on a terminal and JSON when piped or with --log-format json; secrets redacted in both", async () => {
    const tenant = await tenants.open({ devToken: "secret-dev-token-42" });
    const env = { ...tenant.env, PPGOV_TOKEN: "secret-dev-token-42" };
    const terminal = await runOnTerminal(["plan", "--log-level", "info"], tenant.cwd, env);
    expect(terminal).toMatch(/^info {2}plan made durationMs=\d+ apiCalls=\d+ throttled=0\r?$/m);
    expect(terminal).not.toMatch(/^\{"level"/m);
    const forcedJson = await runOnTerminal(
      ["plan", "--log-level", "info", "--log-format", "json"],
      tenant.cwd,
      env,
    );
    expect(forcedJson).toMatch(/^\{"level":30,.*"msg":"plan made"\}\r?$/m);

    const piped = await runCli(["plan", "--log-level", "info"], { cwd: tenant.cwd, env });
    expect(piped.stderr).toMatch(/^\{"level":30,.*"msg":"plan made"\}$/m);
    const text = await runCli(["plan", "--log-level", "debug", "--log-format", "text"], {
      cwd: tenant.cwd,
      env,
    });
    expect(text.stderr).toMatch(/^info {2}plan made /m);
    for (const output of [terminal, forcedJson, piped.stderr, text.stderr])
      expect(output).not.toContain("secret-dev-token-42");
  });

  it("PPGOV_LOG_FORMAT picks the format when the flag is absent", async () => {
    const tenant = await tenants.open();
    const result = await runCli(["plan", "--log-level", "info"], {
      cwd: tenant.cwd,
      env: { ...tenant.env, PPGOV_LOG_FORMAT: "text" },
    });
    expect(result.stderr).toMatch(/^info {2}plan made /m);
  });
});

describe("a mistyped flag", () => {
  it("prints the did-you-mean line and where the usage is, not the whole help", async () => {
    const result = await runCli(["plan", "--formt", "json"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: unknown option '--formt'");
    expect(result.stderr).toContain("(Did you mean --format?)");
    expect(result.stderr).toContain("(run 'ppgov plan --help' for usage)");
    expect(result.stderr).not.toContain("Usage:");
    expect(result.stdout).toBe("");
  });

  it("an unknown command suggests the nearest one", async () => {
    const result = await runCli(["valdate"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("(Did you mean validate?)");
    expect(result.stderr).toContain("(run 'ppgov --help' for usage)");
    expect(result.stderr).not.toContain("Usage:");
  });
});

describe("ppgov completion", () => {
  it("bash: completes commands, options and option values", async () => {
    const script = await runCli(["completion", "bash"]);
    expect(script.code).toBe(0);
    const complete = (words: string[]): string => {
      const probe = `${script.stdout}
COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}; COMPREPLY=()
_ppgov; echo "\${COMPREPLY[*]}"`;
      return spawnSync("bash", ["-c", probe], { encoding: "utf8" }).stdout.trim();
    };
    expect(complete(["ppgov", "va"])).toBe("validate");
    expect(complete(["ppgov", "-C", "/tmp", "com"])).toBe("completion");
    expect(complete(["ppgov", "plan", "--detailed"])).toBe("--detailed-exitcode");
    expect(complete(["ppgov", "plan", "--format", ""])).toBe("text markdown json");
    expect(complete(["ppgov", "validate", "--format", ""])).toBe("text json github sarif");
    expect(complete(["ppgov", "plan", "--log-format", ""])).toBe("text json");
  });

  it.each(["zsh", "fish"])("%s: names every command and the choices of --format", async (shell) => {
    const script = await runCli(["completion", shell]);
    expect(script.code).toBe(0);
    for (const command of ["validate", "plan", "apply", "drift", "export", "completion"])
      expect(script.stdout).toContain(command);
    expect(script.stdout).toContain("text markdown json");
  });

  it("refuses an unknown shell", async () => {
    const result = await runCli(["completion", "tcsh"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Allowed choices are bash, zsh, fish/);
  });
});
