/**
 * The bundled Action (action.yml `runs.main`, from a checkout with no node_modules) applies under the
 * azblob lock: @azure/storage-blob, bundled into action/ppgov-action.mjs, takes and releases a lease on
 * Azurite, and the blob names this run.
 */
import { BlobServiceClient } from "@azure/storage-blob";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { actionCheckout, runActionEntry, type ActionCheckout } from "../helpers/action-checkout.js";
import { startAzurite, type RunningAzurite } from "../helpers/azurite.js";
import { scratchTenants } from "../helpers/scratch-tenant.js";
import { tenantWrites } from "../helpers/tenant-writes.js";

const tenants = scratchTenants("ppgov-action-azblob-");
let azurite: RunningAzurite;
let work: string;
let action: ActionCheckout;

beforeAll(async () => {
  azurite = await startAzurite();
  work = mkdtempSync(join(tmpdir(), "ppgov-action-azblob-checkout-"));
  action = actionCheckout(work);
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
  rmSync(work, { recursive: true, force: true });
});
afterEach(() => tenants.closeAll());

describe("the bundled Action with PPGOV_LOCK=azblob", () => {
  it("applies under a blob lease that names the run, and releases it", async () => {
    const tenant = await tenants.open({ lifecycleDelayMs: 20 });
    const output = join(tenant.cwd, "output.txt");
    writeFileSync(output, "");
    const result = await runActionEntry(action, tenant.cwd, {
      ...tenant.env,
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: "push",
      GITHUB_OUTPUT: output,
      PPGOV_LOCK: "azblob",
      PPGOV_LOCK_AZBLOB_CONNECTION_STRING: azurite.connectionString,
      PPGOV_LOCK_AZBLOB_CONTAINER: "action-locks",
      PPGOV_LOCK_RUN_ID: "action run 4242",
      INPUT_COMMAND: "apply",
      INPUT_POLICIES: "policies",
      "INPUT_GITHUB-COMMENT": "false",
    });
    expect(result.code, result.stdout).toBe(0);
    expect(readFileSync(output, "utf8")).toContain("exit_code=0");
    expect(tenantWrites(tenant.emulator).length).toBeGreaterThan(0);
    expect(result.stdout).not.toContain("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq");

    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      "action-locks",
    );
    const blobs: string[] = [];
    for await (const blob of container.listBlobsFlat()) blobs.push(blob.name);
    expect(blobs).toHaveLength(1);
    const lock = container.getBlockBlobClient(blobs[0]!);
    expect((await lock.getProperties()).leaseState).toBe("available"); // released
    const holder = JSON.parse((await lock.downloadToBuffer()).toString("utf8")) as Record<string, unknown>;
    expect(holder).toMatchObject({ command: "apply", runId: "action run 4242" });
  }, 120_000);
});
