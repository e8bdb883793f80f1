/**
 * The coverage report as one self-contained HTML page: inline CSS, no scripts, no external assets,
 * and a small inline-SVG bar chart of capacity allocations against the pool.
 */
import type { AllocationLine, CoverageReport, TenantCoverage } from "../core/effective/index.js";
import { CELL_TEXT, summaryRows } from "./report-markdown.js";

type Side = "declared" | "live";
const SIDES: Side[] = ["declared", "live"];

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1f2328;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
.meta{color:#59636e}table{border-collapse:collapse;margin:.6rem 0 1rem}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left}
th{background:#f6f8fa}td.num,th.num{text-align:right}td.all{background:#dafbe1}td.only{background:#ddf4ff}td.except{background:#fff8c5}
td.none{color:#8c959f;text-align:center}.over{color:#cf222e;font-weight:600}.legend span{display:inline-block;padding:0 .4rem;margin-right:.4rem}
.chips code{display:inline-block;margin:.1rem;padding:0 .3rem;background:#f6f8fa;border-radius:4px}
svg text{font:12px system-ui,sans-serif;fill:#1f2328}
`;

function table(
  id: string,
  header: string[],
  rows: string[][],
  numeric: ReadonlySet<number> = new Set(),
): string {
  const head = header
    .map((cell, index) => `<th${numeric.has(index) ? ' class="num"' : ""}>${cell}</th>`)
    .join("");
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((cell, index) => (cell.startsWith("<td") ? cell : `<td${numeric.has(index) ? ' class="num"' : ""}>${cell}</td>`)).join("")}</tr>`,
    )
    .join("\n");
  return `<table id="${id}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function matrix(side: Side, coverage: TenantCoverage): string {
  if (coverage.rows.length === 0) return "<p>No environments.</p>";
  return table(
    `matrix-${side}`,
    ["Environment", ...coverage.policies.map((policy) => escapeHtml(policy.displayName))],
    coverage.rows.map((row) => [
      `<td class="env">${escapeHtml(row.environment.displayName)}</td>`,
      ...coverage.policies.map((policy) => {
        const reason = row.cells[policy.id];
        return reason === undefined
          ? '<td class="none">–</td>'
          : `<td class="${reason}">${CELL_TEXT[reason]}</td>`;
      }),
    ]),
  );
}

const CHART_WIDTH = 640;
const LABEL_WIDTH = 190;
const BAR_HEIGHT = 14;
const ROW_HEIGHT = 46;

/** One row per currency: the pool as a grey track, declared and live allocations as bars over it. */
export function allocationChart(
  declared: readonly AllocationLine[],
  live: readonly AllocationLine[],
): string {
  const types = [...new Set([...declared, ...live].map((line) => line.currencyType))].sort();
  if (types.length === 0) return "<p>No currency pool or allocations.</p>";
  const scaleMax = Math.max(
    1,
    ...[...declared, ...live].map((line) => Math.max(line.allocated, line.owned ?? 0)),
  );
  const track = CHART_WIDTH - LABEL_WIDTH - 90;
  const width = (value: number): number => Math.max(0, Math.round((value / scaleMax) * track));
  const rows = types.map((type, index) => {
    const planned = declared.find((line) => line.currencyType === type);
    const current = live.find((line) => line.currencyType === type);
    const owned = planned?.owned ?? current?.owned ?? null;
    const y = 10 + index * ROW_HEIGHT;
    const bar = (side: Side, value: number, offset: number): string => {
      const over = owned !== null && value > owned;
      const fill = over ? "#cf222e" : side === "declared" ? "#0969da" : "#8250df";
      return `<rect class="bar ${side}${over ? " over" : ""}" data-currency="${escapeHtml(type)}" data-value="${value}" x="${LABEL_WIDTH}" y="${y + offset}" width="${width(value)}" height="${BAR_HEIGHT}" fill="${fill}"><title>${escapeHtml(type)} ${side}: ${value}${owned === null ? "" : ` of ${owned}`}</title></rect>`;
    };
    const declaredValue = planned?.allocated ?? 0;
    const liveValue = current?.allocated ?? 0;
    return [
      `<text x="0" y="${y + BAR_HEIGHT + 4}">${escapeHtml(type)}</text>`,
      owned === null
        ? ""
        : `<rect class="pool" x="${LABEL_WIDTH}" y="${y - 2}" width="${width(owned)}" height="${2 * BAR_HEIGHT + 8}" fill="#eaeef2"><title>${escapeHtml(type)} pool: ${owned}</title></rect>`,
      bar("declared", declaredValue, 0),
      bar("live", liveValue, BAR_HEIGHT + 4),
      `<text x="${LABEL_WIDTH + track + 8}" y="${y + BAR_HEIGHT + 4}">${declaredValue}/${owned ?? "?"}</text>`,
    ].join("");
  });
  const height = 10 + types.length * ROW_HEIGHT;
  return [
    `<svg id="allocation-chart" role="img" aria-label="Capacity allocations against the pool" xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}">`,
    ...rows,
    "</svg>",
    '<p class="legend"><span style="background:#0969da;color:#fff">declared</span><span style="background:#8250df;color:#fff">live</span><span style="background:#eaeef2">pool owned</span><span style="background:#cf222e;color:#fff">over the pool</span></p>',
  ].join("\n");
}

export function renderReportHtml(report: CoverageReport): string {
  const summary = table(
    "summary",
    ["", "Declared", "Live"],
    summaryRows(report).map((row) => row.map(escapeHtml)),
    new Set([1, 2]),
  );
  const list = (items: readonly { displayName: string }[]): string =>
    items.length === 0 ? "none" : items.map((item) => escapeHtml(item.displayName)).join(", ");
  const sections: string[] = [
    `<h1>ppgov coverage report</h1>`,
    `<p class="meta">Tenant <code>${escapeHtml(report.tenantId)}</code>, ${escapeHtml(report.generatedAt)}. <em>Declared</em> is the tenant once the policies in the repository are applied; <em>live</em> is the tenant as it is now.</p>`,
    summary,
    "<h2>Which policies cover which environments</h2>",
    '<p class="legend"><span class="all" style="background:#dafbe1">all</span>covers every environment <span style="background:#ddf4ff">listed</span>names the environment <span style="background:#fff8c5">not excluded</span>covers all but those it names</p>',
  ];
  for (const side of SIDES)
    sections.push(`<h3>${side === "declared" ? "Declared" : "Live"}</h3>`, matrix(side, report[side]));
  sections.push("<h2>Environments covered by no policy other than the tenant-wide ones</h2>", "<ul>");
  for (const side of SIDES)
    sections.push(
      `<li id="tenant-wide-${side}">${side}: ${list(report[side].tenantWideOnly)}${report[side].uncovered.length > 0 ? ` (no policy at all: ${list(report[side].uncovered)})` : ""}</li>`,
    );
  sections.push("</ul>", "<h2>Connectors that no policy blocks</h2>");
  for (const side of SIDES) {
    const coverage = report[side];
    sections.push(
      `<details id="blocked-nowhere-${side}"><summary>${side}: ${coverage.blockedNowhere.length} of ${coverage.connectorCount} connectors</summary><p class="chips">${coverage.blockedNowhere.map((name) => `<code>${escapeHtml(name)}</code>`).join(" ")}</p></details>`,
    );
  }
  sections.push(
    "<h2>Capacity allocations against the pool</h2>",
    allocationChart(report.declared.allocations, report.live.allocations),
    "<h2>Licence seats</h2>",
    report.live.seats.length === 0
      ? "<p>No subscribed SKUs were read.</p>"
      : table(
          "seats",
          ["SKU", "Seats", "Assigned", "Free"],
          report.live.seats.map((seat) => [
            escapeHtml(seat.sku),
            String(seat.enabled),
            String(seat.consumed),
            seat.consumed > seat.enabled
              ? `<td class="num over">${seat.enabled - seat.consumed}</td>`
              : String(seat.enabled - seat.consumed),
          ]),
          new Set([1, 2, 3]),
        ),
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ppgov coverage report</title>
<style>${STYLE}</style>
</head>
<body>
${sections.join("\n")}
</body>
</html>
`;
}
