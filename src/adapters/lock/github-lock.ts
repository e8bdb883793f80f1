/**
 * The `github` lock backend: a Git ref per lock in a GitHub repository, through the REST API. Creating
 * a ref is atomic — `POST /repos/{owner}/{repo}/git/refs` answers 422 when the ref exists — so the
 * first writer wins. The ref points at a commit (made with `POST …/git/trees` and `POST …/git/commits`)
 * whose message and only file record the holder. The holder renews by moving the ref to a child commit
 * with `PATCH …/git/refs/{ref}` without `force`: GitHub accepts only a fast-forward, so a renewal or a
 * takeover succeeds only from the commit it read (compare-and-swap). A hold whose heartbeat is older
 * than its TTL is stale and taken over the same way. Routes and shapes: GitHub's OpenAPI description
 * (npm @octokit/openapi, operations git/create-tree, git/create-commit, git/get-commit, git/create-ref,
 * git/get-ref, git/update-ref, git/delete-ref).
 */
import { PpgovError } from "../../core/errors.js";
import {
  describeHolder,
  type ForceUnlockResult,
  type HeldLock,
  type LockBackend,
  type LockHolder,
  type LockRequest,
} from "../../core/ports/lock.js";
import { GithubApiError, type GithubClient } from "../github/client.js";
import { heldWithHeartbeat } from "./heartbeat.js";
import { newHold, parseHolder, renewed } from "./identity.js";

export interface GithubLockSettings {
  /** A client for the repository holding the lock refs (any repository the token may write refs to). */
  client: GithubClient;
  /** Namespace of the lock refs, without the leading "refs/". Default "ppgov-locks". */
  namespace?: string;
  ttlMs: number;
  heartbeatMs: number;
  now?: () => Date;
  onHeartbeatError?: (error: unknown) => void;
}

interface GitRef {
  ref: string;
  object: { sha: string; type: string };
}

interface GitCommit {
  sha: string;
  message: string;
  parents: { sha: string }[];
}

const MESSAGE_PREFIX = "ppgov apply lock\n\n";

export class GithubLockBackend implements LockBackend {
  readonly kind = "github";
  private readonly client: GithubClient;
  private readonly namespace: string;
  private readonly now: () => Date;

