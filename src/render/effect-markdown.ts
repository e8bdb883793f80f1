/**
 * The "effect" section of the markdown plan (PR comment): which existing environments change
 * effective DLP classification for which connectors, with app and flow counts under `--impact`.
 */
import type { EffectiveGroup } from "../core/effective/combine.js";
import type { Plan } from "../core/plan/types.js";
import { escapeMarkdown } from "./markdown-escape.js";
import { wrapList } from "./plan-lines.js";

const GROUP_WORD: Record<EffectiveGroup, string> = {
  business: "business",
  nonBusiness: "non-business",
  blocked: "**blocked**",
  mixed: "mixed",
  unrestricted: "no policy",
};

/** Rows shown in the comment; the JSON plan has all of them. */
const MAX_ROWS = 60;
const FOLD_AFTER_ROWS = 12;

export function groupWord(group: EffectiveGroup): string {
  return GROUP_WORD[group];
}

export function effectMarkdown(plan: Pick<Plan, "effect" | "impact">): string[] {
  const effect = plan.effect ?? [];
  if (effect.length === 0) return [];
  const impact = plan.impact;
  const counts = new Map(
    (impact?.entries ?? []).map((entry) => [
      `${entry.environmentId}\n${entry.connector}`,
      { apps: entry.apps.length, flows: entry.flows.length },
    ]),
  );
  const rows: string[] = [];
  for (const environment of effect)
    for (const move of environment.moves) {
      const cells = [
        escapeMarkdown(environment.environmentName),
        `\`${move.connector}\``,
        groupWord(move.before),
        groupWord(move.after),
      ];
      if (impact !== undefined) {
        const count = counts.get(`${environment.environmentId}\n${move.connector}`);
        cells.push(String(count?.apps ?? 0), String(count?.flows ?? 0));
      }
      rows.push(`| ${cells.join(" | ")} |`);
    }
  const connectors = new Set(
    effect.flatMap((environment) => environment.moves.map((move) => move.connector)),
  );
  const out = [
    "### Effect on environments",
    "",
    `${effect.length} environment${effect.length === 1 ? "" : "s"} change effective classification for ${connectors.size} connector${connectors.size === 1 ? "" : "s"} (all DLP policies that apply, combined: blocked anywhere wins; business in one policy and non-business in another is mixed).`,
    "",
  ];
  if (impact !== undefined) {
    out.push(
      `Apps and flows using them: **${impact.totals.apps} apps, ${impact.totals.flows} flows** (the JSON plan lists each one).`,
      "",
    );
    if (!impact.complete)
      out.push(
        `⚠️ Impact analysis stopped early: ${impact.environmentsNotRead.length} environment${impact.environmentsNotRead.length === 1 ? " was" : "s were"} not fully read (${escapeMarkdown(impact.environmentsNotRead.map((entry) => `${entry.environmentName}: ${entry.reason}`).join("; "))}). Counts there may be low.`,
        "",
      );
  }
  const header =
    impact === undefined
      ? ["| Environment | Connector | Before | After |", "|---|---|---|---|"]
      : ["| Environment | Connector | Before | After | Apps | Flows |", "|---|---|---|---|---:|---:|"];
  const table = [...header, ...rows.slice(0, MAX_ROWS)];
  if (rows.length > MAX_ROWS) table.push("", `_… and ${rows.length - MAX_ROWS} more rows in the JSON plan._`);
  if (rows.length <= FOLD_AFTER_ROWS) out.push(...table, "");
  else
    out.push(
      `<details><summary>${rows.length} connector moves</summary>`,
      "",
      ...table,
      "",
      "</details>",
      "",
    );
  return out;
}

const TEXT_GROUP_WORD: Record<EffectiveGroup, string> = { ...GROUP_WORD, blocked: "blocked" };
const TEXT_MAX_ENVIRONMENTS = 20;
const TEXT_MAX_MOVES = 8;

/**
 * The effect for the terminal plan: environments whose moves are the same share one heading, and
 * each move (before → after, with impact counts) lists its connectors; long lists wrap.
 */
export function effectTextLines(plan: Pick<Plan, "effect" | "impact">): string[] {
  const effect = plan.effect ?? [];
  if (effect.length === 0) return [];
  const counts = new Map(
    (plan.impact?.entries ?? []).map((entry) => [
      `${entry.environmentId}\n${entry.connector}`,
      entry.apps.length + entry.flows.length,
    ]),
  );
  const out = [
    "Effect on environments (all DLP policies that apply, combined):",
    // One line on what the section means (docs/effective-policy.md has the whole table).
    "  what makers can use there after this plan (blocked anywhere wins; business + non-business = mixed)",
  ];
  const groups = new Map<string, { names: string[]; lines: string[] }>();
  for (const environment of effect.slice(0, TEXT_MAX_ENVIRONMENTS)) {
    const byMove = new Map<string, string[]>();
    for (const move of environment.moves.slice(0, TEXT_MAX_MOVES)) {
      const used = counts.get(`${environment.environmentId}\n${move.connector}`);
      const label = `${TEXT_GROUP_WORD[move.before]} → ${TEXT_GROUP_WORD[move.after]}`;
      const connector =
        plan.impact === undefined ? move.connector : `${move.connector} (${used ?? 0} apps/flows)`;
      const list = byMove.get(label);
      if (list) list.push(connector);
      else byMove.set(label, [connector]);
    }
    const lines = [...byMove].flatMap(([label, connectors]) => wrapList(connectors, `      ${label}: `));
    const more = environment.moves.length - TEXT_MAX_MOVES;
    if (more > 0) lines.push(`      … and ${more} more`);
    const key = lines.join("\n");
    const group = groups.get(key);
    if (group) group.names.push(environment.environmentName);
    else groups.set(key, { names: [environment.environmentName], lines });
  }
  for (const { names, lines } of groups.values()) {
    const heading = wrapList(names, "  ");
    heading[heading.length - 1] += ":";
    out.push(...heading, ...lines);
  }
  if (effect.length > TEXT_MAX_ENVIRONMENTS)
    out.push(`  … and ${effect.length - TEXT_MAX_ENVIRONMENTS} more environments (the JSON plan lists all)`);
  if (plan.impact !== undefined) {
    out.push(
      `  Apps and flows using moved connectors: ${plan.impact.totals.apps} apps, ${plan.impact.totals.flows} flows.`,
    );
    if (!plan.impact.complete)
      out.push(
        `  Impact analysis stopped early: ${plan.impact.environmentsNotRead.map((entry) => `${entry.environmentName} (${entry.reason})`).join(", ")} not fully read.`,
      );
  }
  out.push("");
  return out;
}
