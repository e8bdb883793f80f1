/**
 * Markdown for what ppgov publishes on GitHub that the plan renderer does not cover: validation results,
 * the intent diff (desired state at base vs head) and drift attribution. Pure.
 */
import type { Diagnostic } from "../core/diagnostics.js";
import { sortDiagnostics } from "../core/diagnostics.js";
import type { Plan, ResourceChange } from "../core/plan/index.js";
import { changeLines, changedResources } from "../render/plan-lines.js";
import { escapeMarkdown } from "../render/plan-markdown.js";
import type { IntentDiff } from "../adapters/git/intent-diff.js";

/** A fence longer than any backtick run in the body, so values cannot close it. */
function fenced(lines: readonly string[], language = "diff", indent = ""): string[] {
  const longest = Math.max(0, ...lines.flatMap((line) => [...line.matchAll(/`+/g)].map((m) => m[0].length)));
  const marks = "`".repeat(Math.max(3, longest + 1));
  return [`${indent}${marks}${language}`, ...lines.map((line) => `${indent}${line}`), `${indent}${marks}`];
}

const MAX_LISTED_DIAGNOSTICS = 50;

export function validationMarkdown(diagnostics: readonly Diagnostic[], summary: string): string[] {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const out = [`### Validation: ${errors > 0 ? "❌" : "✅"} ${escapeMarkdown(summary)}`, ""];
  const sorted = sortDiagnostics(diagnostics);
  for (const d of sorted.slice(0, MAX_LISTED_DIAGNOSTICS)) {
    const place = d.line > 0 ? `${d.file}:${d.line}${d.column > 0 ? `:${d.column}` : ""}` : d.file;
    out.push(`- **${d.severity}** \`${d.code}\` ${escapeMarkdown(place)}: ${escapeMarkdown(d.message)}`);
  }
  if (sorted.length > MAX_LISTED_DIAGNOSTICS)
    out.push(`- … and ${sorted.length - MAX_LISTED_DIAGNOSTICS} more (see the job's annotations and SARIF).`);
  if (sorted.length > 0) out.push("");
  return out;
}

/** "/spec/connectors/business/2" → "spec.connectors.business[2]", the way the policy file reads. */
export function fieldPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce(
      (path, key) => (/^\d+$/.test(key) ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`),
      "",
    );
}

function show(value: unknown): string {
  return value === undefined ? "(absent)" : JSON.stringify(value);
}

/** "What this pull request changes in the policies": changed files and per-document field changes. */
export function intentDiffMarkdown(diff: IntentDiff, foldAfterLines = 12): string[] {
  const out = [`### Intent: what this pull request changes in the policies`, ""];
  if (diff.changedFiles.length === 0 && diff.changes.length === 0) {
    out.push("No policy file changed.", "");
    return out;
  }
  if (diff.changedFiles.length > 0) {
    out.push(`Changed policy files (${diff.changedFiles.length}):`, "");
    for (const file of diff.changedFiles) out.push(`- \`${file.replace(/`/g, "")}\``);
    out.push("");
  }
  if (diff.baseInvalid)
    out.push("_The base commit's policies do not validate; the diff below compares against nothing._", "");
  if (diff.changes.length === 0)
    out.push("The documents mean the same at both commits (formatting or comments only).", "");
  for (const change of diff.changes) {
    const verb = { added: "➕ added", removed: "🗑️ removed", changed: "🔧 changed" }[change.change];
    out.push(`- ${verb} **${escapeMarkdown(change.address)}** (${escapeMarkdown(change.file)})`);
    if (change.fields.length === 0) continue;
    const lines = change.fields.flatMap((field) => [
      ...(field.before === undefined ? [] : [`- ${fieldPath(field.path)}: ${show(field.before)}`]),
      ...(field.after === undefined ? [] : [`+ ${fieldPath(field.path)}: ${show(field.after)}`]),
    ]);
    const block = fenced(lines, "diff", "  ");
    if (lines.length > foldAfterLines)
      out.push(
        "",
        `  <details><summary>${change.fields.length} fields</summary>`,
        "",
        ...block,
        "",
        "  </details>",
      );
    else out.push("", ...block);
    out.push("");
  }
  out.push("");
  return out;
}

/** Who changed a live object and when, where the API says it (DLP lastModifiedBy/Time, env createdBy/lastModifiedTime). */
export function attribution(live: unknown): { by?: string; at?: string } {
  const record = (live ?? {}) as Record<string, unknown>;
  const places = [
    record,
    record.properties,
    record.policyDefinition,
    (record.properties as Record<string, unknown> | undefined)?.policyDefinition,
  ].filter((p): p is Record<string, unknown> => typeof p === "object" && p !== null);
  let by: string | undefined;
  let at: string | undefined;
  const person = (value: unknown): string | undefined => {
    const v = value as Record<string, unknown> | undefined;
    const name = v?.displayName ?? v?.userPrincipalName ?? v?.email ?? v?.id;
    return typeof name === "string" && name.trim() !== "" && name !== "…" ? name : undefined;
  };
  for (const place of places) {
    at ??= [place.lastModifiedTime, place.lastModifiedOn, place.lastModifiedDateTime].find(
      (v): v is string => typeof v === "string" && v !== "",
    );
    by ??= person(place.lastModifiedBy);
  }
  for (const place of places) by ??= person(place.createdBy);
  return { ...(by === undefined ? {} : { by }), ...(at === undefined ? {} : { at }) };
}

/** Drift details per resource: what changed, and who/when where known. */
export function driftDetailsMarkdown(plan: Plan, changes: readonly ResourceChange[]): string {
  const liveByAddress = new Map(changes.map((change) => [change.address, change.live]));
  const out: string[] = [];
  const resources = changedResources(plan);
  out.push(`**${resources.length} drifted resource${resources.length === 1 ? "" : "s"}**`, "");
  for (const resource of resources) {
    const who = attribution(liveByAddress.get(resource.address));
    const when = [
      who.by ? `last changed by ${escapeMarkdown(who.by)}` : "",
      who.at ? `at ${escapeMarkdown(who.at)}` : "",
    ]
      .filter((part) => part !== "")
      .join(" ");
    out.push(
      `- \`${resource.action}\` **${escapeMarkdown(resource.address)}** “${escapeMarkdown(resource.displayName)}”${when ? ` — ${when}` : ""}`,
    );
    const lines = changeLines(resource, plan.names).map(
      (line) => `${line.sign === "~" ? "!" : line.sign} ${line.text}`,
    );
    if (lines.length > 0) out.push("", ...fenced(lines, "diff", "  "), "");
  }
  return out.join("\n");
}
