import { listPolicyFiles, type ListPolicyFilesOptions } from "../../src/adapters/fs/policy-files.js";
import { createPolicyValidator } from "../../src/adapters/fs/policy-schemas.js";
import { loadPolicies, type LoadedPolicies, type LoadOptions } from "../../src/core/policy/load-policies.js";
import type { PolicyValidator } from "../../src/core/policy/schema-validator.js";

let shared: PolicyValidator | undefined;

/** One compiled validator per test file (compiling is the slow part). */
export function testValidator(): PolicyValidator {
  shared ??= createPolicyValidator();
  return shared;
}

/** Loads `dir` as `ppgov validate -d .` run inside it would: paths relative to the directory. */
export function loadDirectory(
  dir: string,
  options: ListPolicyFilesOptions = {},
  load: LoadOptions = {},
): Promise<LoadedPolicies> {
  return loadPolicies(
    ".",
    {
      validator: testValidator(),
      listPolicyFiles: (path) => listPolicyFiles(path, { ...options, cwd: dir }),
    },
    load,
  );
}
