/**
 * The apply lock as a port: one writer per tenant at a time, wherever the writers run. The composition
 * root picks a backend (a file on this machine, a Git ref in a GitHub repository, an Azure Blob lease)
 * and passes it in; the use cases only take and release locks by name. It lives in core, below both the
 * adapters that implement it (src/adapters/lock) and the use cases that take it (src/app).
 */

/** Who holds a lock, as recorded with it. */
export interface LockHolder {
  /** Unique id of this hold: `<lock name>.<nonce>`; `ppgov force-unlock ID` takes it. */
  id: string;
  host: string;
  pid: number;
  /** The ppgov command that took it ("apply", "controller"). */
  command: string;
  /** CI run that took it, e.g. "owner/repo run 123 attempt 1" (GITHUB_RUN_ID…), when known. */
  runId?: string;
  /** Who started that run (GITHUB_ACTOR), when known. */
  actor?: string;
  startedAt: string;
  /** Last heartbeat of the holder; a hold whose heartbeat is older than its TTL is stale. */
  heartbeatAt?: string;
  /** When the hold goes stale without another heartbeat (or when the lease expires). */
  expiresAt?: string;
}

/** What a caller says about itself when taking a lock; the backend adds the id and the times. */
export type LockRequest = Omit<LockHolder, "id" | "startedAt" | "heartbeatAt" | "expiresAt">;

export interface HeldLock {
  readonly id: string;
  /**
   * Set when the backend found, while renewing, that the hold was lost (broken with force-unlock,
   * taken over as stale): the holder must stop writing.
   */
  lost(): string | undefined;
  release(): Promise<void>;
}

export type ForceUnlockResult =
  | { status: "removed"; holder: LockHolder }
  | { status: "free" }
  | { status: "other-holder"; holder: LockHolder };

export interface LockBackend {
  /** "file", "github" or "azblob", for messages. */
  readonly kind: string;
  /** Where the locks live, for messages ("/tmp/ppgov/locks", "owner/repo refs/ppgov-locks/…"). */
  describe(name: string): string;
  /** Takes the lock `name`; throws PpgovError LOCKED naming the live holder when it is held. */
  acquire(name: string, request: LockRequest): Promise<HeldLock>;
  /** The current live holder of `name`, if any (a stale or expired hold counts as free). */
  read(name: string): Promise<LockHolder | undefined>;
  /** Removes the hold `id` on `name`, whether live or stale; never another holder's. */
  forceUnlock(name: string, id: string): Promise<ForceUnlockResult>;
}

/** The lock name a hold id belongs to (ids are `<name>.<nonce>`). */
export function lockNameOfId(id: string): string | undefined {
  const dot = id.lastIndexOf(".");
  if (dot <= 0 || dot === id.length - 1) return undefined;
  const name = id.slice(0, dot);
  return /^[a-z0-9-]+$/.test(name) && /^[a-z0-9]+$/.test(id.slice(dot + 1)) ? name : undefined;
}

/** A one-line description of a holder for messages. */
export function describeHolder(holder: LockHolder): string {
  const run = [
    holder.runId === undefined ? undefined : holder.runId,
    holder.actor === undefined ? undefined : `by ${holder.actor}`,
  ]
    .filter((part) => part !== undefined)
    .join(" ");
  return `ppgov ${holder.command} (pid ${holder.pid} on ${holder.host}${run === "" ? "" : `, ${run}`}, since ${holder.startedAt}; lock ID ${holder.id})`;
}
