/**
 * Issue 7, round 2: policy files chosen to break the loader's positions or the terminal of the person
 * reading ppgov's output. One policy directory holds many hostile files, so one `validate` run checks them
 * all: each must be named with its line and column, and nothing printed may carry a raw control or
 * bidirectional character.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
import { tenantWrites } from "../helpers/tenant-writes.js";

/** Characters that must never reach a terminal raw: ESC, CR, BEL, NUL, C1 controls, bidi overrides. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

function group(name: string, displayName: string, extra = ""): string {
  return `apiVersion: ppgov/v1\nkind: EnvironmentGroup\nmetadata:\n  name: ${name}\nspec:\n  displayName: ${displayName}\n${extra}`;
}

/** file → its text, and the diagnostic line validate must print for it. */
const FILES: { file: string; text: string; says: string }[] = [
  {
    // Old Mac line endings: every position used to be line 1.
    file: "cr-only.yaml",
    text: group("cr-only", "Cr", "  bad: 1\n").replace(/\n/g, "\r"),
    says: "policies/cr-only.yaml:7:3: error PPG204 spec has unknown property 'bad'",
  },
  {
    file: "crlf.yaml",
    text: group("crlf", "Crlf", "  bad: 1\n").replace(/\n/g, "\r\n"),
    says: "policies/crlf.yaml:7:3: error PPG204 spec has unknown property 'bad'",
  },
  {
    file: "escape-name.yaml",
    text: group('"x\\e[2K\\rok\\u202e"', "Escape"),
    says: "policies/escape-name.yaml:4:9: error PPG207 metadata.name must be lower-case letters, digits and '-', 1-63 characters (got 'x\\u{001b}[2K\\u{000d}ok\\u{202e}')",
  },
  {
    file: "merge-key.yaml",
    text: "apiVersion: ppgov/v1\nkind: EnvironmentGroup\nmetadata:\n  name: merge\nspec:\n  <<: {displayName: M}\n",
    says: "policies/merge-key.yaml:6:3: error PPG204 spec has a YAML merge key '<<': merge keys are not supported",
  },
  {
    file: "js-function.yaml",
    text: group('!!js/function "function () {}"', "Js"),
    says: "policies/js-function.yaml:4:9: error PPG103 unknown YAML tag '!!js/function'",
  },
  {
    file: "binary.yaml",
    text: group("binary", "!!binary aGVsbG8="),
    says: "policies/binary.yaml:6:25: error PPG103 unknown YAML tag '!!binary'",
  },
  {
    file: "tabs.yaml",
    text: "apiVersion: ppgov/v1\nkind: EnvironmentGroup\nmetadata:\n\tname: tabs\nspec:\n  displayName: T\n",
    says: "policies/tabs.yaml:4:1: error PPG101 YAML syntax error: Tabs are not allowed as indentation",
  },
  {
    file: "kind-case.yaml",
    text: group("kind-case", "K").replace("kind: EnvironmentGroup", "kind: environmentgroup"),
    says: "did you mean 'EnvironmentGroup'?",
  },
  {
    file: "top-level-list.yaml",
    text: "- a\n- b\n",
    says: "policies/top-level-list.yaml:1:1: error PPG109 document 1 is a list",
  },
];

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "ppgov-redteam-inputs-"));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("hostile policy files, one validate run", () => {
  it("names each file with the right line and column, and prints no raw control character", async () => {
    const dir = join(root, "validate");
    mkdirSync(join(dir, "policies"), { recursive: true });
    for (const { file, text } of FILES) writeFileSync(join(dir, "policies", file), text);
    // A BOM is harmless: this file is valid.
    writeFileSync(join(dir, "policies", "bom.yaml"), `\uFEFF${group("bom", "Bom")}`);
    const started = performance.now();
    const result = await runCli(["validate", "-d", "policies"], { cwd: dir });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(result.code, result.stderr).toBe(1);
    for (const { says } of FILES) expect(result.stdout).toContain(says);
    expect(result.stdout).not.toContain("policies/bom.yaml");
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

describe("a display name made to hide lines of the plan", () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), lifecycleDelayMs: 0 });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it("is printed with its control and bidi characters escaped; plan writes nothing", async () => {
    const dir = join(root, "plan");
    cpSync(join(repoRoot, "policies"), join(dir, "policies"), { recursive: true });
    // ESC[2K and CR erase the line on a terminal; U+202E reverses what follows.
    writeFileSync(
      join(dir, "policies", "trojan.yaml"),
      group("trojan", '"Trojan\\e[2K\\rHIDDEN\\a\\u202Eexe.txt"', '  description: "a\\0b\\e]0;title\\a"\n'),
    );
    emulator.resetRequests();
    const result = await runCli(["plan", "-d", "policies"], {
      cwd: dir,
      env: { PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev" },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      '+ EnvironmentGroup/trojan ("Trojan\\u{001b}[2K\\u{000d}HIDDEN\\u{0007}\\u{202e}exe.txt")',
    );
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(tenantWrites(emulator)).toEqual([]);
  });
});
