import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { assertPolicyDirectory, createPolicyLoaderDeps } from "../../adapters/fs/policy-loader.js";
import { exportLiveTenant, type ExportOutcome } from "../../app/export.js";
import { loadPolicies } from "../../core/policy/load-policies.js";
import { hasErrors } from "../../core/diagnostics.js";
import { PpgovError, UsageError } from "../../core/errors.js";
import type { ExportFile, ExportSkip } from "../../core/export/index.js";
import type { LiveRequirements } from "../../core/plan/index.js";
import { KINDS, type KindName, type TenantSpec } from "../../core/policy/types.js";
import { createTenantClient, readLiveTenant } from "../../adapters/tenant/index.js";
import { readPackageManifest, releasedPolicySchemaUrl } from "../../adapters/fs/package-root.js";
import { writeLine, type CliContext } from "../context.js";
import type { CommandRegistrar } from "../program.js";

export interface ExportCommandOptions {
  output: string;
  /** Where the `$schema` lines point (relative to the output directory, or a URL); found when absent. */
  schemaPath?: string;
  force?: boolean;
  kinds?: string;
  dir?: string;
}

export const registerExport: CommandRegistrar = (program, context, setExitCode) => {
  program
    .command("export")
    .description("write the live tenant as policy files that plan with no changes")
    .option("-o, --output <dir>", "directory to write the policy files to", "policies")
    .option("--force", "replace the policy files (*.yaml, *.yml) of a non-empty directory")
    .option("--kinds <kinds>", `comma-separated kinds to export (default all: ${KINDS.join(",")})`)
    .option("-d, --dir <dir>", "an existing policy directory whose Tenant.ignore and cloud the export keeps")
    .action(async (options: ExportCommandOptions) => {
      setExitCode(await runExport(options, context()));
    });
};

/** `--kinds environment,dlppolicy` → kind names, case-insensitively; the Tenant document is always kept. */
export function parseKinds(value: string | undefined): KindName[] | undefined {
  if (value === undefined) return undefined;
  const byLower = new Map(KINDS.map((kind) => [kind.toLowerCase(), kind]));
  const kinds = new Set<KindName>(["Tenant"]);
  for (const word of value.split(",").map((item) => item.trim())) {
    if (word === "") continue;
    const kind = byLower.get(word.toLowerCase());
    if (kind === undefined)
      throw new UsageError(`--kinds: unknown kind "${word}" (kinds: ${KINDS.join(", ")})`);
    kinds.add(kind);
  }
  return KINDS.filter((kind) => kinds.has(kind));
}

export async function runExport(options: ExportCommandOptions, context: CliContext): Promise<number> {
  const kinds = parseKinds(options.kinds);
  const outDir = resolve(context.cwd, options.output);
  await assertWritableTarget(outDir, options.output, options.force === true);
  const carried = options.dir === undefined ? {} : await tenantSettingsOf(options.dir, context);
  carried.cloud ??= cloudOf(context.env.PPGOV_CLOUD);
  const schemaPath =
    options.schemaPath ?? findSchemaPath(outDir) ?? releasedPolicySchemaUrl(readPackageManifest());
  const client = createTenantClient({
    env: context.env,
    logger: context.logger,
    secrets: context.secrets,
    notices: context.stderr,
  });
  const tenant = {
    tenantId: async () => (await client.admin.getTenant()).tenantId.toLowerCase(),
    // Member counts only serve the seat check of a plan.
    readLive: (requirements: LiveRequirements, tenantId: string) =>
      readLiveTenant(client, requirements, { tenantId, memberCounts: false }),
  };
  const validator = createPolicyLoaderDeps({ cwd: context.cwd, env: context.env }).validator;
  const outcome = await exportLiveTenant(
    {
      ...(kinds === undefined ? {} : { kinds }),
      ...(carried.ignore === undefined ? {} : { ignore: carried.ignore }),
      ...(carried.cloud === undefined ? {} : { cloud: carried.cloud }),
      ...(schemaPath === undefined ? {} : { schemaPath }),
    },
    { tenant, validator, clock: () => performance.now() },
  );
  if (hasErrors(outcome.diagnostics)) {
    for (const diagnostic of outcome.diagnostics.filter((d) => d.severity === "error"))
      writeLine(context.stderr, `${diagnostic.file}: error ${diagnostic.code} ${diagnostic.message}`);
    throw new PpgovError("EXPORT_INVALID", "the exported files do not validate; nothing was written");
  }
  const writeStarted = performance.now();
  await writeExportDirectory(outDir, outcome.files, options.force === true);
  printSummary(context, options.output, outcome, performance.now() - writeStarted);
  return 0;
}

/** Refuses to mix an export into a directory that already holds files, unless --force. */
async function assertWritableTarget(outDir: string, shown: string, force: boolean): Promise<void> {
  const info = await stat(outDir).catch(() => undefined);
  if (info === undefined) return;
  if (!info.isDirectory()) throw new UsageError(`'${shown}' exists and is not a directory`);
  if ((await readdir(outDir)).length > 0 && !force)
    throw new UsageError(
      `'${shown}' is not empty: pass --force to replace its policy files (other files are kept), or choose another directory with -o`,
    );
}

const CLOUDS = ["public", "gcc", "gcchigh", "dod", "china"] as const;

/** The cloud PPGOV_CLOUD names, for the Tenant document (the tenant client rejects other values). */
function cloudOf(value: string | undefined): TenantSpec["cloud"] {
  const lower = value?.trim().toLowerCase();
  return CLOUDS.find((cloud) => cloud === lower);
}