  constructor(private readonly settings: GithubLockSettings) {
    this.client = settings.client;
    this.namespace = (settings.namespace ?? "ppgov-locks").replace(/^refs\//, "").replace(/\/+$/, "");
    this.now = settings.now ?? (() => new Date());
  }

  /** "ppgov-locks/<name>": the ref without "refs/", as the {ref} path parameter takes it. */
  private refOf(name: string): string {
    return `${this.namespace}/${name}`;
  }

  private repoPath(suffix: string): string {
    return `/repos/${encodeURIComponent(this.client.owner)}/${encodeURIComponent(this.client.repo)}${suffix}`;
  }

  describe(name: string): string {
    return `${this.client.owner}/${this.client.repo} refs/${this.refOf(name)}`;
  }

  async acquire(name: string, request: LockRequest): Promise<HeldLock> {
    let hold = newHold(name, request, this.settings.ttlMs, this.now());
    let sha = await this.commitFor(hold, []);
    try {
      await this.client.request("POST", this.repoPath("/git/refs"), { ref: `refs/${this.refOf(name)}`, sha });
    } catch (error) {
      if (!(error instanceof GithubApiError) || error.status !== 422) throw lockError(this, name, error);
      // The ref exists: held, unless its holder stopped its heartbeat.
      const current = await this.current(name);
      if (current === undefined) {
        // Released in between: one more try.
        await this.client.request("POST", this.repoPath("/git/refs"), {
          ref: `refs/${this.refOf(name)}`,
          sha,
        });
      } else {
        if (current.holder !== undefined && !this.isStale(current.holder))
          throw new PpgovError(
            "LOCKED",
            `another ${describeHolder(current.holder)} is changing this tenant (lock ${this.describe(name)}); wait for it to finish, or run ppgov force-unlock ${current.holder.id} if that run is gone`,
          );
        // Stale (or unreadable): take it over from exactly that commit; a rival doing the same loses the race.
        sha = await this.commitFor(hold, [current.sha]);
        if (!(await this.moveRef(name, sha)))
          throw new PpgovError(
            "LOCKED",
            `another run took over the stale lock ${this.describe(name)} at the same moment; try again`,
          );
      }
    }
    return heldWithHeartbeat(
      hold.id,
      {
        intervalMs: this.settings.heartbeatMs,
        ttlMs: this.settings.ttlMs,
        renew: async () => {
          const next = renewed(hold, this.settings.ttlMs, this.now());
          const child = await this.commitFor(next, [sha]);
          if (!(await this.moveRef(name, child)))
            return `the lock ${this.describe(name)} was broken or taken over (its ref no longer points at this run's commit)`;
          hold = next;
          sha = child;
          return undefined;
        },
        ...(this.settings.onHeartbeatError ? { onError: this.settings.onHeartbeatError } : {}),
      },
      async () => {
        const current = await this.current(name);
        // Only our own hold is removed: a late release after a takeover must not free the new holder's lock.
        if (current?.sha === sha) await this.deleteRef(name);
      },
    );
  }

  async read(name: string): Promise<LockHolder | undefined> {
    const current = await this.current(name);
    if (current?.holder === undefined || this.isStale(current.holder)) return undefined;
    return current.holder;
  }

  async forceUnlock(name: string, id: string): Promise<ForceUnlockResult> {
    const current = await this.current(name);
    if (current === undefined) return { status: "free" };
    if (current.holder?.id !== id)
      return current.holder === undefined
        ? { status: "free" }
        : { status: "other-holder", holder: current.holder };
    await this.deleteRef(name);
    return { status: "removed", holder: current.holder };
  }

  private isStale(holder: LockHolder): boolean {
    return holder.expiresAt === undefined || Date.parse(holder.expiresAt) < this.now().getTime();
  }

  /** A commit recording `holder` (one file, lock.json, and the same JSON in its message). */
  private async commitFor(holder: LockHolder, parents: string[]): Promise<string> {
    const content = JSON.stringify(holder);
    const tree = await this.client.request<{ sha: string }>("POST", this.repoPath("/git/trees"), {
      tree: [{ path: "lock.json", mode: "100644", type: "blob", content }],
    });
    const commit = await this.client.request<{ sha: string }>("POST", this.repoPath("/git/commits"), {
      message: `${MESSAGE_PREFIX}${content}`,
      tree: tree.sha,
      parents,
    });
    return commit.sha;
  }

  /** The lock ref's commit and the holder it records; undefined when there is no such ref. */
  private async current(name: string): Promise<{ sha: string; holder?: LockHolder } | undefined> {
    let ref: GitRef;
    try {
      ref = await this.client.request<GitRef>("GET", this.repoPath(`/git/ref/${this.refOf(name)}`));
    } catch (error) {
      if (error instanceof GithubApiError && error.status === 404) return undefined;
      throw error;
    }
    const sha = ref.object?.sha;
    if (typeof sha !== "string")
      throw new PpgovError(
        "GITHUB_UNEXPECTED_RESPONSE",
        `unexpected response from GitHub GET /repos/{owner}/{repo}/git/ref/{ref}: no object.sha for refs/${this.refOf(name)}`,
      );
    const commit = await this.client.request<GitCommit>("GET", this.repoPath(`/git/commits/${sha}`));
    const message = typeof commit.message === "string" ? commit.message : "";
    const holder = message.startsWith(MESSAGE_PREFIX)
      ? parseHolder(message.slice(MESSAGE_PREFIX.length).trim())
      : undefined;
    return holder === undefined ? { sha } : { sha, holder };
  }

  /** Fast-forwards the lock ref to `sha`; false when GitHub refuses (not a fast-forward, or no such ref). */
  private async moveRef(name: string, sha: string): Promise<boolean> {
    try {
      await this.client.request("PATCH", this.repoPath(`/git/refs/${this.refOf(name)}`), {
        sha,
        force: false,
      });
      return true;
    } catch (error) {
      if (error instanceof GithubApiError && (error.status === 422 || error.status === 409)) return false;
      throw error;
    }
  }

  private async deleteRef(name: string): Promise<void> {
    try {
      await this.client.request("DELETE", this.repoPath(`/git/refs/${this.refOf(name)}`));
    } catch (error) {
      // Already gone: what release and force-unlock want.
      if (error instanceof GithubApiError && error.status === 422) return;
      throw error;
    }
  }
}

function lockError(backend: GithubLockBackend, name: string, error: unknown): unknown {
  if (
    error instanceof GithubApiError &&
    (error.status === 401 || error.status === 403 || error.status === 404)
  )
    return new PpgovError(
      "LOCK_UNAVAILABLE",
      `could not take the lock ${backend.describe(name)}: ${error.message}. The token needs contents: write on that repository (PPGOV_LOCK_GITHUB_TOKEN, or GITHUB_TOKEN with permissions: contents: write)`,
      { cause: error },
    );
  return error;
}
