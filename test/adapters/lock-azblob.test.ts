import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzblobLockBackend } from "../../src/adapters/lock/azblob-lock.js";
import type { LockRequest } from "../../src/core/ports/lock.js";
import { startAzurite, type RunningAzurite } from "../helpers/azurite.js";

/** The azblob lock backend against Azurite (Microsoft's storage emulator), started on a free port in memory. */
let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(() => azurite?.stop());

const request = (pid: number, host = "runner-a"): LockRequest => ({
  host,
  pid,
  command: "apply",
  runId: "contoso/policies run 7 attempt 2",
  actor: "octocat",
});

let container = 0;
function backend(options: { renewMs?: number; container?: string } = {}): AzblobLockBackend {
  return new AzblobLockBackend({
    service: BlobServiceClient.fromConnectionString(azurite.connectionString),
    container: options.container ?? `locks${container}`,
    leaseSeconds: 15,
    renewMs: options.renewMs ?? 3_000,
  });
}

const NAME = "0123456789abcdef0123456789abcdef";

describe("azblob lock backend", () => {
  it("is exclusive: the first lease wins, the holder is named, release frees it", async () => {
    container += 1;
    const a = backend();
    const held = await a.acquire(NAME, request(101)); // creates the container and the blob
    const holder = await a.read(NAME);
    expect(holder).toMatchObject({ id: held.id, pid: 101, host: "runner-a", actor: "octocat" });

    const refused = backend().acquire(NAME, request(202, "runner-b"));
    await expect(refused).rejects.toThrow(
      /another ppgov apply \(pid 101 on runner-a, contoso\/policies run 7 attempt 2 by octocat/,
    );
    await expect(refused).rejects.toThrow(`ppgov force-unlock ${held.id}`);

    await held.release();
    expect(await a.read(NAME)).toBeUndefined();
    const next = await backend().acquire(NAME, request(202, "runner-b"));
    expect((await a.read(NAME))?.pid).toBe(202);
    await next.release();
  });

  it("keeps a renewed lease past its duration, and frees a lease its hung holder stopped renewing", async () => {
    container += 1;
    const renewing = await backend({ renewMs: 2_000 }).acquire(`${NAME}-a`, request(101));
    const hung = await backend({ renewMs: 3_600_000 }).acquire(`${NAME}-b`, request(102));
    // Wait (polling, not timing) until the hung holder's 15 s lease has expired and another run takes it.
    let taken: Awaited<ReturnType<AzblobLockBackend["acquire"]>> | undefined;
    for (let attempt = 0; attempt < 40 && taken === undefined; attempt += 1) {
      try {
        taken = await backend().acquire(`${NAME}-b`, request(202, "runner-b"));
      } catch (error) {
        expect(String(error)).toMatch(/another ppgov apply \(pid 102/);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    expect(taken).toBeDefined();
    expect((await backend().read(`${NAME}-b`))?.pid).toBe(202);
    // The renewed lease outlived its 15 s duration: still held, still refused to others.
    await expect(backend().acquire(`${NAME}-a`, request(303, "runner-c"))).rejects.toThrow(/pid 101/);
    expect(renewing.lost()).toBeUndefined();
    await hung.release(); // its lease is gone: releasing must not free the new holder's
    expect((await backend().read(`${NAME}-b`))?.pid).toBe(202);
    await taken?.release();
    await renewing.release();
  }, 90_000);

  it("force-unlock breaks only the named hold's lease, and the holder finds it lost", async () => {
    container += 1;
    const a = backend({ renewMs: 1_000 });
    const held = await a.acquire(NAME, request(101));
    expect(await a.forceUnlock(NAME, `${NAME}.000000000000`)).toMatchObject({ status: "other-holder" });
    expect((await a.read(NAME))?.id).toBe(held.id);
    expect(await a.forceUnlock(NAME, held.id)).toMatchObject({ status: "removed", holder: { pid: 101 } });
    expect(await a.read(NAME)).toBeUndefined();
    for (let i = 0; i < 50 && held.lost() === undefined; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(held.lost()).toMatch(/broken or lost/);
    const next = await backend().acquire(NAME, request(202, "runner-b"));
    await held.release();
    expect((await a.read(NAME))?.pid).toBe(202);
    await next.release();
  }, 30_000);
});
