/**
 * `ppgov force-unlock ID`: removes a tenant's apply (or controller) lock held by the hold ID, as
 * printed in the "locked" message, on the backend `--lock`/PPGOV_LOCK names. Another holder's lock is
 * never removed: the ID must be the current hold's. Like `terraform force-unlock`, for a run known to be
 * gone; a live holder that loses its lock stops before its next write.
 */
import { Option } from "commander";
import { LOCK_BACKENDS } from "../../adapters/lock/index.js";
import { describeHolder, lockNameOfId } from "../../core/ports/lock.js";
import { PpgovError, UsageError } from "../../core/errors.js";
import { lockBackendFor } from "../compose.js";
import { writeLine, type CliContext } from "../context.js";
import type { CommandRegistrar } from "../program.js";

export const registerForceUnlock: CommandRegistrar = (program, context, setExitCode) => {
  program
    .command("force-unlock <id>")
    .description("remove the tenant lock held by ID (from the 'locked' message) when its run is gone")
    .addOption(
      new Option("--lock <backend>", "the lock's backend (default PPGOV_LOCK, else file)").choices(
        LOCK_BACKENDS,
      ),
    )
    .action(async (id: string, options: { lock?: string }) => {
      setExitCode(await runForceUnlock(id, options.lock, context()));
    });
};

export async function runForceUnlock(
  id: string,
  flag: string | undefined,
  context: CliContext,
): Promise<number> {
  const name = lockNameOfId(id.trim());
  if (name === undefined)
    throw new UsageError(
      `"${id}" is not a lock ID: use the ID a "locked" message printed (e.g. 3f9a…c2.1a2b3c4d5e6f)`,
    );
  const backend = await lockBackendFor(context, context.env, flag)();
  const result = await backend.forceUnlock(name, id.trim());
  switch (result.status) {
    case "removed":
      writeLine(
        context.stdout,
        `removed the lock ${backend.describe(name)} held by ${describeHolder(result.holder)}`,
      );
      return 0;
    case "free":
      writeLine(
        context.stdout,
        `the lock ${backend.describe(name)} is not held (by ${id} or anyone); nothing to do`,
      );
      return 0;
    case "other-holder":
      throw new PpgovError(
        "LOCK_OTHER_HOLDER",
        `the lock ${backend.describe(name)} is now held by another ${describeHolder(result.holder)}, not ${id}; nothing was removed`,
      );
  }
}
