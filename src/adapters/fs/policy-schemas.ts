import { readFileSync } from "node:fs";
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

/** The envelope: every policy schema is reachable from it through `$ref`. */
export const POLICY_ENVELOPE_FILE = "policy.schema.json";

/**
 * Reads the envelope and every schema it references, directly or through others, from `dir`. Other
 * schemas that live there (the plan file's, `wire/`) are not policy schemas and are left alone.
 */
export function readPolicySchemas(dir: string = defaultSchemaDir()): JsonSchemaDocument[] {
  const base = dir.replace(/\/$/, "");
  const schemas: JsonSchemaDocument[] = [];
  const pending = [POLICY_ENVELOPE_FILE];
  const seen = new Set(pending);
  while (pending.length > 0) {
    const name = pending.shift()!;
    const schema = readSchema(`${base}/${name}`);
    schemas.push(schema);
    for (const reference of referencedFiles(schema)) {
      if (seen.has(reference)) continue;
      seen.add(reference);
      pending.push(reference);
    }
  }
  return schemas;
}

function readSchema(path: string): JsonSchemaDocument {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error: unknown) {
    throw new PpgovError("SCHEMA_MISSING", `cannot read the policy schema ${path}`, { cause: error });
  }
  try {
    return JSON.parse(text) as JsonSchemaDocument;
  } catch (error: unknown) {
    throw new PpgovError("SCHEMA_INVALID", `cannot parse the policy schema ${path}`, { cause: error });
  }
}

/** File names of the relative `$ref`s in a schema ("tenant.schema.json", "common.schema.json"). */
function referencedFiles(schema: unknown): string[] {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (typeof node === "object" && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === "$ref" && typeof value === "string") {
          const file = value.split("#")[0] ?? "";
          if (/^[A-Za-z0-9._-]+\.json$/.test(file)) found.add(file);
        } else {
          visit(value);
        }
      }
    }
  };
  visit(schema);
  return [...found].sort();
}

/**
 * Reads and compiles the policy schemas. Compiling takes a while, so callers create one validator per
 * process and pass it on (no module-level cache).
 */
export function createPolicyValidator(options: { schemaDir?: string } = {}): PolicyValidator {
  return compilePolicyValidator(readPolicySchemas(options.schemaDir));
}
