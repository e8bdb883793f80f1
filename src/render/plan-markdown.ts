import { KIND_ORDER } from "../core/kinds/registry.js";
import type { Plan, PlanResource } from "../core/plan/types.js";
import { effectMarkdown } from "./effect-markdown.js";
import { escapeMarkdown } from "./markdown-escape.js";
import {
  ACTION_SYMBOL,
  actionComment,
  changedResources,
  changeLines,
  footerText,
  hasChanges,
  newConnectorLines,
  NO_CHANGES,
  planSummaryLine,
  type PlanFooter,
} from "./plan-lines.js";

export interface PlanMarkdownOptions {
  footer?: PlanFooter;
  /** Diffs longer than this many lines fold into <details>. */
  foldAfterLines?: number;
  /**
   * Upper bound on the output's length in characters (a GitHub comment holds 65,536). Resource
   * sections that do not fit are left out, and a closing note says how many.
   */
  maxLength?: number;
}

export { escapeMarkdown } from "./markdown-escape.js";

/** A fence longer than any backtick run inside, so user strings cannot close it. */
function fence(body: string): string {
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((match) => match[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

const ACTION_LABEL = {
  add: "➕ add",
  change: "🔧 change",
  replace: "♻️ replace",
  destroy: "🗑️ destroy",
} as const;

/** The plan for a pull-request comment: summary table, one section per kind, long diffs folded. */
export function renderPlanMarkdown(plan: Plan, options: PlanMarkdownOptions = {}): string {
  const foldAfter = options.foldAfterLines ?? 12;
  const out: string[] = [plan.mode === "drift" ? "## ppgov drift" : "## ppgov plan", ""];
  const footer = footerText(options.footer);
  if (!hasChanges(plan)) {
    out.push(plan.mode === "drift" ? "No drift. The tenant matches the policies." : NO_CHANGES, "");
    if (footer) out.push(`<sub>${escapeMarkdown(footer)}</sub>`, "");
    return out.join("\n");
  }
  out.push("| Action | Count |", "|---|---:|");
  for (const key of ["add", "change", "replace", "destroy"] as const)
    out.push(`| ${ACTION_LABEL[key]} | ${plan.summary[key]} |`);
  out.push("", `**${planSummaryLine(plan)}**`, "");
  const tail: string[] = [...effectMarkdown(plan)];
  const connectors = newConnectorLines(plan);
  if (connectors.length > 0) {
    tail.push("### Connectors new in the catalogue", "");
    for (const line of connectors) tail.push(`- ${escapeMarkdown(line)}`);
    tail.push("");
  }
  if (footer) tail.push(`<sub>${escapeMarkdown(footer)}</sub>`, "");
  // Room for the sections: the limit minus what always appears, minus the truncation note.
  const reserved = `${out.join("\n")}\n${tail.join("\n")}\n`.length + 200;
  let budget = (options.maxLength ?? Number.POSITIVE_INFINITY) - reserved;
  let omitted = 0;
  const changed = changedResources(plan);
  for (const kind of KIND_ORDER) {
    const resources = changed.filter((resource) => resource.kind === kind);
    if (resources.length === 0) continue;
    const heading = [`### ${kind} (${resources.length})`, ""];
    let headingShown = false;
    for (const resource of resources) {
      const section = [...resourceSection(resource, plan.names, foldAfter), ""];
      const size = section.join("\n").length + 1 + (headingShown ? 0 : heading.join("\n").length + 1);
      if (omitted > 0 || size > budget) {
        omitted += 1;
        continue;
      }
      if (!headingShown) out.push(...heading);
      headingShown = true;
      out.push(...section);
      budget -= size;
    }
  }
  if (omitted > 0)
    out.push(
      `_… and ${omitted} more resource change${omitted === 1 ? " is" : "s are"} not shown here to stay within the length limit: see the full plan._`,
      "",
    );
  out.push(...tail);
  return out.join("\n");
}

function resourceSection(
  resource: PlanResource,
  names: Readonly<Record<string, string>>,
  foldAfter: number,
): string[] {
  const heading = `\`${ACTION_SYMBOL[resource.action].trim()}\` ${escapeMarkdown(actionComment(resource))} — “${escapeMarkdown(resource.displayName)}”`;
  const lines = changeLines(resource, names).flatMap((line) => {
    const sign = line.sign === "~" ? "!" : line.sign;
    if (line.wrapped === undefined) return [`${sign} ${line.text}`];
    // The item's sign stays in the first column, where a diff block colours it.
    return [
      `${sign} ${line.wrapped.head}`,
      ...line.wrapped.items.map((item) => `${item.sign === "~" ? "!" : item.sign}     ${item.text}`),
    ];
  });
  if (lines.length === 0) return [`- ${heading}`];
  const body = lines.join("\n");
  const marks = fence(body);
  const block = [`${marks}diff`, ...lines, marks];
  if (lines.length <= foldAfter) return [`- ${heading}`, "", ...block.map((line) => `  ${line}`)];
  return [
    `- ${heading}`,
    "",
    `  <details><summary>${lines.length} changes</summary>`,
    "",
    ...block.map((line) => `  ${line}`),
    "",
    "  </details>",
  ];
}
