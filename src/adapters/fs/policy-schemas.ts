import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PpgovError } from "../../core/errors.js";
import {
  compilePolicyValidator,
  type JsonSchemaDocument,
  type PolicyValidator,
} from "../../core/policy/schema-validator.js";

/** `schemas/` of the package: three levels up from src/adapters/fs/ and from dist/adapters/fs/. */
export function defaultSchemaDir(): string {
  return fileURLToPath(new URL("../../../schemas/", import.meta.url));
}

/** Reads every `*.schema.json` directly in `dir` (not `schemas/wire/`, which describes API payloads). */
export function readPolicySchemas(dir: string = defaultSchemaDir()): JsonSchemaDocument[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => name.endsWith(".schema.json"))
      .sort();
  } catch (error: unknown) {
    throw new PpgovError("SCHEMA_MISSING", `cannot read the policy schemas in ${dir}`, { cause: error });
  }
  return names.map((name) => {
    const path = `${dir.replace(/\/$/, "")}/${name}`;
    try {
      return JSON.parse(readFileSync(path, "utf8")) as JsonSchemaDocument;
    } catch (error: unknown) {
      throw new PpgovError("SCHEMA_INVALID", `cannot parse the policy schema ${path}`, { cause: error });
    }
  });
}

/**
 * Reads and compiles the policy schemas. Compiling takes a while, so callers create one validator per
 * process and pass it on (no module-level cache).
 */
export function createPolicyValidator(options: { schemaDir?: string } = {}): PolicyValidator {
  return compilePolicyValidator(readPolicySchemas(options.schemaDir));
}
