import { mkdir, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import { Option } from "commander";
import { assertPolicyDirectory, createPolicyLoaderDeps } from "../../adapters/fs/policy-loader.js";
import { loadPolicies } from "../../core/policy/load-policies.js";
import { hasErrors } from "../../core/diagnostics.js";
import {
  DIAGNOSTIC_FORMATS,
  renderDiagnostics,
  summaryLine,
  type DiagnosticFormat,
} from "../../render/diagnostics.js";
import { writeLine, type CliContext } from "../context.js";
import type { CommandRegistrar } from "../program.js";

interface ValidateOptions {
  dir: string;
  format: DiagnosticFormat;
  output?: string;
}

export const registerValidate: CommandRegistrar = (program, context, setExitCode) => {
  program
    .command("validate")
    .description("check the policy files against the schemas and the semantic rules (no tenant access)")
    .option("-d, --dir <dir>", "policy directory", "policies")
    .addOption(new Option("--format <format>", "output format").choices(DIAGNOSTIC_FORMATS).default("text"))
    .option("-o, --output <file>", "write the report to FILE instead of stdout")
    .action(async (options: ValidateOptions) => {
      setExitCode(await runValidate(options, context()));
    });
};

/** Exit code 0 when the policies are valid (warnings allowed), 1 when any error was found. */
export async function runValidate(options: ValidateOptions, context: CliContext): Promise<number> {
  await assertPolicyDirectory(options.dir, context.cwd);
  const result = await loadPolicies(
    options.dir,
    createPolicyLoaderDeps({ cwd: context.cwd, env: context.env }),
    {
      allowEmpty: context.allowEmpty,
    },
  );
  const summary = {
    directory: options.dir,
    fileCount: result.fileCount,
    documentCount: result.documentCount,
  };
  const color = options.format === "text" && options.output === undefined && context.color;
  const report = renderDiagnostics(result.diagnostics, options.format, summary, { color });

  if (options.output === undefined) {
    context.stdout.write(report);
  } else {
    const path = isAbsolute(options.output) ? options.output : join(context.cwd, options.output);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, report, "utf8");
    writeLine(context.stdout, summaryLine(result.diagnostics, summary));
  }
  return hasErrors(result.diagnostics) ? 1 : 0;
}
