import { Option } from "commander";
import { writeFileAtomic } from "../../adapters/fs/plan-file.js";
import { assertPolicyDirectory } from "../../adapters/fs/policy-loader.js";
import { runReport } from "../../app/report.js";
import { renderReportHtml } from "../../render/report-html.js";
import { renderReportMarkdown } from "../../render/report-markdown.js";
import { compose } from "../compose.js";
import { writeLine, type CliContext } from "../context.js";
import type { CommandRegistrar } from "../program.js";
import { printDiagnostics, resolvePath } from "./plan.js";

export const REPORT_FORMATS = ["markdown", "html"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

interface ReportOptions {
  dir: string;
  format: ReportFormat;
  output?: string;
}

export const registerReport: CommandRegistrar = (program, context, setExitCode) => {
  program
    .command("report")
    .description(
      "coverage report, declared and live: environments × policies, uncovered environments, connectors blocked nowhere, allocations, seats",
    )
    .option("-d, --dir <dir>", "policy directory", "policies")
    .addOption(new Option("--format <format>", "output format").choices(REPORT_FORMATS).default("markdown"))
    .option("-o, --output <file>", "write the report to FILE instead of stdout")
    .action(async (options: ReportOptions) => {
      setExitCode(await runReportCommand(options, context()));
    });
};

export async function runReportCommand(options: ReportOptions, context: CliContext): Promise<number> {
  await assertPolicyDirectory(options.dir, context.cwd);
  const composed = compose(context, { command: "report" });
  const outcome = await runReport(options.dir, composed.plan);
  if (outcome.status === "invalid") {
    printDiagnostics(context, options.dir, outcome.loaded, outcome.loaded.diagnostics);
    return 1;
  }
  const text =
    options.format === "html" ? renderReportHtml(outcome.report) : renderReportMarkdown(outcome.report);
  if (options.output === undefined) context.stdout.write(text);
  else {
    await writeFileAtomic(resolvePath(context, options.output), text);
    writeLine(context.stdout, `Wrote the ${options.format} coverage report to ${options.output}`);
  }
  return 0;
}
