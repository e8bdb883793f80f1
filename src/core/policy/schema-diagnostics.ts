import type { Diagnostic } from "../diagnostics.js";
import { DIAGNOSTIC_CODES, type DiagnosticCode } from "./codes.js";
import type { LocateTarget } from "./locate.js";
import type { ParsedDocument } from "./parse-yaml.js";
import { childPointer, dottedPath } from "./pointer.js";
import type { PolicyValidator, SchemaError } from "./schema-validator.js";
import { didYouMean, suggest } from "./suggest.js";
import { visibleText } from "../visible-text.js";

/** How shared definitions read in a sentence: "metadata.name must be <this> (got …)". */
const DEFINITION_WORDING: Record<string, string> = {
  name: "lower-case letters, digits and '-', 1-63 characters",
  guid: "a GUID such as 3f1c2a9e-5b7d-4e21-9c0a-6d8e4f2b1a70",
  envRef: "an environment reference: an Environment's metadata.name, 'default' or 'id:<guid>'",
  geography: "a lower-case geography such as unitedstates or europe",
  azureRegion: "a lower-case Azure region such as eastus or westeurope",
  connectorName: "a connector id such as shared_sql (letters, digits, '_', '.' and '-')",
  dataverseDomain:
    "lower-case letters, digits and '-', 1-63 characters, starting and ending with a letter or digit",
  currencyCode: "an upper-case ISO 4217 currency code such as USD or EUR",
  resourceGroup:
    "an Azure resource group name: letters, digits, _ - . ( ), up to 90 characters, not ending in '.'",
  licenseName: "a licence name such as POWERAPPS_PER_USER (letters, digits, '_' and '-') or its GUID",
  solutionCheckerRule: "a solution checker rule code such as meta-remove-dup-reg (letters, digits and '-')",
};

const STRING_KEYWORDS = new Set(["pattern", "minLength", "maxLength", "format"]);

interface Finding {
  code: DiagnosticCode;
  pointer: string;
  target: LocateTarget;
  message: string;
}

/**
 * Turns ajv's errors for one document into diagnostics a person understands: dotted paths from the
 * document root, the allowed values, what was found, and a "did you mean" for near misses. Noise is
 * collapsed: one diagnostic per problem, not one per schema keyword that noticed it.
 */
