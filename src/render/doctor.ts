/** `ppgov doctor`'s output: a text table for people, JSON for machines. Pure. */
import type { DoctorReport, ProbeResult, Verdict } from "../core/doctor/report.js";

const MARK: Record<Verdict, string> = { pass: "pass", fail: "FAIL", skip: "skip" };
const ANSI: Record<Verdict, string> = { pass: "\u001b[32m", fail: "\u001b[31m", skip: "\u001b[2m" };

export function renderDoctorJson(report: DoctorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Columns padded to the widest cell; `paint` may wrap a cell after padding (escape codes have no width). */
function table(
  rows: readonly (readonly string[])[],
  paint: (row: number, column: number, padded: string) => string = (_r, _c, padded) => padded,
): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row, index) =>
    row
      .map((cell, column) =>
        paint(index, column, column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)),
      )
      .join("  ")
      .trimEnd(),
  );
}

function endpointOf(probe: ProbeResult): string {
  const more = new Set(probe.requests.map((request) => request.endpoint)).size - 1;
  return `${probe.endpoint ?? "-"}${more > 0 ? ` (+${more} more)` : ""}`;
}

export function renderDoctorText(report: DoctorReport, options: { color: boolean }): string {
  const paint = (verdict: Verdict, text: string): string =>
    options.color ? `${ANSI[verdict]}${text}\u001b[0m` : text;
  const lines: string[] = [`Credential: ${report.credential}`, "", "Tokens:"];
  for (const token of report.tokens)
    lines.push(
      `  ${paint(token.verdict, MARK[token.verdict])}  ${token.scope} (${token.apis.join(", ")})${token.detail === undefined ? "" : `: ${token.detail}`}`,
    );
  lines.push("", "Reads (the first page of each read plan and export make):");
  const verdictColumn = 3;
  const rows = table(
    [
      ["READ", "ENDPOINT", "STATUS", "VERDICT", "UNEXPECTED"],
      ...report.probes.map((probe) => [
        probe.name,
        endpointOf(probe),
        probe.status === undefined ? "-" : String(probe.status),
        MARK[probe.verdict],
        probe.detail ?? "",
      ]),
    ],
    (row, column, padded) => {
      const probe = row === 0 ? undefined : report.probes[row - 1];
      return probe !== undefined && column === verdictColumn ? paint(probe.verdict, padded) : padded;
    },
  );
  lines.push(...rows.map((row) => `  ${row}`));
  const count = (verdict: Verdict): number => report.probes.filter((p) => p.verdict === verdict).length;
  const tokenFailures = report.tokens.filter((token) => token.verdict === "fail").length;
  lines.push(
    "",
    `${count("pass")} passed, ${count("fail")} failed, ${count("skip")} skipped; ${report.tokens.length - tokenFailures} of ${report.tokens.length} tokens issued.`,
    report.passed
      ? "ppgov can read this tenant."
      : "ppgov cannot read everything it needs: see FAIL above (docs/authentication.md lists what each read needs).",
  );
  return `${lines.join("\n")}\n`;
}
