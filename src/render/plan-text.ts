import type { Plan } from "../core/plan/types.js";
import { visibleText } from "../core/visible-text.js";
import { effectTextLines } from "./effect-markdown.js";
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
  resourceTitle,
  type PlanFooter,
} from "./plan-lines.js";

export interface PlanTextOptions {
  /** ANSI colours; the CLI decides (TTY and NO_COLOR). */
  color: boolean;
  footer?: PlanFooter;
}

const ANSI = {
  green: "\u001b[32m",
  yellow: "\u001b[33m",
  red: "\u001b[31m",
  bold: "\u001b[1m",
  dim: "\u001b[2m",
  reset: "\u001b[0m",
};
type Colour = keyof typeof ANSI;

/** The plan in Terraform's idiom: `+` create, `~` update, `-/+` replace, `-` destroy, and a summary line. */
export function renderPlanText(plan: Plan, options: PlanTextOptions): string {
  // Every piece of text goes through visibleText: names and values from policy files or the tenant
  // must not move the cursor or reorder the line the approver reads.
  const paint = (colour: Colour, text: string): string =>
    options.color ? `${ANSI[colour]}${visibleText(text)}${ANSI.reset}` : visibleText(text);
  const signColour = (sign: string): Colour => (sign === "+" ? "green" : sign === "-" ? "red" : "yellow");
  const out: string[] = [];
  const footer = footerText(options.footer);
  if (!hasChanges(plan)) {
    out.push(plan.mode === "drift" ? "No drift. The tenant matches the policies." : NO_CHANGES);
    if (footer) out.push("", paint("dim", footer));
    return `${out.join("\n")}\n`;
  }
  out.push(
    plan.mode === "drift"
      ? "Drift detected: the tenant differs from the policies. Applying would perform these actions:"
      : "ppgov will perform the following actions:",
    "",
  );
  for (const resource of changedResources(plan)) {
    const symbol = ACTION_SYMBOL[resource.action];
    const colour: Colour =
      resource.action === "create" ? "green" : resource.action === "update" ? "yellow" : "red";
    out.push(paint("bold", `  # ${actionComment(resource)}`));
    out.push(`${paint(colour, symbol.padStart(3))} ${visibleText(resourceTitle(resource))}`);
    for (const line of changeLines(resource, plan.names)) {
      if (line.wrapped === undefined) {
        out.push(`      ${paint(signColour(line.sign), line.sign)} ${visibleText(line.text)}`);
        continue;
      }
      out.push(`      ${paint(signColour(line.sign), line.sign)} ${visibleText(line.wrapped.head)}`);
      for (const item of line.wrapped.items)
        out.push(`          ${paint(signColour(item.sign), item.sign)} ${visibleText(item.text)}`);
    }
    out.push("");
  }
  out.push(...effectTextLines(plan).map((line) => visibleText(line)));
  const connectors = newConnectorLines(plan);
  if (connectors.length > 0) {
    out.push("Connectors new in the catalogue since the last apply:");
    for (const line of connectors) out.push(`  ${visibleText(line)}`);
    out.push("");
  }
  out.push(paint("bold", planSummaryLine(plan)));
  if (footer) out.push(paint("dim", footer));
  return `${out.join("\n")}\n`;
}
