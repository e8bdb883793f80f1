import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  appendJobSummary,
  JOB_SUMMARY_LIMIT_BYTES,
  writeStepOutputs,
} from "../../src/adapters/github/actions-files.js";
import { parsePullRequestEvent } from "../../src/adapters/github/context.js";
import { formatMarker, parseMarker } from "../../src/adapters/github/marker.js";
import { splitMarkdown } from "../../src/adapters/github/markdown-split.js";
import { attribution, fieldPath } from "../../src/app/publish-markdown.js";
import { annotationLines, planCommentBody, planOutputs } from "../../src/app/publish-plan.js";
import type { Diagnostic } from "../../src/core/diagnostics.js";

const dir = mkdtempSync(join(tmpdir(), "ppgov-publish-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const diagnostic = (file: string, line: number, severity: Diagnostic["severity"] = "error"): Diagnostic => ({
  severity,
  code: "PPG101",
  message: "spec.type must be one of Production, Sandbox",
  file,
  line,
  column: 3,
});

describe("splitting markdown", () => {
  it("keeps every part under the limit with fences and details balanced (property)", () => {
    const line = fc.oneof(
      fc.constantFrom("```diff", "```", "<details><summary>x</summary>", "</details>", ""),
      fc.string({ maxLength: 300 }).map((text) => text.replace(/`|<|>/g, "")),
    );
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 400 }),
        fc.integer({ min: 3000, max: 9000 }),
        (lines, limit) => {
          // Build well-formed input: close whatever the random lines left open.
          const text = balance(lines).join("\n");
          for (const part of splitMarkdown(text, limit)) {
            expect(part.length).toBeLessThanOrEqual(limit);
            expect(isBalanced(part)).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

function balance(lines: string[]): string[] {
  const out: string[] = [];
  let inFence = false;
  let details = 0;
  for (const line of lines) {
    if (line.startsWith("```")) {
      out.push(inFence ? "```" : "```diff");
      inFence = !inFence;
    } else if (inFence) out.push(line.startsWith("<") ? "x" : line);
    else if (line.startsWith("<details")) {
      details += 1;
      out.push(line);
    } else if (line === "</details>") {
      if (details > 0) {
        details -= 1;
        out.push(line);
      }
    } else out.push(line);
  }
  if (inFence) out.push("```");
  for (; details > 0; details -= 1) out.push("</details>");
  return out;
}

function isBalanced(part: string): boolean {
  let inFence = false;
  let details = 0;
  for (const line of part.split("\n")) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    else if (!inFence)
      details += (line.match(/<details/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
  }
  return !inFence && details === 0;
}

describe("step files", () => {
  it("caps the job summary at 1 MiB, counting what is already there", async () => {
    const path = join(dir, "summary.md");
    writeFileSync(path, "x".repeat(100_000));
    const result = await appendJobSummary(path, `${"é line\n".repeat(300_000)}`);
    expect(result.truncated).toBe(true);
    expect(statSync(path).size).toBeLessThanOrEqual(JOB_SUMMARY_LIMIT_BYTES);
    expect(readFileSync(path, "utf8")).toContain("capped at 1 MiB");
  });

  it("writes outputs, multi-line values with a delimiter", async () => {
    const path = join(dir, "output.txt");
    writeFileSync(path, "");
    await writeStepOutputs(path, { has_changes: true, add: 3, note: "a\nb" });
    const text = readFileSync(path, "utf8");
    expect(text).toMatch(/^has_changes=true\nadd=3\nnote<<(ppgov_[0-9a-f-]+)\na\nb\n\1\n$/);
  });
});

describe("plan publication", () => {
  it("annotates changed files first, at most 10 per severity", () => {
    const diagnostics = [
      ...Array.from({ length: 15 }, (_, i) => diagnostic("policies/a.yaml", i + 1)),
      diagnostic("policies/changed.yaml", 7),
      diagnostic("policies/w.yaml", 1, "warning"),
    ];
    const lines = annotationLines(diagnostics, ["policies/changed.yaml"]);
    expect(lines.filter((line) => line.startsWith("::error"))).toHaveLength(10);
    expect(lines[0]).toBe(
      "::error file=policies/changed.yaml,line=7,col=3,title=PPG101::spec.type must be one of Production, Sandbox",
    );
    expect(lines.filter((line) => line.startsWith("::warning"))).toHaveLength(1);
  });

  it("says why there is no live plan and what merge does", () => {
    const body = planCommentBody({
      scope: "tenants/contoso",
      diagnostics: [diagnostic("tenants/contoso/env.yaml", 4)],
      validationSummary: "1 error, 0 warnings in 1 file (1 document)",
      planUnavailable: "The policies do not validate, so no live plan was made.",
    });
    expect(body).toContain("## ppgov plan · `tenants/contoso`");
    expect(body).toContain("### Validation: ❌");
    expect(body).toContain("tenants/contoso/env.yaml:4:3");
    expect(body).toContain("_The policies do not validate, so no live plan was made._");
    expect(body).toContain("after merge the apply workflow plans");
  });

  it("counts replacements as an add and a destroy in the outputs", () => {
    const plan = { summary: { add: 1, change: 2, destroy: 0, replace: 1, noop: 5 }, planDigest: "sha256:ab" };
    expect(planOutputs({ plan: plan as never, diagnostics: [], planPath: "p.json" })).toEqual({
      has_changes: true,
      add: 2,
      change: 2,
      destroy: 1,
      plan_path: "p.json",
      plan_digest: "sha256:ab",
      valid: true,
    });
  });
});

describe("markers, events, attribution", () => {
  it("round-trips a marker whose target contains '--'", () => {
    const marker = formatMarker({ kind: "drift", target: "tenants/a--b" });
    // An HTML comment may not contain "--" before its end.
    expect(marker.slice(4, -3)).not.toContain("--");
    expect(parseMarker(`text\n${marker}\nmore`)).toEqual({ kind: "drift", target: "tenants/a--b" });
  });

  it("recognises a fork PR from the event payload", () => {
    const event = {
      pull_request: {
        number: 3,
        base: { sha: "b", ref: "main" },
        head: { sha: "h", repo: { full_name: "eve/gov" } },
      },
    };
    expect(parsePullRequestEvent(event, "acme/gov")).toEqual({
      number: 3,
      baseSha: "b",
      headSha: "h",
      baseRef: "main",
      fromFork: true,
    });
    expect(parsePullRequestEvent({ ref: "refs/heads/main" }, "acme/gov")).toBeUndefined();
  });

  it("shows intent fields as the policy file reads them", () => {
    expect(fieldPath("/spec/connectors/business/2")).toBe("spec.connectors.business[2]");
    expect(fieldPath("/metadata/name")).toBe("metadata.name");
  });

  it("reads who and when from DLP and environment records", () => {
    expect(
      attribution({ lastModifiedBy: { displayName: "Adele" }, lastModifiedTime: "2026-01-02T03:04:05Z" }),
    ).toEqual({
      by: "Adele",
      at: "2026-01-02T03:04:05Z",
    });
    expect(
      attribution({
        properties: {
          createdBy: { userPrincipalName: "admin@contoso" },
          lastModifiedTime: "2026-02-01T00:00:00Z",
        },
      }),
    ).toEqual({ by: "admin@contoso", at: "2026-02-01T00:00:00Z" });
    expect(attribution(undefined)).toEqual({});
  });
});
