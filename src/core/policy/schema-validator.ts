import { createRequire } from "node:module";
import type * as Ajv2020Module from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { PpgovError } from "../errors.js";
import { findStringLists, withCheckedListsEmptied, type StringListCheck } from "./string-lists.js";
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
  /** "precompiled" when the validators came from the build (schema-precompile.ts), else "compiled". */
  readonly origin?: "precompiled" | "compiled";
}

/**
 * ajv's options for the policy schemas (draft 2020-12, strict, all errors, errors carrying their data
 * and schema), shared by the compile at run time and the precompile at build time.
 */
export const POLICY_AJV_OPTIONS = {
  allErrors: true,
  strict: true,
  verbose: true,
  // ajv's pass over the generated code (folding constants, dropping unused names) took about half of
  // the compile time and made validation no faster: measured on the 10,000 documents of bench/.
  code: { optimize: false },
} as const;

/** The compiled validation function of each kind, by kind name. */
export type KindValidators = Readonly<Record<string, ValidateFunction | undefined>>;

// ajv's compiler is about 200 modules: loaded only when the schemas are compiled here, not when the
// build's precompiled validators are used.
const requireFromHere = createRequire(import.meta.url);

export interface CompileOptions {
  /**
   * Also check the schemas against the draft 2020-12 meta-schema and compile the envelope (which
   * inlines every kind schema again). The shipped schemas pass both, proved by the tests; the CLI skips
   * them, which saves about a third of the compile time on every run.
   */
  full?: boolean;
  /**
   * Check plain string lists (string-lists.ts) before ajv, which then sees them empty (default true).
   * False leaves every item to ajv; the tests compare the two.
   */
  checkStringLists?: boolean;
}

/**
 * Compiles the policy schemas (ajv, draft 2020-12, strict, all errors). Each kind is validated against
 * its own schema, the one whose `properties.kind.const` names it, so that the envelope's if/then
 * dispatch adds no noise to the messages.
 */
export function compilePolicyValidator(
  schemas: readonly JsonSchemaDocument[],
  options: CompileOptions = {},
): PolicyValidator {
  const full = options.full === true;
  const { Ajv2020 } = requireFromHere("ajv/dist/2020.js") as typeof Ajv2020Module;
  const ajv = new Ajv2020({ ...POLICY_AJV_OPTIONS, validateSchema: full });
  const definitions = new Map<unknown, string>();
  for (const schema of schemas) {
    ajv.addSchema(schema);
    const defs = schema.$defs;
    if (isRecord(defs))
      for (const [name, definition] of Object.entries(defs)) definitions.set(definition, name);
  }
  const validators: Record<string, ValidateFunction> = {};
  for (const schema of schemas) {
    const kind = kindOf(schema);
    // Every schema a kind's schema references is compiled with it; the others only need their
    // references to resolve, unless a full check compiles them too.
    if (kind === undefined && !full) {
      checkReferences(ajv, schema);
      continue;
    }
    const validate = compile(ajv, String(schema.$id));
    if (validate !== undefined && kind !== undefined) validators[kind] = validate;
  }
  return assembleValidator(validators, schemas, options, "compiled", (schema) => definitions.get(schema));
}

/**
 * A validator from validation functions compiled at build time (ajv standalone). Their errors carry
 * copies of the schemas, not the objects read here, so definitions are recognised by their content
 * (no two of the shipped definitions are alike; the tests compare both validators' findings).
 */
export function precompiledPolicyValidator(
  validators: KindValidators,
  schemas: readonly JsonSchemaDocument[],
  options: Pick<CompileOptions, "checkStringLists"> = {},
): PolicyValidator {
  const definitions = new Map<string, string>();
  for (const schema of schemas) {
    const defs = schema.$defs;
    if (isRecord(defs))
      for (const [name, definition] of Object.entries(defs))
        definitions.set(JSON.stringify(definition), name);
  }
  // The precompiled code hands out the same parentSchema object for every error a keyword raises, so
  // serialise each object once: stringifying a kind's whole spec schema per error made 60,000 errors
  // about one mapping cost minutes.
  const named = new WeakMap<object, string | undefined>();
  return assembleValidator(validators, schemas, options, "precompiled", (schema) => {
    if (!isRecord(schema)) return undefined;
    if (!named.has(schema)) named.set(schema, definitions.get(JSON.stringify(schema)));
    return named.get(schema);
  });
}

