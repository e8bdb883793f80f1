import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GithubClient } from "../../src/adapters/github/client.js";
import { reconcileDriftIssue } from "../../src/adapters/github/drift-issue.js";
import { DRIFT_LABEL, planLabels, syncPlanLabels } from "../../src/adapters/github/labels.js";
import { GITHUB_COMMENT_LIMIT } from "../../src/adapters/github/markdown-split.js";
import { upsertStickyComment } from "../../src/adapters/github/sticky-comment.js";
import { publishPlan } from "../../src/app/publish-plan.js";
import { FakeGithub } from "../helpers/fake-github.js";

const fake = new FakeGithub();
let client: GithubClient;

beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.comments.length = 0;
  fake.issues.clear();
  fake.violations.length = 0;
  fake.requests.length = 0;
  fake.identity = { app: "github-actions" };
  fake.addPullRequest(7);
  client = new GithubClient({
    apiUrl: fake.url,
    token: fake.expectedToken,
    owner: "acme",
    repo: "gov",
    sleep: () => Promise.resolve(),
  });
});

function bigPlan(sections: number): string {
  const lines = ["## ppgov plan", ""];
  for (let i = 0; i < sections; i += 1) {
    lines.push(`- change ${i}`, "", "  <details><summary>400 changes</summary>", "", "  ```diff");
    for (let j = 0; j < 400; j += 1) lines.push(`  + connector_${i}_${j}: business → blocked`);
    lines.push("  ```", "", "  </details>", "");
  }
  return lines.join("\n");
}

