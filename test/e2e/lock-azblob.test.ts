import { BlobServiceClient } from "@azure/storage-blob";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lockName } from "../../src/cli/compose.js";
import { startAzurite, type RunningAzurite } from "../helpers/azurite.js";
import { runCli } from "../helpers/run-cli.js";
import { scratchTenants } from "../helpers/scratch-tenant.js";
import { tenantWrites } from "../helpers/tenant-writes.js";

/** The built CLI with PPGOV_LOCK=azblob against Azurite: the lease is taken, recorded and released. */
const tenants = scratchTenants("ppgov-lock-azblob-");
let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(() => azurite?.stop());
afterEach(() => tenants.closeAll());

describe("ppgov apply with PPGOV_LOCK=azblob", () => {
  it("applies under a blob lease that names this run, and releases it", async () => {
    const tenant = await tenants.open({ lifecycleDelayMs: 20 });
    const env = {
      ...tenant.env,
      PPGOV_LOCK: "azblob",
      PPGOV_LOCK_AZBLOB_CONNECTION_STRING: azurite.connectionString,
      PPGOV_LOCK_AZBLOB_CONTAINER: "tenant-locks",
      PPGOV_LOCK_RUN_ID: "nightly 17",
      PPGOV_LOG_LEVEL: "debug",
    };
    const applied = await runCli(["apply", "-d", "policies", "--auto-approve"], {
      cwd: tenant.cwd,
      env,
    });
    expect(applied.code, applied.stderr).toBe(0);
    expect(tenantWrites(tenant.emulator).length).toBeGreaterThan(0);
    // The account key never reaches the output.
    expect(applied.stderr + applied.stdout).not.toContain(
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq",
    );

    const planned = await runCli(["plan", "-d", "policies", "-o", "plan.json"], { cwd: tenant.cwd, env });
    const tenantId = (
      JSON.parse(await readFile(join(tenant.cwd, "plan.json"), "utf8")) as { tenantId: string }
    ).tenantId;
    expect(planned.code).toBe(0);
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient("tenant-locks")
      .getBlockBlobClient(`${lockName(env, tenantId)}.lock`);
    const properties = await blob.getProperties();
    expect(properties.leaseState).toBe("available"); // released
    const holder = JSON.parse((await blob.downloadToBuffer()).toString("utf8")) as Record<string, unknown>;
    expect(holder).toMatchObject({ command: "apply", runId: "nightly 17" });
  }, 120_000);
});
