import { join } from "node:path";
import type { ValidateFunction } from "ajv";
import { stableStringify } from "../../core/kinds/json.js";
import { sha256 } from "../../core/plan/digest.js";
import { loadGeneratedModule } from "../fs/generated-module.js";
import { packageRoot } from "../fs/package-root.js";
import { RESPONSE_SCHEMAS, type ResponseSchemaName } from "./schemas.js";
import { RESPONSE_AJV_OPTIONS, ResponseValidator, type ResponseValidators } from "./validator.js";

/** The response validators `npm run build` compiles (src/build/precompile-schemas.ts), in dist/. */
export const PRECOMPILED_RESPONSE_VALIDATORS_FILE = "response-validators.generated.cjs";

export function precompiledResponseValidatorsPath(): string {
  return join(packageRoot(), "dist", "adapters", "tenant", PRECOMPILED_RESPONSE_VALIDATORS_FILE);
}

/** Identifies the response schemas and ajv's options by content: precompiled code is used only for them. */
export function responseSchemasDigest(): string {
  return sha256(stableStringify({ options: RESPONSE_AJV_OPTIONS, schemas: RESPONSE_SCHEMAS }));
}

/**
 * A response validator with the build's precompiled functions when they were compiled from exactly
 * these schemas; otherwise (running from src/, a stale or broken file) one that compiles on first use,
 * which only costs time.
 */
export function createResponseValidator(
  options: { precompiledPath?: string | false } = {},
): ResponseValidator {
  const precompiled =
    options.precompiledPath === false
      ? undefined
      : loadPrecompiled(options.precompiledPath ?? precompiledResponseValidatorsPath());
  return new ResponseValidator(precompiled === undefined ? {} : { precompiled });
}

function loadPrecompiled(path: string): ResponseValidators | undefined {
  const exported = loadGeneratedModule(path);
  if (exported?.schemaDigest !== responseSchemasDigest()) return undefined;
  const validators: ResponseValidators = {};
  for (const name of Object.keys(RESPONSE_SCHEMAS) as ResponseSchemaName[]) {
    const validate = exported[name];
    if (typeof validate !== "function") return undefined;
    validators[name] = validate as ValidateFunction;
  }
  return validators;
}