function balanced(part: string): boolean {
  const fences = part.split("\n").filter((line) => /^\s*```/.test(line)).length;
  const opens = (part.match(/<details/g) ?? []).length;
  const closes = (part.match(/<\/details>/g) ?? []).length;
  return fences % 2 === 0 && opens === closes;
}

describe("sticky plan comment", () => {
  const key = { kind: "plan", target: "policies" } as const;

  it("posts one comment, then updates it in place on the next push", async () => {
    const first = await upsertStickyComment(client, 7, key, "## ppgov plan\n\nPlan: 1 to add");
    expect(first).toMatchObject({ created: 1, updated: 0 });
    const second = await upsertStickyComment(client, 7, key, "## ppgov plan\n\nPlan: 2 to add");
    expect(second).toMatchObject({ created: 0, updated: 1, commentIds: first.commentIds });
    expect(fake.commentsOn(7)).toHaveLength(1);
    expect(fake.commentsOn(7)[0]?.body).toContain("Plan: 2 to add");
    expect(fake.commentsOn(7)[0]?.body).toMatch(
      /^<!-- ppgov:v1 \{"kind":"plan","target":"policies","part":1\} -->/,
    );
    expect(fake.violations).toEqual([]);
  });

  it("leaves other people's comments and other scopes' comments alone", async () => {
    fake.comments.push({ id: 1, issue: 7, body: "## ppgov plan\nlooks good", user: { login: "alice" } });
    await upsertStickyComment(client, 7, { kind: "plan", target: "tenants/a" }, "A");
    await upsertStickyComment(client, 7, { kind: "plan", target: "tenants/b" }, "B");
    await upsertStickyComment(client, 7, { kind: "plan", target: "tenants/a" }, "A2");
    const bodies = fake.commentsOn(7).map((comment) => comment.body);
    expect(bodies).toHaveLength(3);
    expect(bodies[0]).toBe("## ppgov plan\nlooks good");
    expect(bodies.filter((body) => body.endsWith("\nA2"))).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it("never edits or deletes a comment carrying the marker that another identity wrote", async () => {
    // Anyone who may comment can copy the marker: alice's copy must stay as she wrote it.
    const forged = '<!-- ppgov:v1 {"kind":"plan","target":"policies","part":1} -->\nforged plan';
    const forgedPart2 = '<!-- ppgov:v1 {"kind":"plan","target":"policies","part":2} -->\nmore';
    fake.comments.push({ id: 1, issue: 7, body: forged, user: { login: "alice" } });
    fake.comments.push({ id: 2, issue: 7, body: forgedPart2, user: { login: "mallory" } });
    const result = await upsertStickyComment(client, 7, key, "## ppgov plan\n\nPlan: 1 to add");
    expect(result).toMatchObject({ created: 1, updated: 0, deleted: 0 });
    const again = await upsertStickyComment(client, 7, key, "## ppgov plan\n\nPlan: 2 to add");
    expect(again).toMatchObject({ created: 0, updated: 1, deleted: 0, commentIds: result.commentIds });
    expect(fake.commentsOn(7).find((c) => c.id === 1)?.body).toBe(forged);
    expect(fake.commentsOn(7).find((c) => c.id === 2)?.body).toBe(forgedPart2);
    const ours = fake.commentsOn(7).filter((c) => c.user.login === "github-actions[bot]");
    expect(ours.map((c) => c.body.endsWith("Plan: 2 to add"))).toEqual([true]);
    const writes = fake.requests.filter((r) => r.method === "PATCH" || r.method === "DELETE");
    expect(writes.every((r) => !/\/comments\/(1|2)$/.test(r.path))).toBe(true);
    expect(fake.violations).toEqual([]);
  });

  it("with a user's token, asks GET /user who it is and updates only that user's comments", async () => {
    fake.identity = { user: "gov-bot" };
    // github-actions[bot] is not this token's identity: its marked comment is someone else's now.
    fake.comments.push({
      id: 3,
      issue: 7,
      body: '<!-- ppgov:v1 {"kind":"plan","target":"policies","part":1} -->\nold',
      user: { login: "github-actions[bot]" },
    });
    fake.comments.push({
      id: 4,
      issue: 7,
      body: '<!-- ppgov:v1 {"kind":"plan","target":"policies","part":1} -->\nmine',
      user: { login: "Gov-Bot" },
    });
    const result = await upsertStickyComment(client, 7, key, "## ppgov plan\n\nnew");
    expect(result).toMatchObject({ created: 0, updated: 1, commentIds: [4] });
    expect(fake.commentsOn(7).find((c) => c.id === 3)?.body).toMatch(/\nold$/);
    expect(fake.requests.filter((r) => r.operationId === "users/get-authenticated")).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it("splits a plan over the comment limit without breaking fences or details, and shrinks back", async () => {
    const body = bigPlan(10);
    expect(body.length).toBeGreaterThan(2 * GITHUB_COMMENT_LIMIT);
    const result = await upsertStickyComment(client, 7, key, body);
    expect(result.created).toBeGreaterThanOrEqual(3);
    const parts = fake.commentsOn(7);
    for (const part of parts) {
      expect(part.body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
      expect(balanced(part.body)).toBe(true);
    }
    expect(parts[1]?.body).toContain("Continued from the previous comment");
    const again = await upsertStickyComment(client, 7, key, "## ppgov plan\n\nNo changes.");
    expect(again).toMatchObject({ updated: 1, deleted: parts.length - 1 });
    expect(fake.commentsOn(7)).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });
});

describe("plan labels", () => {
  it("swaps ppgov labels as the plan changes and keeps the PR's other labels", async () => {
    fake.issues.get(7)?.labels.push("team/security");
    await syncPlanLabels(client, 7, planLabels({ add: 1, change: 0, destroy: 0, replace: 0 }));
    expect(fake.issues.get(7)?.labels).toEqual(["team/security", "ppgov/changes"]);
    await syncPlanLabels(client, 7, planLabels({ add: 0, change: 0, destroy: 1, replace: 0 }));
    expect(fake.issues.get(7)?.labels.sort()).toEqual(["ppgov/changes", "ppgov/destroy", "team/security"]);
    await syncPlanLabels(client, 7, planLabels({ add: 0, change: 0, destroy: 0, replace: 0 }));
    expect(fake.issues.get(7)?.labels.sort()).toEqual(["ppgov/no-changes", "team/security"]);
    expect(fake.violations).toEqual([]);
  });
});

describe("drift issue", () => {
  const report = (drifted: boolean, at: string, details = "- DlpPolicy/corp: 1 change") => ({
    scope: "tenants/contoso",
    drifted,
    details,
    at,
    runUrl: "https://github.example/run/1",
  });

  it("creates one issue, updates it while drift lasts, closes it with a comment, reopens it", async () => {
    expect(await reconcileDriftIssue(client, report(false, "2026-01-01T00:00:00Z"))).toEqual({
      action: "none",
    });
    const created = await reconcileDriftIssue(client, report(true, "2026-01-02T00:00:00Z"));
    expect(created.action).toBe("created");
    const number = created.issueNumber ?? 0;
    expect(fake.issues.get(number)?.labels).toEqual([DRIFT_LABEL]);

    // Renaming the issue by hand must not make ppgov lose it: it is found by marker.
    const issue = fake.issues.get(number);
    if (issue) issue.title = "renamed by someone";
    const updated = await reconcileDriftIssue(
      client,
      report(true, "2026-01-03T00:00:00Z", "- DlpPolicy/corp: 2 changes"),
    );
    expect(updated).toMatchObject({ action: "updated", issueNumber: number });
    expect(fake.issues.get(number)?.body).toContain("2 changes");
    expect(fake.issues.get(number)?.body).toContain(
      "First seen 2026-01-02T00:00:00Z · last seen 2026-01-03T00:00:00Z",
    );

    const closed = await reconcileDriftIssue(client, report(false, "2026-01-04T00:00:00Z"));
    expect(closed).toMatchObject({ action: "closed", issueNumber: number });
    expect(fake.issues.get(number)).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(fake.commentsOn(number).at(-1)?.body).toContain("No drift");

    const reopened = await reconcileDriftIssue(client, report(true, "2026-01-05T00:00:00Z"));
    expect(reopened).toMatchObject({ action: "reopened", issueNumber: number });
    expect([...fake.issues.values()].filter((i) => !i.isPullRequest)).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it("leaves a drift issue that someone else opened with the marker alone and opens its own", async () => {
    const forged = '<!-- ppgov:v1 {"kind":"drift","target":"tenants/contoso","firstSeen":"x"} -->\nfake';
    fake.issues.set(50, {
      number: 50,
      title: "ppgov: drift in tenants/contoso",
      body: forged,
      state: "open",
      labels: [DRIFT_LABEL],
      isPullRequest: false,
      user: { login: "mallory" },
    });
    const created = await reconcileDriftIssue(client, report(true, "2026-01-02T00:00:00Z"));
    expect(created.action).toBe("created");
    expect(created.issueNumber).not.toBe(50);
    const closed = await reconcileDriftIssue(client, report(false, "2026-01-03T00:00:00Z"));
    expect(closed).toMatchObject({ action: "closed", issueNumber: created.issueNumber });
    expect(fake.issues.get(50)).toMatchObject({ body: forged, state: "open" });
    expect(fake.commentsOn(50)).toHaveLength(0);
    expect(fake.violations).toEqual([]);
  });

  it("keeps scopes apart: one issue each", async () => {
    await reconcileDriftIssue(client, report(true, "2026-01-02T00:00:00Z"));
    await reconcileDriftIssue(client, { ...report(true, "2026-01-02T00:00:00Z"), scope: "tenants/fabrikam" });
    await reconcileDriftIssue(client, report(true, "2026-01-03T00:00:00Z"));
    expect([...fake.issues.values()].filter((i) => !i.isPullRequest)).toHaveLength(2);
  });
});

describe("the fake itself", () => {
  it("refuses undocumented routes and bodies with a 500 and records a violation", async () => {
    await expect(client.request("GET", "/repos/acme/gov/no-such-thing")).rejects.toThrow(/500/);
    await expect(client.request("POST", "/repos/acme/gov/issues/7/comments", { text: "x" })).rejects.toThrow(
      /500/,
    );
    // The GET is tried three times (a 5xx may be transient); the POST once (it may have taken effect).
    expect(fake.violations).toHaveLength(4);
    expect(fake.violations[3]).toMatch(/does not match|not documented/);
    fake.violations.length = 0;
  });

  it("reports a bad token as GitHub does, without echoing it", async () => {
    const bad = new GithubClient({ apiUrl: fake.url, token: "ghs_wrong_secret", owner: "acme", repo: "gov" });
    const error = (await bad.listIssueComments(7).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/401: Bad credentials/);
    expect(error.message).not.toContain("ghs_wrong_secret");
  });
});

describe("a read-only token (fork pull request)", () => {
  it("does not fail the run: warns, and the job summary and outputs still carry the result", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ppgov-readonly-"));
    const summary = join(dir, "summary.md");
    const output = join(dir, "output.txt");
    writeFileSync(summary, "");
    writeFileSync(output, "");
    const lines: string[] = [];
    fake.readOnly = true;
    try {
      const result = await publishPlan(
        {
          context: {
            apiUrl: fake.url,
            serverUrl: "https://github.example",
            owner: "acme",
            repo: "gov",
            pullRequest: { number: 7, baseSha: "b", headSha: "h", baseRef: "main", fromFork: true },
            stepSummaryPath: summary,
            outputPath: output,
          },
          client,
          write: (line) => lines.push(line),
        },
        {
          scope: "policies",
          diagnostics: [],
          validationSummary: "policies: 3 documents in 2 files are valid",
        },
      );
      expect(result.commented).toBe(false);
      expect(result.skipped).toMatch(/403/);
      expect(lines.some((line) => line.startsWith("::warning title=ppgov::not commenting"))).toBe(true);
      expect(readFileSync(summary, "utf8")).toContain("### Validation: ✅");
      expect(readFileSync(output, "utf8")).toContain("valid=true");
      expect(fake.commentsOn(7)).toHaveLength(0);
      expect(fake.violations).toEqual([]);
    } finally {
      fake.readOnly = false;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
