/**
 * The `azblob` lock backend: an Azure Blob lease per lock (Lease Blob, `PUT ?comp=lease` with
 * `x-ms-lease-action: acquire`, a finite lease duration, renewed while held, released at the end),
 * through @azure/storage-blob. Storage grants one lease at a time, so the first writer wins; a holder
 * that stops renewing loses the lease when it expires, which is the stale-lock detection. The blob's
 * content, written under the lease, records the holder. Tested against Azurite.
 */
import type { BlobServiceClient, BlockBlobClient, ContainerClient } from "@azure/storage-blob";
import { PpgovError } from "../../core/errors.js";
import {
  describeHolder,
  type ForceUnlockResult,
  type HeldLock,
  type LockBackend,
  type LockHolder,
  type LockRequest,
} from "../../core/ports/lock.js";
import { heldWithHeartbeat } from "./heartbeat.js";
import { newHold, parseHolder } from "./identity.js";

export interface AzblobLockSettings {
  service: BlobServiceClient;
  container: string;
  /** Lease duration, 15–60 s. */
  leaseSeconds: number;
  renewMs: number;
  now?: () => Date;
  onHeartbeatError?: (error: unknown) => void;
}

function statusOf(error: unknown): { status?: number; code?: string } {
  const record = (typeof error === "object" && error !== null ? error : {}) as {
    statusCode?: unknown;
    code?: unknown;
  };
  return {
    ...(typeof record.statusCode === "number" ? { status: record.statusCode } : {}),
    ...(typeof record.code === "string" ? { code: record.code } : {}),
  };
}

export class AzblobLockBackend implements LockBackend {
  readonly kind = "azblob";
  private readonly container: ContainerClient;
  private readonly now: () => Date;
  private containerReady = false;

  constructor(private readonly settings: AzblobLockSettings) {
    if (!(settings.leaseSeconds >= 15 && settings.leaseSeconds <= 60))
      throw new PpgovError(
        "LOCK_SETTINGS",
        `an Azure Blob lease lasts 15 to 60 seconds (got ${settings.leaseSeconds}); set PPGOV_LOCK_TTL between 15s and 60s`,
      );
    this.container = settings.service.getContainerClient(settings.container);
    this.now = settings.now ?? (() => new Date());
  }

  private blob(name: string): BlockBlobClient {
    return this.container.getBlockBlobClient(`${name}.lock`);
  }

  describe(name: string): string {
    return `${this.container.url}/${name}.lock`;
  }

  async acquire(name: string, request: LockRequest): Promise<HeldLock> {
    const blob = this.blob(name);
    const ttlMs = this.settings.leaseSeconds * 1000;
    const hold = newHold(name, request, ttlMs, this.now());
    const { BlobLeaseClient } = await import("@azure/storage-blob");
    const lease = new BlobLeaseClient(blob);
    let leaseId: string | undefined;
    for (let attempt = 0; attempt < 3 && leaseId === undefined; attempt += 1) {
      try {
        leaseId = (await lease.acquireLease(this.settings.leaseSeconds)).leaseId;
      } catch (error) {
        const { status, code } = statusOf(error);
        if (status === 409 && code === "LeaseAlreadyPresent") {
          const holder = await this.read(name);
          throw new PpgovError(
            "LOCKED",
            holder === undefined
              ? `another run holds the lease on ${this.describe(name)}; wait for it to finish (a lease not renewed ends within ${this.settings.leaseSeconds} s)`
              : `another ${describeHolder(holder)} is changing this tenant (lease on ${this.describe(name)}); wait for it to finish, or run ppgov force-unlock ${holder.id} if that run is gone`,
          );
        }
        if (status !== 404) throw unavailable(this, name, error);
        // No blob (or no container) yet: create it, never over an existing one, and lease again.
        await this.ensureContainer();
        try {
          await blob.upload("", 0, { conditions: { ifNoneMatch: "*" } });
        } catch (uploadError) {
          const { status: uploadStatus } = statusOf(uploadError);
          if (uploadStatus !== 409 && uploadStatus !== 412) throw unavailable(this, name, uploadError);
        }
      }
    }
    if (leaseId === undefined)
      throw new PpgovError("LOCKED", `could not take the lease on ${this.describe(name)}; try again`);
    const content = JSON.stringify(hold);
    await blob.upload(content, Buffer.byteLength(content), { conditions: { leaseId } });
    return heldWithHeartbeat(
      hold.id,
      {
        intervalMs: this.settings.renewMs,
        ttlMs,
        renew: async () => {
          try {
            await lease.renewLease();
            return undefined;
          } catch (error) {
            const { status } = statusOf(error);
            if (status === 409 || status === 412 || status === 404)
              return `the lease on ${this.describe(name)} was broken or lost (${statusOf(error).code ?? status})`;
            throw error;
          }
        },
        ...(this.settings.onHeartbeatError ? { onError: this.settings.onHeartbeatError } : {}),
      },
      async () => {
        try {
          await lease.releaseLease();
        } catch (error) {
          // Broken or expired already, maybe taken by another run: nothing of ours to release.
          const { status } = statusOf(error);
          if (status !== 409 && status !== 412 && status !== 404) throw error;
        }
      },
    );
  }

  async read(name: string): Promise<LockHolder | undefined> {
    const blob = this.blob(name);
    try {
      const properties = await blob.getProperties();
      if (properties.leaseState !== "leased") return undefined;
      const body = await blob.downloadToBuffer();
      const holder = parseHolder(body.toString("utf8"));
      if (holder === undefined) return undefined;
      // The lease, not the recorded times, says how long it lasts: renewals do not rewrite the blob.
      const { heartbeatAt: _heartbeat, expiresAt: _expires, ...rest } = holder;
      return rest;
    } catch (error) {
      if (statusOf(error).status === 404) return undefined;
      throw unavailable(this, name, error);
    }
  }

  async forceUnlock(name: string, id: string): Promise<ForceUnlockResult> {
    const holder = await this.read(name);
    if (holder === undefined) return { status: "free" };
    if (holder.id !== id) return { status: "other-holder", holder };
    const { BlobLeaseClient } = await import("@azure/storage-blob");
    await new BlobLeaseClient(this.blob(name)).breakLease(0);
    return { status: "removed", holder };
  }

  private async ensureContainer(): Promise<void> {
    if (this.containerReady) return;
    await this.container.createIfNotExists();
    this.containerReady = true;
  }
}

function unavailable(backend: AzblobLockBackend, name: string, error: unknown): PpgovError {
  const { status, code } = statusOf(error);
  const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return new PpgovError(
    "LOCK_UNAVAILABLE",
    `could not use the lock ${backend.describe(name)}: Azure Blob Storage answered ${status ?? "no status"}${code ? ` ${code}` : ""}: ${detail}`,
    { cause: error },
  );
}
