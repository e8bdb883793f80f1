import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { PpgovError } from "../errors.js";
import { KINDS, type KindName } from "./types.js";

export type SchemaError = ErrorObject;

/** A JSON Schema document as read from `schemas/*.schema.json`. */
export type JsonSchemaDocument = Record<string, unknown>;

/** Validates policy documents against the compiled schemas. Compile once per process, keep, reuse. */
export interface PolicyValidator {
  /** Schema errors of one document of a known kind; empty when it is valid. */
  validate(kind: KindName, value: unknown): readonly SchemaError[];
  /**
   * The name of a shared definition (`$defs/<name>` of any schema) when `schema` is that definition,
   * so messages can describe e.g. a resource name instead of printing its regular expression.
   */
  definitionName(schema: unknown): string | undefined;
}

/**
 * Compiles the policy schemas (ajv, draft 2020-12, strict, all errors). Each kind is validated against
 * its own schema, the one whose `properties.kind.const` names it, so that the envelope's if/then
 * dispatch adds no noise to the messages.
 */
export function compilePolicyValidator(schemas: readonly JsonSchemaDocument[]): PolicyValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
  const definitions = new Map<unknown, string>();
  for (const schema of schemas) {
    ajv.addSchema(schema);
    const defs = schema.$defs;
    if (isRecord(defs))
      for (const [name, definition] of Object.entries(defs)) definitions.set(definition, name);
  }
  const validators = new Map<KindName, ValidateFunction>();
  for (const schema of schemas) {
    // Compiling every schema, envelope included, proves they all pass strict mode.
    const validate = compile(ajv, String(schema.$id));
    const kind = kindOf(schema);
    if (validate !== undefined && kind !== undefined) validators.set(kind, validate);
  }
  const missing = KINDS.filter((kind) => !validators.has(kind));
  if (missing.length > 0) {
    throw new PpgovError("SCHEMA_MISSING", `no policy schema declares kind ${missing.join(", ")}`);
  }
  return {
    validate(kind, value) {
      const validate = validators.get(kind);
      if (validate === undefined) return [];
      return validate(value) ? [] : [...(validate.errors ?? [])];
    },
    definitionName: (schema) => definitions.get(schema),
  };
}

function compile(ajv: Ajv2020, id: string): ValidateFunction | undefined {
  try {
    return ajv.getSchema(id);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PpgovError("SCHEMA_INVALID", `the policy schema ${id} does not compile: ${reason}`, {
      cause: error,
    });
  }
}

function kindOf(schema: JsonSchemaDocument): KindName | undefined {
  const properties = schema.properties;
  if (!isRecord(properties)) return undefined;
  const kind = properties.kind;
  if (!isRecord(kind)) return undefined;
  return KINDS.find((name) => name === kind.const);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
