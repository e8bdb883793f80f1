import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { createRequire } from "node:module";
import type * as Ajv2020Module from "ajv/dist/2020.js";
import type { ErrorObject } from "ajv/dist/2020.js";
import { PpgovError } from "../../core/errors.js";
import { packageRoot } from "./package-root.js";
import { PLAN_FORMAT_VERSION, type Plan } from "../../core/plan/index.js";

/** Writes `text` to `path` atomically: a temporary file in the same directory, fsynced, then renamed. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const handle = await open(temporary, "w");
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, path);
  } catch (error: unknown) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

export type PlanValidator = (value: unknown) => string | undefined;

// ajv's compiler is loaded only by the commands that read a saved plan, not by every start of the CLI.
const requireFromHere = createRequire(import.meta.url);

/** Compiles schemas/plan.schema.json once; the function returns the first problem, or undefined. */
export function createPlanValidator(
  schemaPath: string = join(packageRoot(), "schemas", "plan.schema.json"),
): PlanValidator {
  const schema = JSON.parse(readFileSync(schemaPath, "utf8")) as object;
  const { Ajv2020 } = requireFromHere("ajv/dist/2020.js") as typeof Ajv2020Module;
  const validate = new Ajv2020({ strict: false, allErrors: false }).compile(schema);
  return (value) => (validate(value) ? undefined : describe(validate.errors ?? []));
}

function describe(errors: readonly ErrorObject[]): string {
  const first = errors[0];
  if (first === undefined) return "does not match the plan schema";
  return `${first.instancePath === "" ? "(top level)" : first.instancePath} ${first.message ?? "is invalid"}`;
}

/**
 * Reads a saved plan: JSON, a format version this ppgov knows, and the shape of plan.schema.json.
 * The digest and the tenant are checked by the apply use case.
 */
export async function readPlanFile(path: string, validate: PlanValidator): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PpgovError(
      "PLAN_FILE",
      `cannot read the plan file ${path}${code === "ENOENT" ? ": no such file" : `: ${code ?? String(error)}`}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new PpgovError("PLAN_FILE", `${path} is not a JSON plan (write one with ppgov plan -o ${path})`);
  }
  const version =
    typeof value === "object" && value !== null
      ? (value as { formatVersion?: unknown }).formatVersion
      : undefined;
  if (version !== PLAN_FORMAT_VERSION)
    throw new PpgovError(
      "PLAN_FORMAT",
      `${path} has plan formatVersion ${JSON.stringify(version) ?? "(none)"}, this ppgov reads version ${PLAN_FORMAT_VERSION}; run ppgov plan again`,
    );
  const problem = validate(value);
  if (problem !== undefined) throw new PpgovError("PLAN_FILE", `${path} is not a valid plan: ${problem}`);
  return value as Plan;
}
