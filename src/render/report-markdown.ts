/**
 * The coverage report as markdown (a job summary, a wiki page): declared and live side by side.
 */
import type { ApplyReason, CoverageReport, TenantCoverage } from "../core/effective/index.js";
import { escapeMarkdown } from "./markdown-escape.js";

type Side = "declared" | "live";
const SIDES: Side[] = ["declared", "live"];

export const CELL_TEXT: Record<ApplyReason, string> = { all: "all", only: "listed", except: "not excluded" };

/** The facts both renderers show, in one place so the two formats say the same thing. */
export function summaryRows(report: CoverageReport): [string, string, string][] {
  const row = (
    label: string,
    value: (coverage: TenantCoverage) => number | string,
  ): [string, string, string] => [label, String(value(report.declared)), String(value(report.live))];
  return [
    row("Environments", (coverage) => coverage.rows.length),
    row("DLP policies", (coverage) => coverage.policies.length),
    row("Environments covered only by tenant-wide policies", (coverage) => coverage.tenantWideOnly.length),
    row("Environments no policy covers", (coverage) => coverage.uncovered.length),
    row(
      "Connectors no policy blocks",
      (coverage) => `${coverage.blockedNowhere.length} of ${coverage.connectorCount}`,
    ),
  ];
}

function table(header: string[], rows: string[][], align?: string[]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `|${(align ?? header.map(() => "---")).join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ];
}

function matrix(coverage: TenantCoverage): string[] {
  if (coverage.rows.length === 0) return ["No environments.", ""];
  const header = ["Environment", ...coverage.policies.map((policy) => escapeMarkdown(policy.displayName))];
  const rows = coverage.rows.map((row) => [
    escapeMarkdown(row.environment.displayName),
    ...coverage.policies.map((policy) => {
      const reason = row.cells[policy.id];
      return reason === undefined ? "–" : CELL_TEXT[reason];
    }),
  ]);
  return [...table(header, rows), ""];
}

function names(list: readonly { displayName: string }[]): string {
  return list.length === 0 ? "none" : list.map((entry) => escapeMarkdown(entry.displayName)).join(", ");
}

export function renderReportMarkdown(report: CoverageReport): string {
  const out: string[] = [
    "# ppgov coverage report",
    "",
    `Tenant \`${report.tenantId}\`, ${report.generatedAt}. *Declared* is the tenant once the policies in the repository are applied; *live* is the tenant as it is now.`,
    "",
    ...table(["", "Declared", "Live"], summaryRows(report), ["---", "---:", "---:"]),
    "",
    "## Which policies cover which environments",
    "",
    "*all*: the policy covers every environment; *listed*: it names the environment; *not excluded*: it covers every environment but those it names, and this one is not named.",
    "",
  ];
  for (const side of SIDES)
    out.push(`### ${side === "declared" ? "Declared" : "Live"}`, "", ...matrix(report[side]));
  out.push("## Environments covered by no policy other than the tenant-wide ones", "");
  for (const side of SIDES)
    out.push(
      `- ${side}: ${names(report[side].tenantWideOnly)}` +
        (report[side].uncovered.length > 0 ? ` (no policy at all: ${names(report[side].uncovered)})` : ""),
    );
  out.push("", "## Connectors that no policy blocks", "");
  for (const side of SIDES) {
    const coverage = report[side];
    out.push(
      `<details><summary>${side}: ${coverage.blockedNowhere.length} of ${coverage.connectorCount} connectors</summary>`,
      "",
      coverage.blockedNowhere.map((name) => `\`${name}\``).join(", ") || "none",
      "",
      "</details>",
      "",
    );
  }
  out.push("## Capacity allocations against the pool", "");
  const lines = allocationRows(report);
  if (lines.length === 0) out.push("No currency pool or allocations.", "");
  else
    out.push(
      ...table(["Currency", "Allocated (declared)", "Allocated (live)", "Owned", "Left (declared)"], lines, [
        "---",
        "---:",
        "---:",
        "---:",
        "---:",
      ]),
      "",
    );
  out.push("## Licence seats", "");
  if (report.live.seats.length === 0) out.push("No subscribed SKUs were read.", "");
  else
    out.push(
      ...table(
        ["SKU", "Seats", "Assigned", "Free"],
        report.live.seats.map((seat) => [
          escapeMarkdown(seat.sku),
          String(seat.enabled),
          String(seat.consumed),
          seat.consumed > seat.enabled
            ? `**${seat.enabled - seat.consumed}** (over)`
            : String(seat.enabled - seat.consumed),
        ]),
        ["---", "---:", "---:", "---:"],
      ),
      "",
    );
  return `${out.join("\n")}\n`;
}

/** One row per currency type seen on either side: allocated declared/live, owned, what is left. */
export function allocationRows(report: CoverageReport): string[][] {
  const types = [
    ...new Set([...report.declared.allocations, ...report.live.allocations].map((line) => line.currencyType)),
  ].sort();
  return types.map((type) => {
    const declared = report.declared.allocations.find((line) => line.currencyType === type);
    const live = report.live.allocations.find((line) => line.currencyType === type);
    const owned = declared?.owned ?? live?.owned ?? null;
    const allocated = declared?.allocated ?? 0;
    const left =
      owned === null
        ? "?"
        : owned - allocated < 0
          ? `**${owned - allocated}** (over)`
          : String(owned - allocated);
    return [
      escapeMarkdown(type),
      String(allocated),
      String(live?.allocated ?? 0),
      owned === null ? "?" : String(owned),
      left,
    ];
  });
}
