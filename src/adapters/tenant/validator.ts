import { createRequire } from "node:module";
import type * as AjvModule from "ajv";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import { RESPONSE_SCHEMAS, type ResponseSchemaName } from "./schemas.js";

/** ajv's options for the response schemas: the run-time compile and the build's precompile share them. */
export const RESPONSE_AJV_OPTIONS = {
  allErrors: false,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  // Errors carry the offending value: messages say what was received ("got a string").
  verbose: true,
} as const;

/** Validation functions by schema name, as the build compiles them (response-validators.ts). */
export type ResponseValidators = Partial<Record<ResponseSchemaName, ValidateFunction>>;

// ajv's compiler is loaded only when a schema has to be compiled here: runs from the build use the
// precompiled functions and never load it.
const requireFromHere = createRequire(import.meta.url);

/**
 * Checks response bodies against RESPONSE_SCHEMAS, with the build's precompiled functions when given,
 * else compiling each schema at most once per validator (one validator per tenant client), on first
 * use. `checkSchemas` also checks each schema against the JSON Schema meta-schema as it is compiled:
 * the tests do; a run skips it (the schemas are constants, and compiling the meta-schema took a tenth
 * of a second of every plan).
 */
export class ResponseValidator {
  /** Whether the functions come from the build ("precompiled") or are compiled here on first use. */
  readonly origin: "precompiled" | "compiled";
  private ajv: Ajv | undefined;
  private readonly checkSchemas: boolean;
  private readonly compiled = new Map<ResponseSchemaName, ValidateFunction>();

  constructor(options: { checkSchemas?: boolean; precompiled?: ResponseValidators } = {}) {
    this.checkSchemas = options.checkSchemas === true;
    this.origin = options.precompiled === undefined ? "compiled" : "precompiled";
    for (const [name, validate] of Object.entries(options.precompiled ?? {}))
      this.compiled.set(name as ResponseSchemaName, validate);
  }

  /** Undefined when `body` matches; otherwise a sentence naming the first offending field. */
  check(schema: ResponseSchemaName, body: unknown): string | undefined {
    const validate = this.compile(schema);
    if (validate(body)) return undefined;
    const error = validate.errors?.[0];
    return error === undefined ? "does not match the expected shape" : describeError(error);
  }

  private compile(schema: ResponseSchemaName): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (validate === undefined) {
      this.ajv ??= newAjv(this.checkSchemas);
      validate = this.ajv.compile(RESPONSE_SCHEMAS[schema]);
      this.compiled.set(schema, validate);
    }
    return validate;
  }
}

function newAjv(checkSchemas: boolean): Ajv {
  const { Ajv: AjvClass } = requireFromHere("ajv") as typeof AjvModule;
  return new AjvClass({ ...RESPONSE_AJV_OPTIONS, validateSchema: checkSchemas });
}

/** "/value/3/properties" → "value[3].properties"; "" → "the body". */
export function fieldPath(instancePath: string, child?: string): string {
  const segments = instancePath.split("/").slice(1);
  if (child !== undefined) segments.push(child);
  let out = "";
  for (const raw of segments) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out === "" ? "the body" : out;
}

const ARTICLES: Record<string, string> = {
  array: "an array",
  object: "an object",
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "a boolean",
  null: "null",
};

function describeError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return `${fieldPath(error.instancePath, String(params.missingProperty))} is missing`;
    case "type": {
      const types = String(params.type)
        .split(",")
        .map((t) => ARTICLES[t] ?? t);
      return `${fieldPath(error.instancePath)} must be ${types.join(" or ")} (got ${jsonType(error.data)})`;
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ");
      return `${fieldPath(error.instancePath)} must be one of ${allowed} (got ${JSON.stringify(error.data)})`;
    }
    case "anyOf":
      return `${fieldPath(error.instancePath)} has an unexpected shape`;
    default:
      return `${fieldPath(error.instancePath)} ${error.message ?? "is invalid"}`;
  }
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return ARTICLES[typeof value] ?? typeof value;
}