/** Tenant.ignore and cloud of an existing repository, so that what it ignores stays ignored. */
async function tenantSettingsOf(
  dir: string,
  context: CliContext,
): Promise<Pick<TenantSpec, "ignore" | "cloud">> {
  await assertPolicyDirectory(dir, context.cwd);
  // Only the Tenant document is wanted here; a directory without one is fine.
  const loaded = await loadPolicies(dir, createPolicyLoaderDeps({ cwd: context.cwd, env: context.env }), {
    allowEmpty: true,
  });
  const tenant = loaded.documents.find((document) => document.document.kind === "Tenant")?.document;
  if (tenant?.kind !== "Tenant") return {};
  const { ignore, cloud } = tenant.spec;
  return { ...(ignore === undefined ? {} : { ignore }), ...(cloud === undefined ? {} : { cloud }) };
}

/**
 * Where editors find the policy schema, relative to the export directory: the `schemas/` of the
 * repository the export lands in, else the copy of an installed ppgov package; undefined when neither.
 */
export function findSchemaPath(outDir: string): string | undefined {
  for (let dir = dirname(outDir); ; dir = dirname(dir)) {
    for (const candidate of [
      join(dir, "schemas", "policy.schema.json"),
      join(dir, "node_modules", "ppgov", "schemas", "policy.schema.json"),
    ])
      if (existsSync(candidate)) return relative(outDir, candidate).split(sep).join("/");
    if (dirname(dir) === dir) return undefined;
  }
}

const POLICY_FILE = /\.ya?ml$/i;

/**
 * Writes the files so that a reader never sees half an export: everything goes to a hidden staging
 * directory next to the target first. A new target is that directory renamed; an existing one gets
 * its policy files removed (the loader would read stale ones) and each new file renamed into place.
 */
export async function writeExportDirectory(
  outDir: string,
  files: readonly ExportFile[],
  replace: boolean,
): Promise<void> {
  const parent = dirname(outDir);
  await mkdir(parent, { recursive: true });
  const staging = join(parent, `.${basename(outDir)}.export-${randomBytes(4).toString("hex")}`);
  try {
    await makeDirectories(staging, files);
    // One file per document (10,401 at the reference size): a few writes in flight, each file's text
    // on its own, instead of one after another.
    await eachWithin(files, WRITES_IN_FLIGHT, (file) =>
      writeFile(join(staging, file.path), file.text, "utf8"),
    );
    if (!existsSync(outDir)) {
      await rename(staging, outDir);
      return;
    }
    if (replace) await removePolicyFiles(outDir);
    await makeDirectories(outDir, files);
    await eachWithin(files, WRITES_IN_FLIGHT, (file) =>
      rename(join(staging, file.path), join(outDir, file.path)),
    );
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** File operations in flight while writing an export: enough to keep the disk busy, few descriptors. */
const WRITES_IN_FLIGHT = 16;

/** The directories the files go into, below `root`, each made once. */
async function makeDirectories(root: string, files: readonly ExportFile[]): Promise<void> {
  const dirs = new Set(files.map((file) => dirname(join(root, file.path))));
  for (const dir of dirs) await mkdir(dir, { recursive: true });
}

/** `task` for every item, at most `limit` at once; the first failure rejects after the others settle. */
async function eachWithin<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error: unknown) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
}

/** Removes *.yaml / *.yml files below `dir` (not in hidden directories) and the folders they leave empty. */
async function removePolicyFiles(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await removePolicyFiles(path);
      if ((await readdir(path)).length === 0) await rmdir(path);
    } else if (POLICY_FILE.test(entry.name)) await rm(path);
  }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function printSummary(context: CliContext, shown: string, outcome: ExportOutcome, writeMs: number): void {
  const { exported, timings } = outcome;
  const perKind = new Map<string, number>();
  for (const { document } of exported.documents)
    perKind.set(document.kind, (perKind.get(document.kind) ?? 0) + 1);
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  writeLine(
    context.stdout,
    `Exported ${plural(exported.documents.length, "document")} to ${shown}/ (read ${seconds(timings.readMs)}, export ${seconds(timings.exportMs)}, write ${seconds(writeMs)}):`,
  );
  for (const kind of KINDS) {
    const count = perKind.get(kind);
    if (count !== undefined) writeLine(context.stdout, `  ${kind.padEnd(18)} ${count}`);
  }
  const byCause = (cause: ExportSkip["cause"]) => exported.skipped.filter((skip) => skip.cause === cause);
  for (const skip of byCause("default-environment"))
    writeLine(
      context.stdout,
      `Not written: the default environment "${skip.displayName}" (refer to it as \`default\`).`,
    );
  const ignored = byCause("ignored");
  if (ignored.length > 0)
    writeLine(context.stdout, `Not written: ${plural(ignored.length, "object")} matched by Tenant.ignore.`);
  const inexpressible = byCause("not-expressible");
  for (const skip of inexpressible)
    writeLine(
      context.stderr,
      `warning: not exported: ${skip.kind} "${skip.displayName}" (${skip.id}): ${skip.reason}`,
    );
  for (const warning of exported.warnings) writeLine(context.stderr, `warning: ${warning}`);
  for (const diagnostic of outcome.diagnostics)
    writeLine(context.stderr, `warning: ${diagnostic.file}: ${diagnostic.code} ${diagnostic.message}`);
  if (inexpressible.length > 0)
    writeLine(
      context.stdout,
      `${plural(inexpressible.length, "object")} could not be written as documents that plan clean (see the warnings); they stay unmanaged.`,
    );
  writeLine(context.stdout, `Next: ppgov plan -d ${shown}   (shows no changes)`);
}
