import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportTenant, renderExportFiles } from "../../src/core/export/index.js";
import { guid, liveTenant, wireDlp, wireEnv, wireGroup } from "../core/builders.js";
import { describeChanges, errorsOf, planDirectory, writeExportFiles } from "./helpers.js";

/** Text YAML treats specially at the start of a scalar, in the middle, or not at all. */
const AWKWARD = [
  "---",
  "...",
  "key: value # not a comment",
  "@at",
  "`tick",
  "%percent",
  "!bang",
  "&anchor",
  "*alias",
  "? question",
  "| pipe",
  "> folded",
  "[flow]",
  "{map}",
  "tab\there",
  "a\u2028b",
  "emoji 🚀",
  "NUL\u0000byte",
  "trailing space ",
  "true",
  "0o17",
  ".inf",
  "2001-12-14",
  "'single'",
  'say "hi"',
  "back\\slash",
  "ends with colon:",
  "- list",
  "#start",
];

describe("display names and descriptions YAML treats specially", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ppgov-export-awkward-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("survive the round trip through the files", async () => {
    const live = liveTenant({
      environments: [
        wireEnv({ id: guid(1), displayName: "Contoso (default)", type: "Default", isDefault: true }),
        ...AWKWARD.map((text, index) =>
          wireEnv({ id: guid(100 + index), displayName: text, description: `${text}\n${text}` }),
        ),
      ],
      environmentGroups: AWKWARD.map((text, index) => wireGroup(guid(300 + index), `group ${text}`, text)),
      dlpPolicies: AWKWARD.map((text, index) => wireDlp({ id: guid(500 + index), displayName: text })),
    });
    const exported = exportTenant(live);
    expect(exported.skipped.map((skip) => skip.cause)).toEqual(["default-environment"]);
    await writeExportFiles(dir, renderExportFiles(exported.documents));
    const result = await planDirectory(dir, live);
    expect(errorsOf(result.loadDiagnostics)).toEqual([]);
    expect(errorsOf(result.planDiagnostics)).toEqual([]);
    expect(describeChanges(result.changes)).toEqual([]);
    expect(result.documentCount).toBe(1 + 3 * AWKWARD.length);
  });
});
