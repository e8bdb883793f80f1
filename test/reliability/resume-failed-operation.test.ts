import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { JournalEntry } from "../../src/adapters/fs/journal-file.js";
import { main } from "../../src/cli/main.js";
import { scratchTenants, type ScratchEnv } from "../helpers/scratch-tenant.js";

/**
 * Soak seed 7 run 149 (issue 21 item 9), against the emulator: an apply loses track of its environment
 * create's lifecycle operation (every poll answers a page that is not the operation), so the journal
 * keeps the operation's URL; the operation itself ends Failed. The next apply, with faults off, used to
 * follow that URL, see Failed and exit 1 right after starting the create. A Failed operation changed
 * nothing: the create is sent again and the apply converges.
 */

const tenants = scratchTenants("ppgov-resume-failed-");
afterEach(() => tenants.closeAll());

/** The CLI in this process (the source, not dist/), with the scratch tenant's environment. */
async function ppgov(
  args: readonly string[],
  cwd: string,
  env: ScratchEnv,
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
    cwd,
    env: { NO_COLOR: "1", ...env },
    isTty: false,
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
  });
  return { code, stdout, stderr };
}

const APPLY = ["apply", "-d", "policies", "--auto-approve"];

async function journal(env: ScratchEnv): Promise<JournalEntry[]> {
  const text = await readFile(env.PPGOV_JOURNAL, "utf8");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as JournalEntry);
}

describe("an environment create whose operation an earlier apply lost track of, and that ended Failed", () => {
  it("is sent again by the next apply, which exits 0 with the environment there once", async () => {
    const { emulator, cwd, env } = await tenants.open({ lifecycleDelayMs: 20, faultSeed: 7 });
    const first = await ppgov(APPLY, cwd, env);
    expect(first.code, first.stderr).toBe(0);

    await writeFile(
      join(cwd, "policies/environments/resume-failed.yaml"),
      [
        "apiVersion: ppgov/v1",
        "kind: Environment",
        "metadata:",
        "  name: resume-failed",
        "spec:",
        "  displayName: Resume Failed",
        "  description: Created again after its first operation ended Failed",
        "  location: unitedstates",
        "  type: Sandbox",
        "",
      ].join("\n"),
    );
    // Every create operation ends Failed, and every poll of it answers an HTML page instead.
    emulator.setFaults({
      lifecycleFailRate: 1,
      rateMalformed: 1,
      malformedKind: "html-200",
      malformedPath: "lifecycleOperations",
    });
    const faulted = await ppgov(APPLY, cwd, env);
    expect(faulted.code).toBe(1);
    const create = (await journal(env)).filter((e) => e.address === "Environment/resume-failed");
    // The run never saw the operation end: its URL stays for the next run to follow.
    expect(create.map((e) => e.event)).toEqual(["start", "accepted", "end"]);
    expect(create[2]?.outcome).toBe("failed");
    expect(create[2]?.error?.code).not.toBe("TENANT_LIFECYCLE_FAILED");
    const named = () =>
      (emulator.state().environments ?? []).filter((e) => e.properties.displayName === "Resume Failed");
    expect(named()).toHaveLength(0);

    emulator.setFaults({});
    const again = await ppgov(APPLY, cwd, env);
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(again.stderr).toContain(
      "Environment/resume-failed: the operation the interrupted run left running ended Failed, so it changed nothing; sending the step again",
    );
    expect(named()).toHaveLength(1);
    const replanned = await ppgov(["plan", "-d", "policies", "--detailed-exitcode"], cwd, env);
    expect(replanned.code, replanned.stdout).toBe(0);
  }, 90_000);
});
