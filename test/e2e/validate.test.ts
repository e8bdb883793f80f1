import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { main } from "../../src/cli/main.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";

const fixtures = "test/fixtures/policies";
const valid = `${fixtures}/valid/complete-repo`;
const invalid = `${fixtures}/invalid/unknown-property`;
const scratch = mkdtempSync(join(tmpdir(), "ppgov-validate-e2e-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The CLI's entry point in this process (same error boundary as the binary, without a node start-up). */
async function runInProcess(
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const sink = (write: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        write(chunk.toString("utf8"));
        done();
      },
    });
  const code = await main(["node", "ppgov", ...args], {
    cwd: repoRoot,
    env: { NO_COLOR: "1" },
    isTty: false,
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
  });
  return { code, stdout, stderr };
}

function noStackTrace(text: string): void {
  expect(text).not.toMatch(/\n\s+at /);
}

describe("ppgov validate", () => {
  it("exits 0 on a valid directory and says so", async () => {
    const result = await runCli(["validate", "-d", valid]);
    expect(result.stdout).toBe(`${valid}: 15 documents in 9 files are valid\n`);
    expect(result.code).toBe(0);
  });

  it("exits 0 on the example repository policies/", async () => {
    const result = await runCli(["validate"]);
    expect(result.stdout).toMatch(/^policies: \d+ documents in \d+ files are valid\n$/);
    expect(result.code).toBe(0);
  });

  it("exits 1 on an invalid directory with file:line:col lines and a summary", async () => {
    const result = await runCli(["validate", "-d", invalid]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `${invalid}/docs.yaml:8:5: error PPG204 spec.scope has unknown property 'al' (allowed: all, only, except); did you mean 'all'?`,
    );
    expect(result.stdout).toContain("3 errors, 0 warnings in 1 file (2 documents)");
    noStackTrace(result.stderr);
  });

  it("prints JSON", async () => {
    const result = await runCli(["validate", "-d", invalid, "--format", "json"]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as {
      valid: boolean;
      diagnostics: { code: string; line: number }[];
    };
    expect(json.valid).toBe(false);
    expect(json.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ["PPG204", 8],
      ["PPG204", 10],
      ["PPG204", 17],
    ]);
  });

  it("prints GitHub workflow commands", async () => {
    const result = await runCli(["validate", "-d", invalid, "--format", "github"]);
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n")[0]).toBe(
      `::error file=${invalid}/docs.yaml,line=8,col=5,title=PPG204::spec.scope has unknown property 'al' (allowed: all, only, except); did you mean 'all'?`,
    );
  });

  it("writes SARIF to a file with -o and prints the summary", async () => {
    const output = join(scratch, "reports", "ppgov.sarif");
    const result = await runCli(["validate", "-d", invalid, "--format", "sarif", "-o", output]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("3 errors, 0 warnings in 1 file (2 documents)\n");
    const sarif = JSON.parse(readFileSync(output, "utf8")) as {
      version: string;
      runs: {
        results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[];
      }[];
    };
    expect(sarif.version).toBe("2.1.0");
    expect(
      sarif.runs[0]!.results.map((r) => [r.ruleId, r.locations[0]!.physicalLocation.region.startLine]),
    ).toEqual([
      ["PPG204", 8],
      ["PPG204", 10],
      ["PPG204", 17],
    ]);
  });

  it("prints SARIF to stdout without -o", async () => {
    const result = await runCli(["validate", "-d", valid, "--format", "sarif"]);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { runs: { results: unknown[] }[] }).runs[0]!.results).toEqual([]);
  });

  it("fails clearly on a missing directory, without a stack trace", async () => {
    const result = await runCli(["validate", "-d", "no/such/dir"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("error: policy directory 'no/such/dir' does not exist\n");
    expect(result.stdout).toBe("");
  });

  it("fails clearly when -d names a file", async () => {
    const result = await runCli(["validate", "-d", "package.json"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("error: 'package.json' is not a directory\n");
  });

  it("rejects an unknown format", async () => {
    const result = await runCli(["validate", "-d", valid, "--format", "xml"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("xml");
    noStackTrace(result.stderr);
  });

  it("exits 1 on broken fixtures as a spawned process, fast and without a stack trace", async () => {
    const sample = ["yaml-syntax-error", "alias-bomb", "custom-tag", "unknown-kind", "connector-two-groups"];
    const outcomes = await Promise.all(
      sample.map(async (name) => {
        const started = performance.now();
        const result = await runCli(["validate", "-d", `${fixtures}/invalid/${name}`]);
        return { name, result, elapsed: performance.now() - started };
      }),
    );
    for (const { name, result, elapsed } of outcomes) {
      expect(result.code, name).toBe(1);
      expect(result.stdout, name).toMatch(
        new RegExp(`^${fixtures}/invalid/${name}/[^:]+:\\d+:\\d+: error PPG`, "m"),
      );
      noStackTrace(result.stderr);
      console.log(`validate ${name}: ${Math.round(elapsed)} ms (${sample.length} at once)`);
    }
  });

  it("exits 1 on every broken fixture, naming the file, line and column", async () => {
    for (const name of readdirSync(join(fixtures, "invalid")).sort()) {
      const dir = `${fixtures}/invalid/${name}`;
      const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as {
        code: string;
        file: string;
        line: number;
        column: number;
      }[];
      const result = await runInProcess(["validate", "-d", dir]);
      expect(result.code, name).toBe(1);
      noStackTrace(result.stderr);
      for (const diagnostic of expected) {
        const place =
          diagnostic.line === 0
            ? `${dir}/${diagnostic.file}`
            : `${dir}/${diagnostic.file}:${diagnostic.line}:${diagnostic.column}`;
        expect(result.stdout, name).toContain(`${place}: error ${diagnostic.code} `);
      }
    }
  });
});
