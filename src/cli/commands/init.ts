import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { packageRoot, readPackageManifest } from "../../adapters/fs/package-root.js";
import {
  actionReferenceFor,
  POLICY_DIR,
  POLICY_SCHEMA,
  scaffoldFiles,
  WORKFLOW_DIR,
  type ScaffoldFile,
} from "../../app/init.js";
import { PpgovError, UsageError } from "../../core/errors.js";
import { writeLine, type CliContext } from "../context.js";
import type { CommandRegistrar } from "../program.js";
import { runExport } from "./export.js";

export interface InitOptions {
  fromTenant?: boolean;
  force?: boolean;
}

export const registerInit: CommandRegistrar = (program, context, setExitCode) => {
  program
    .command("init")
    .description(
      "scaffold a policy repository in DIR (default .): policies/, schemas/, the plan/apply/drift workflows and .gitignore",
    )
    .argument("[dir]", "the repository's directory (created when missing)", ".")
    .option(
      "--from-tenant",
      "policies/ is an export of the live tenant (PPGOV_ENDPOINT or AZURE_* credentials) instead of the sample",
    )
    .option("--force", "overwrite files that exist (ppgov init refuses otherwise)")
    .action(async (dir: string, options: InitOptions) => {
      setExitCode(await runInit(dir, options, context()));
    });
};

/** The workflow templates: this repository's own one-tenant workflows, shipped in the package. */
const WORKFLOW_TEMPLATES = ["ppgov-plan.yml", "ppgov-apply.yml", "ppgov-drift.yml"];

export async function runInit(dir: string, options: InitOptions, context: CliContext): Promise<number> {
  const root = packageRoot();
  const manifest = readPackageManifest(root);
  if (manifest.githubRepository === undefined)
    throw new PpgovError("PACKAGE_INVALID", `${join(root, "package.json")} names no GitHub repository`);
  const target = resolve(context.cwd, dir);
  const files = scaffoldFiles({
    policies: options.fromTenant === true ? [] : await readTree(join(root, POLICY_DIR)),
    schemas: (await readTree(join(root, "schemas"))).filter((file) => file.path.endsWith(".json")),
    workflows: await Promise.all(
      WORKFLOW_TEMPLATES.map(async (name) => ({
        path: name,
        text: await readFile(join(root, WORKFLOW_DIR, name), "utf8"),
      })),
    ),
    actionReference: actionReferenceFor(manifest.githubRepository, manifest.version),
  });
  const existing = files.filter((file) => existsSync(join(target, file.path))).map((file) => file.path);
  if (options.fromTenant === true && existsSync(join(target, POLICY_DIR))) existing.unshift(`${POLICY_DIR}/`);
  if (existing.length > 0 && options.force !== true)
    throw new UsageError(
      `ppgov init would overwrite ${existing.length === 1 ? "a file" : `${existing.length} files`} in ${dir}: ${listed(existing)}; pass --force to overwrite, or choose another directory`,
    );
  const shownPolicies = join(relative(context.cwd, target) || ".", POLICY_DIR);
  // The export runs first: when the tenant cannot be read, nothing is written.
  if (options.fromTenant === true) {
    const code = await runExport(
      {
        output: shownPolicies,
        schemaPath: relative(POLICY_DIR, POLICY_SCHEMA).split(sep).join("/"),
        ...(options.force === true ? { force: true } : {}),
      },
      context,
    );
    if (code !== 0) return code;
  }
  for (const file of files) {
    const path = join(target, ...file.path.split("/"));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.text, "utf8");
  }
  printNextSteps(context, dir, files, options, manifest.githubRepository);
  return 0;
}

/** Every file below `dir`, relative to it with forward slashes, in a stable order. */
async function readTree(dir: string): Promise<ScaffoldFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  return Promise.all(
    files.map(async (path) => ({
      path: relative(dir, path).split(sep).join("/"),
      text: await readFile(path, "utf8"),
    })),
  );
}

function listed(paths: readonly string[]): string {
  const shown = paths.slice(0, 5).join(", ");
  return paths.length > 5 ? `${shown}, … and ${paths.length - 5} more` : shown;
}

function printNextSteps(
  context: CliContext,
  dir: string,
  files: readonly ScaffoldFile[],
  options: InitOptions,
  repository: string,
): void {
  const out = (text = ""): void => writeLine(context.stdout, text);
  const count = (prefix: string): number => files.filter((file) => file.path.startsWith(prefix)).length;
  out(`Initialised a ppgov policy repository in ${dir}:`);
  if (options.fromTenant !== true)
    out(
      `  ${POLICY_DIR}/            ${count(`${POLICY_DIR}/`)} policy files (the sample tenant: edit them for yours)`,
    );
  else out(`  ${POLICY_DIR}/            the export of your tenant (plans with no changes)`);
  out(
    `  schemas/             ${count("schemas/")} JSON Schemas: the $schema line of each policy file points here`,
  );
  out(`  ${WORKFLOW_DIR}/   plan on pull requests, apply after merge, drift on a schedule (${repository})`);
  out("  .gitignore");
  out();
  out("Next:");
  out(`  cd ${dir} && git init          when it is not a git repository yet`);
  out("  ppgov validate                  check the policies");
  out("  ppgov demo                      plan them against an emulator of the sample tenant");
  out(
    "  ppgov plan                      against your tenant (AZURE_TENANT_ID, AZURE_CLIENT_ID; see docs/authentication.md)",
  );
  out(
    'The workflows read the variables PPGOV_PLAN_CLIENT_ID, PPGOV_APPLY_CLIENT_ID and AZURE_TENANT_ID and apply in the GitHub environment "production" (see docs/github.md).',
  );
}