export function schemaDiagnostics(
  errors: readonly SchemaError[],
  document: ParsedDocument,
  validator: PolicyValidator,
  resource: string | undefined,
): Diagnostic[] {
  const findings = collapse(errors, validator, document);
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const finding of findings) {
    const key = `${finding.code}\u0000${finding.pointer}\u0000${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const location = document.locate(finding.pointer, finding.target);
    diagnostics.push({
      severity: DIAGNOSTIC_CODES[finding.code].severity,
      code: finding.code,
      message: finding.message,
      file: location.file,
      line: location.line,
      column: location.column,
      pointer: finding.pointer,
      ...(resource === undefined ? {} : { resource }),
    });
  }
  return diagnostics;
}

function collapse(
  errors: readonly SchemaError[],
  validator: PolicyValidator,
  document: ParsedDocument,
): Finding[] {
  const kind = (document.value as { kind?: unknown }).kind;
  // Errors that a propertyNames schema raised about a key are reported once, by the propertyNames error.
  const keyRuleDefinitions = new Map<string, string | undefined>();
  const propertyNamePaths = new Set(
    errors.filter((e) => e.keyword === "propertyNames").map((e) => e.instancePath),
  );
  const branchPaths = errors.filter((e) => e.keyword === "oneOf" || e.keyword === "anyOf");
  const findings: Finding[] = [];
  const describedPointers = new Set<string>();
  const enumerated = new Set(
    errors.filter((e) => e.keyword === "enum" || e.keyword === "const").map((e) => e.instancePath),
  );
  // "specs" instead of "spec" is one mistake: report the unknown property, not also the missing one.
  const misspelt = new Set(
    errors
      .filter((e) => e.keyword === "additionalProperties" && isRecord(e.parentSchema))
      .map((e) => {
        const properties = (e.parentSchema as Record<string, unknown>).properties;
        const allowed = isRecord(properties) ? Object.keys(properties) : [];
        const meant = suggest(String((e.params as Record<string, unknown>).additionalProperty), allowed);
        return meant === undefined ? "" : childPointer(e.instancePath, meant);
      }),
  );

  for (const error of errors) {
    if (error.keyword === "if") continue; // "must match then schema": the then-branch errors say what is wrong.
    // "must be one of A, B (got 5)" already says more than "must be a string (got 5)".
    if (error.keyword === "type" && enumerated.has(error.instancePath)) continue;
    if (error.keyword === "required") {
      const missing = childPointer(
        error.instancePath,
        String((error.params as Record<string, unknown>).missingProperty),
      );
      if (misspelt.has(missing)) continue;
    }
    if (propertyNamePaths.has(error.instancePath) && STRING_KEYWORDS.has(error.keyword)) {
      keyRuleDefinitions.set(error.instancePath, validator.definitionName(error.parentSchema));
      continue;
    }
    if (branchPaths.some((branch) => branch !== error && isBranchError(branch, error))) continue;

    const definition = validator.definitionName(error.parentSchema);
    if (
      definition !== undefined &&
      DEFINITION_WORDING[definition] !== undefined &&
      STRING_KEYWORDS.has(error.keyword)
    ) {
      if (describedPointers.has(error.instancePath)) continue;
      describedPointers.add(error.instancePath);
      findings.push(describedValue(error, definition));
      continue;
    }
    if (kind === "LicenseAllocation" && /^\/spec\/allocations\/[^/]+$/.test(error.instancePath)) {
      if (error.keyword === "type" || error.keyword === "minimum") {
        findings.push({
          code: "PPG308",
          pointer: error.instancePath,
          target: "value",
          message: `${dottedPath(error.instancePath)} must be an integer ≥ 0 (got ${show(error.data)})`,
        });
        continue;
      }
    }
    findings.push(describe(error, keyRuleDefinitions));
  }
  return findings;
}

function isBranchError(branch: SchemaError, error: SchemaError): boolean {
  return (
    error.schemaPath.startsWith(`${branch.schemaPath}/`) &&
    (error.instancePath === branch.instancePath || error.instancePath.startsWith(`${branch.instancePath}/`))
  );
}

function describedValue(error: SchemaError, definition: string): Finding {
  const path = dottedPath(error.instancePath);
  let message = `${path} must be ${DEFINITION_WORDING[definition]} (got ${show(error.data)})`;
  if (definition === "name" && typeof error.data === "string" && /^[a-z0-9-]{1,63}$/.test(error.data)) {
    message = `${path} must be ${DEFINITION_WORDING[definition]}, starting and ending with a letter or digit (got ${show(error.data)})`;
  }
  return { code: "PPG207", pointer: error.instancePath, target: "value", message };
}

function describe(error: SchemaError, keyRuleDefinitions: Map<string, string | undefined>): Finding {
  const at = error.instancePath;
  const path = dottedPath(at);
  const params = error.params as Record<string, unknown>;
  const parent = isRecord(error.parentSchema) ? error.parentSchema : {};
  const finding = (
    code: DiagnosticCode,
    message: string,
    pointer = at,
    target: LocateTarget = "value",
  ): Finding => ({
    code,
    pointer,
    target,
    message,
  });

  switch (error.keyword) {
    case "required": {
      const missing = String(params.missingProperty);
      return finding("PPG203", `${dottedPath(childPointer(at, missing))} is required`);
    }
    case "additionalProperties": {
      const property = String(params.additionalProperty);
      const allowed = isRecord(parent.properties) ? Object.keys(parent.properties) : [];
      const owner = at === "" ? "the document" : path;
      const list = allowed.length > 0 ? ` (allowed: ${allowed.join(", ")})` : "";
      // "displayName:" at the top level: the spec's fields lost their indentation.
      const specSchema = isRecord(parent.properties) ? parent.properties.spec : undefined;
      const specFields = isRecord(specSchema) && isRecord(specSchema.properties) ? specSchema.properties : {};
      if (at === "" && Object.hasOwn(specFields, property)) {
        return finding(
          "PPG204",
          `the document has unknown property '${property}'${list}; it belongs under spec: indent it`,
          childPointer(at, property),
          "key",
        );
      }
      if (property === "<<")
        // YAML 1.1's merge key: ppgov reads YAML 1.2 (core schema), where '<<' is an ordinary key.
        return finding(
          "PPG204",
          `${owner} has a YAML merge key '<<': merge keys are not supported (ppgov reads YAML 1.2, where '<<' is an ordinary key); write the fields out${list}`,
          childPointer(at, property),
          "key",
        );
      return finding(
        "PPG204",
        `${owner} has unknown property '${property}'${list}${didYouMean(property, allowed)}`,
        childPointer(at, property),
        "key",
      );
    }
    case "enum": {
      const allowed = (Array.isArray(params.allowedValues) ? params.allowedValues : []).map(String);
      const hint = typeof error.data === "string" ? didYouMean(error.data, allowed) : "";
      return finding(
        "PPG205",
        `${path} must be one of ${allowed.join(", ")} (got ${show(error.data)})${hint}`,
      );
    }
    case "const":
      return finding("PPG205", `${path} must be ${show(params.allowedValue)} (got ${show(error.data)})`);
    case "type": {
      // YAML 1.1 habits: yes/no/on/off are plain strings in YAML 1.2.
      const yamlOneOne =
        params.type === "boolean" &&
        typeof error.data === "string" &&
        /^(yes|no|on|off|y|n)$/i.test(error.data);
      const got = yamlOneOne ? `${show(error.data)}, which YAML 1.2 reads as text` : show(error.data);
      return finding("PPG206", `${path} must be ${typeWords(String(params.type))} (got ${got})`);
    }
    case "pattern": {
      // A shared definition without a wording of its own (it has a title): its description says it.
      if (
        typeof parent.title === "string" &&
        typeof parent.description === "string" &&
        parent.description.length <= 200
      ) {
        return finding(
          "PPG207",
          `${path} has the wrong format (got ${show(error.data)}); expected ${lowerFirst(parent.description)}`,
        );
      }
      const example: unknown =
        Array.isArray(parent.examples) && parent.examples.length > 0 ? parent.examples[0] : undefined;
      const suffix = example === undefined ? "" : `; example: ${show(example)}`;
      return finding(
        "PPG207",
        `${path} must match the pattern ${String(params.pattern)} (got ${show(error.data)}${suffix})`,
      );
    }
    case "format":
      return finding("PPG207", `${path} must be a valid ${String(params.format)} (got ${show(error.data)})`);
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const comparison = { minimum: "≥", maximum: "≤", exclusiveMinimum: ">", exclusiveMaximum: "<" }[
        error.keyword
      ];
      return finding(
        "PPG208",
        `${path} must be ${comparison} ${String(params.limit)} (got ${show(error.data)})`,
      );
    }
    case "multipleOf":
      return finding(
        "PPG208",
        `${path} must be a multiple of ${String(params.multipleOf)} (got ${show(error.data)})`,
      );
    case "minLength":
      return Number(params.limit) === 1
        ? finding("PPG209", `${path} must not be empty`)
        : finding(
            "PPG209",
            `${path} must be at least ${String(params.limit)} characters long (got ${lengthOf(error.data)})`,
          );
    case "maxLength":
      return finding(
        "PPG209",
        `${path} must be at most ${String(params.limit)} characters long (got ${lengthOf(error.data)})`,
      );
    case "minItems":
      return Number(params.limit) === 1
        ? finding("PPG209", `${path} must not be an empty list`)
        : finding(
            "PPG209",
            `${path} must list at least ${String(params.limit)} items (got ${lengthOf(error.data)})`,
          );
    case "maxItems":
      return finding(
        "PPG209",
        `${path} must list at most ${String(params.limit)} items (got ${lengthOf(error.data)})`,
      );
    case "uniqueItems": {
      // ajv reports (i, j) in either order depending on its algorithm (hash for typed scalars).
      const first = Math.min(Number(params.i), Number(params.j));
      const second = Math.max(Number(params.i), Number(params.j));
      const item: unknown = Array.isArray(error.data) ? (error.data as unknown[])[second] : undefined;
      return finding(
        "PPG211",
        `${path} lists ${show(item)} twice (items ${first} and ${second})`,
        childPointer(at, second),
      );
    }
    case "minProperties":
    case "maxProperties": {
      const names = isRecord(parent.properties) ? Object.keys(parent.properties) : [];
      const present = isRecord(error.data) ? Object.keys(error.data) : [];
      // Exactly one of the properties not required (min = max = required + 1): `spec.scope` (all, only,
      // except), an allowed tenant (direction, and tenantId or domain).
      const required = Array.isArray(parent.required) ? parent.required.map(String) : [];
      const choices = names.filter((name) => !required.includes(name));
      const exactlyOne = required.length + 1;
      if (choices.length > 1 && parent.minProperties === exactlyOne && parent.maxProperties === exactlyOne) {
        const chosen = present.filter((name) => choices.includes(name));
        const got = chosen.length === 0 ? "nothing" : chosen.join(", ");
        return finding("PPG210", `${path} must have exactly one of ${choices.join(", ")} (got ${got})`);
      }
      if (error.keyword === "minProperties") {
        return Number(params.limit) === 1
          ? finding("PPG209", `${path} must not be empty`)
          : finding("PPG209", `${path} must have at least ${String(params.limit)} entries`);
      }
      return finding(
        "PPG209",
        `${path} must have at most ${String(params.limit)} entries (got ${present.length})`,
      );
    }
    case "propertyNames": {
      const key = String(params.propertyName);
      const definition = keyRuleDefinitions.get(at);
      const wording = definition === undefined ? undefined : DEFINITION_WORDING[definition];
      const rule = wording === undefined ? "" : `: keys must be ${wording}`;
      return finding("PPG207", `${path} has an invalid key '${key}'${rule}`, childPointer(at, key), "key");
    }
    case "oneOf":
    case "anyOf":
      return finding("PPG210", `${path} must match exactly one of the allowed forms`);
    default:
      return finding("PPG299", `${path} ${error.message ?? "is invalid"}`);
  }
}

function lowerFirst(text: string): string {
  return `${text.charAt(0).toLowerCase()}${text.slice(1)}`.replace(/\.$/, "");
}

function typeWords(type: string): string {
  const words: Record<string, string> = {
    string: "a string",
    integer: "an integer",
    number: "a number",
    boolean: "true or false",
    object: "a mapping",
    array: "a list",
    null: "empty",
  };
  return type
    .split(",")
    .map((part) => words[part] ?? part)
    .join(" or ");
}

function lengthOf(value: unknown): number {
  if (typeof value === "string" || Array.isArray(value)) return value.length;
  return 0;
}

/** A value as it appears in a message: strings quoted and shortened, collections named. */
export function show(value: unknown): string {
  if (typeof value === "string") {
    const text = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `'${visibleText(text)}'`;
  }
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return "a mapping";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
