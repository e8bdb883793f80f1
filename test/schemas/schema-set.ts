import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { AnySchemaObject, ErrorObject, ValidateFunction } from "ajv/dist/2020.js";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SCHEMA_DIR = join(REPO_ROOT, "schemas");
export const POLICY_DIR = join(REPO_ROOT, "policies");

export const SCHEMA_BASE = "https://ppgov.dev/schemas/v1/";
export const POLICY_SCHEMA_ID = `${SCHEMA_BASE}policy.schema.json`;

export interface SchemaFile {
  file: string;
  schema: AnySchemaObject;
}

/** Every user-facing schema file (schemas/*.schema.json; schemas/wire/ is not part of the policy language). */
export function readSchemaFiles(): SchemaFile[] {
  return readdirSync(SCHEMA_DIR)
    .filter((file) => file.endsWith(".schema.json"))
    .sort()
    .map((file) => ({
      file,
      schema: JSON.parse(readFileSync(join(SCHEMA_DIR, file), "utf8")) as AnySchemaObject,
    }));
}

export interface CompiledSchemas {
  ajv: Ajv2020;
  /** Everything ajv logged while compiling; strict mode turns schema mistakes into these or into throws. */
  logged: string[];
  validatePolicy: ValidateFunction;
}

/** Compiles the schema set the way the loader does: draft 2020-12, strict, all errors. */
export function compileSchemas(files: readonly SchemaFile[] = readSchemaFiles()): CompiledSchemas {
  const logged: string[] = [];
  const record = (...args: unknown[]): void => {
    logged.push(args.map(String).join(" "));
  };
  const ajv = new Ajv2020({
    strict: true,
    allErrors: true,
    logger: { log: record, warn: record, error: record },
  });
  for (const { schema } of files) ajv.addSchema(schema);
  for (const { schema } of files) ajv.getSchema(String(schema.$id));
  const validatePolicy = ajv.getSchema(POLICY_SCHEMA_ID);
  if (validatePolicy === undefined) throw new Error(`${POLICY_SCHEMA_ID} is not registered`);
  return { ajv, logged, validatePolicy };
}

/** The errors a reader should see: without the `if` wrappers and without duplicates from the envelope. */
export function meaningfulErrors(errors: readonly ErrorObject[] | null | undefined): ErrorObject[] {
  const seen = new Set<string>();
  const result: ErrorObject[] = [];
  for (const error of errors ?? []) {
    if (error.keyword === "if") continue;
    const key = `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(error);
  }
  return result;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}
