import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Option } from "commander";
import { createRedactor, type Redactor } from "../../core/doctor/redact.js";
import { runDoctor, type DoctorRun } from "../../adapters/tenant/doctor.js";
import { READ_PROBES } from "../../adapters/tenant/doctor-probes.js";
import { createTenantClient, type Exchange } from "../../adapters/tenant/index.js";
import { renderDoctorJson, renderDoctorText } from "../../render/doctor.js";
import { writeLine, type CliContext } from "../context.js";
import type { CommandRegistrar } from "../program.js";

export const DOCTOR_FORMATS = ["text", "json"] as const;
type DoctorFormat = (typeof DOCTOR_FORMATS)[number];

interface DoctorOptions {
  format: DoctorFormat;
  record?: string;
}

export const registerDoctor: CommandRegistrar = (program, context, setExitCode) => {
  program
    .command("doctor")
    .description(
      "read-only preflight: get each token ppgov needs and send one of each read plan and export make, checking every answer (exit 1 when anything fails)",
    )
    .addOption(new Option("--format <format>", "output format").choices(DOCTOR_FORMATS).default("text"))
    .option(
      "--record <dir>",
      "write each response to DIR, redacted (ids hashed; names, emails, hosts replaced)",
    )
    .action(async (options: DoctorOptions) => {
      setExitCode(await runDoctorCommand(options, context()));
    });
};

export async function runDoctorCommand(options: DoctorOptions, context: CliContext): Promise<number> {
  // First pages only: the point is the shape of each answer, and a large tenant must not take long.
  const client = createTenantClient({
    env: context.env,
    logger: context.logger,
    secrets: context.secrets,
    notices: context.stderr,
    maxListPages: 1,
  });
  const run = await runDoctor(client, READ_PROBES);
  if (options.record !== undefined) await record(run, resolve(context.cwd, options.record), context);
  const { report } = run;
  context.stdout.write(
    context.secrets.scrub(
      options.format === "json"
        ? renderDoctorJson(report)
        : renderDoctorText(report, { color: context.color }),
    ),
  );
  if (options.record !== undefined && options.format === "text")
    writeLine(context.stdout, `Recorded ${run.exchanges.length} responses, redacted, in ${options.record}/`);
  return report.passed ? 0 : 1;
}

/** One redacted file per answer: no request headers at all, of the response only its content type. */
async function record(run: DoctorRun, dir: string, context: CliContext): Promise<void> {
  await mkdir(dir, { recursive: true });
  const redactor = createRedactor();
  for (const [index, { probe, exchange }] of run.exchanges.entries()) {
    const name = `${String(index + 1).padStart(2, "0")}-${probe.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.json`;
    const text = `${JSON.stringify(recorded(probe, exchange, redactor), null, 2)}\n`;
    await writeFile(join(dir, name), context.secrets.scrub(text), "utf8");
  }
}

function recorded(probe: string, exchange: Exchange, redactor: Redactor): Record<string, unknown> {
  return {
    probe,
    endpoint: exchange.endpoint,
    request: `${exchange.method} ${redactor.text(`${exchange.url.pathname}${exchange.url.search}`)}`,
    status: exchange.status,
    contentType: exchange.headers.get("content-type"),
    body: bodyOf(exchange.text, redactor),
  };
}

function bodyOf(text: string, redactor: Redactor): unknown {
  if (text.trim() === "") return null;
  try {
    return redactor.json(JSON.parse(text));
  } catch {
    return redactor.text(text);
  }
}
