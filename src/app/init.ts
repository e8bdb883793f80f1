/**
 * `ppgov init`: the files of a new policy repository, as plain values (the command writes them). The
 * layout is this repository's own: `policies/` (one tenant), `schemas/` beside it (so every `$schema`
 * line is a relative path that resolves in the new repository), the plan/apply/drift workflows calling
 * the Action by a release reference, and a `.gitignore`.
 */
import { posix } from "node:path";

export interface ScaffoldFile {
  /** Path relative to the repository, forward slashes. */
  path: string;
  text: string;
}

export interface ScaffoldInput {
  /** Policy files relative to `policies/` (the shipped sample); none when an export writes them. */
  policies: readonly ScaffoldFile[];
  /** JSON Schemas, by file name (`policy.schema.json`, …). */
  schemas: readonly ScaffoldFile[];
  /** The workflow templates, by file name (`ppgov-plan.yml`, …). */
  workflows: readonly ScaffoldFile[];
  /** What the workflows' `uses:` of the Action becomes: `owner/ppgov@v1`. */
  actionReference: string;
}

export const POLICY_DIR = "policies";
export const SCHEMA_DIR = "schemas";
export const WORKFLOW_DIR = ".github/workflows";
/** The schema every policy file's `$schema` line points at. */
export const POLICY_SCHEMA = `${SCHEMA_DIR}/policy.schema.json`;

export const GITIGNORE = [
  "# ppgov: local state of ppgov demo, journals of interrupted applies, saved plans and SARIF reports",
  ".ppgov/",
  "ppgov-plan.json",
  "*.sarif",
  "node_modules/",
  "",
].join("\n");

/** Every file `ppgov init` writes. */
export function scaffoldFiles(input: ScaffoldInput): ScaffoldFile[] {
  return [
    ...input.policies.map((file) => {
      const path = `${POLICY_DIR}/${file.path}`;
      return { path, text: withSchemaLine(file.text, schemaReferenceFrom(path)) };
    }),
    ...input.schemas.map((file) => ({ path: `${SCHEMA_DIR}/${file.path}`, text: file.text })),
    ...input.workflows.map((file) => ({
      path: `${WORKFLOW_DIR}/${file.path}`,
      text: withActionReference(file.text, input.actionReference),
    })),
    { path: ".gitignore", text: GITIGNORE },
  ];
}

/** `policies/dlp/x.yaml` → `../../schemas/policy.schema.json`. */
export function schemaReferenceFrom(path: string): string {
  return posix.relative(posix.dirname(path), POLICY_SCHEMA);
}

const SCHEMA_LINE = /^#\s*yaml-language-server:\s*\$schema=\S*[ \t]*$/m;

/** The file's `yaml-language-server` line pointed at `reference`, or one added on top when it has none. */
export function withSchemaLine(text: string, reference: string): string {
  const line = `# yaml-language-server: $schema=${reference}`;
  return SCHEMA_LINE.test(text) ? text.replace(SCHEMA_LINE, line) : `${line}\n${text}`;
}

/**
 * Every step's `uses:` of the ppgov Action (`./`, the repository's own checkout, or `<owner>/ppgov@…`)
 * becomes `reference`; other actions (checkout, upload-sarif) keep their pins.
 */
export function withActionReference(text: string, reference: string): string {
  return text.replace(
    /^(\s*(?:-\s+)?uses:\s*)(?:\.\/|[A-Za-z0-9][A-Za-z0-9-]*\/ppgov@[^\s#]+)([ \t]*#[^\n]*)?$/gm,
    `$1${reference}`,
  );
}

/** `owner/ppgov` and version 1.4.2 → `owner/ppgov@v1`: the major tag the release workflow moves. */
export function actionReferenceFor(githubRepository: string, version: string): string {
  const major = /^(\d+)\./.exec(version)?.[1];
  if (major === undefined) throw new Error(`version "${version}" is not semantic (MAJOR.MINOR.PATCH)`);
  return `${githubRepository}@v${major}`;
}
