import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PpgovError } from "../../core/errors.js";
import { stableStringify } from "../../core/kinds/json.js";
import { sha256 } from "../../core/plan/digest.js";
import {
  compilePolicyValidator,
  precompiledPolicyValidator,
  type JsonSchemaDocument,
  type KindValidators,
  type PolicyValidator,
} from "../../core/policy/schema-validator.js";
import { KINDS } from "../../core/policy/types.js";
import { loadGeneratedModule } from "./generated-module.js";
import { packageRoot } from "./package-root.js";

/** `schemas/` of the package. */
export function defaultSchemaDir(): string {
  return join(packageRoot(), "schemas");
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

/** The validators `npm run build` compiles from the schemas (src/build/precompile-schemas.ts), in dist/. */
export const PRECOMPILED_VALIDATORS_FILE = "policy-validators.generated.cjs";

export function precompiledValidatorsPath(): string {
  return join(packageRoot(), "dist", "adapters", "fs", PRECOMPILED_VALIDATORS_FILE);
}

/** Identifies a schema set by content: precompiled validators are used only for the schemas they came from. */
export function schemaSetDigest(schemas: readonly JsonSchemaDocument[]): string {
  return sha256(stableStringify(schemas));
}

/**
 * The build's validators when they were compiled from exactly these schemas; undefined when there are
 * none (running from src/), they are from other schemas (schemas/ edited since the build, or another
 * schema directory) or they cannot be loaded. The caller then compiles, which only costs time.
 */
function loadPrecompiled(schemas: readonly JsonSchemaDocument[], path: string): KindValidators | undefined {
  const exported = loadGeneratedModule(path);
  if (exported?.schemaDigest !== schemaSetDigest(schemas)) return undefined;
  const validators: Record<string, KindValidators[string]> = {};
  for (const kind of KINDS) {
    const validate = exported[kind];
    if (typeof validate !== "function") return undefined;
    validators[kind] = validate as KindValidators[string];
  }
  return validators;
}

/**
 * Reads the policy schemas and returns their validator: the build's precompiled one when it matches
 * them, else one compiled now. Callers create one validator per process and pass it on (no
 * module-level cache).
 */
export function createPolicyValidator(
  options: { schemaDir?: string; precompiledPath?: string | false } = {},
): PolicyValidator {
  const schemas = readPolicySchemas(options.schemaDir);
  const precompiled =
    options.precompiledPath === false
      ? undefined
      : loadPrecompiled(schemas, options.precompiledPath ?? precompiledValidatorsPath());
  return precompiled === undefined
    ? compilePolicyValidator(schemas)
    : precompiledPolicyValidator(precompiled, schemas);
}
