/**
 * The "effect" section of the markdown plan (PR comment): which existing environments change
 * effective DLP classification for which connectors, with app and flow counts under `--impact`.
 */
import type { EffectiveGroup } from "../core/effective/combine.js";
import type { Plan } from "../core/plan/types.js";
import { escapeMarkdown } from "./plan-markdown.js";

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
  if (rows.length > MAX_ROWS) table.push("", `_${rows.length - MAX_ROWS} more rows in the JSON plan._`);
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
