import { stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { LoadPoliciesDeps } from "../../core/policy/load-policies.js";
import { UsageError } from "../../core/errors.js";
import { listPolicyFiles, repositoryCapsFromEnv } from "./policy-files.js";
import { createPolicyValidator } from "./policy-schemas.js";

export interface PolicyLoaderOptions {
  /** Directory that a relative `-d` is resolved against. */
  cwd: string;
  maxFileBytes?: number;
  schemaDir?: string;
  /** PPGOV_MAX_POLICY_FILES and PPGOV_MAX_POLICY_BYTES are read from it (the directory caps). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The real dependencies of `loadPolicies`: files from disk and the compiled schemas. Compiles the
 * schemas, so build it once per process and reuse it.
 */
export function createPolicyLoaderDeps(options: PolicyLoaderOptions): LoadPoliciesDeps {
  const validator = createPolicyValidator(
    options.schemaDir === undefined ? {} : { schemaDir: options.schemaDir },
  );
  const caps = repositoryCapsFromEnv(options.env ?? {});
  return {
    validator,
    listPolicyFiles: (dir) =>
      listPolicyFiles(dir, {
        cwd: options.cwd,
        ...caps,
        ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
      }),
  };
}

/** A clear usage error, before anything else, when `-d` names no directory. */
export async function assertPolicyDirectory(dir: string, cwd: string): Promise<void> {
  const info = await stat(isAbsolute(dir) ? dir : join(cwd, dir)).catch(() => undefined);
  if (info === undefined) throw new UsageError(`policy directory '${dir}' does not exist`);
  if (!info.isDirectory()) throw new UsageError(`'${dir}' is not a directory`);
}