function assembleValidator(
  validators: KindValidators,
  schemas: readonly JsonSchemaDocument[],
  options: Pick<CompileOptions, "checkStringLists">,
  origin: "precompiled" | "compiled",
  definitionName: (schema: unknown) => string | undefined,
): PolicyValidator {
  const stringLists = new Map<KindName, StringListCheck[]>();
  if (options.checkStringLists !== false) {
    const resolve = referenceResolver(schemas);
    for (const schema of schemas) {
      const kind = kindOf(schema);
      if (kind === undefined) continue;
      const lists = findStringLists(schema, resolve);
      if (lists.length > 0) stringLists.set(kind, lists);
    }
  }
  const missing = KINDS.filter((kind) => validators[kind] === undefined);
  if (missing.length > 0) {
    throw new PpgovError("SCHEMA_MISSING", `no policy schema declares kind ${missing.join(", ")}`);
  }
  return {
    origin,
    validate(kind, value) {
      const validate = validators[kind];
      if (validate === undefined) return [];
      const lists = stringLists.get(kind);
      const checked = lists === undefined ? value : withCheckedListsEmptied(value, lists);
      if (validate(checked)) return [];
      // Errors are reported against the document as written, so their data and paths are its own.
      if (checked !== value && validate(value)) return [];
      return [...(validate.errors ?? [])];
    },
    definitionName,
  };
}

type Ajv = InstanceType<typeof Ajv2020Module.Ajv2020>;

function compile(ajv: Ajv, id: string): ValidateFunction | undefined {
  try {
    return ajv.getSchema(id);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PpgovError("SCHEMA_INVALID", `the policy schema ${id} does not compile: ${reason}`, {
      cause: error,
    });
  }
}

/** Throws as a failed compile would when a schema's `$ref` names a schema that was not added. */
function checkReferences(ajv: Ajv, schema: JsonSchemaDocument): void {
  const id = String(schema.$id);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isRecord(node))
      for (const [key, value] of Object.entries(node)) {
        if (key !== "$ref" || typeof value !== "string") visit(value);
        else if (!value.startsWith("#")) {
          const target = new URL(value.split("#")[0] ?? "", id).href;
          if (ajv.getSchema(target) === undefined)
            throw new PpgovError(
              "SCHEMA_INVALID",
              `the policy schema ${id} does not compile: can't resolve reference ${value}`,
            );
        }
      }
  };
  visit(schema);
}

/** Finds the schema a `$ref` names among the given ones: by `$id`, then the fragment's JSON pointer. */
export function referenceResolver(
  schemas: readonly JsonSchemaDocument[],
): (reference: string, base: string) => Record<string, unknown> | undefined {
  const byId = new Map(schemas.map((schema) => [String(schema.$id), schema] as const));
  return (reference, base) => {
    let url: URL;
    try {
      url = new URL(reference, base);
    } catch {
      return undefined;
    }
    const fragment = decodeURIComponent(url.hash.slice(1));
    url.hash = "";
    let node: unknown = byId.get(url.href);
    if (fragment !== "") {
      if (!fragment.startsWith("/")) return undefined;
      for (const segment of fragment.slice(1).split("/")) {
        const key = segment.replace(/~1/g, "/").replace(/~0/g, "~");
        node = isRecord(node) && Object.hasOwn(node, key) ? node[key] : undefined;
      }
    }
    return isRecord(node) ? node : undefined;
  };
}

/** The kind a schema declares (`properties.kind.const`), if it is a kind's schema. */
export function schemaKind(schema: JsonSchemaDocument): KindName | undefined {
  return kindOf(schema);
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
