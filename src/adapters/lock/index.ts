/**
 * Builds the lock backend the run asked for: `--lock` or PPGOV_LOCK (file, github, azblob; default
 * file), with the backend's settings from the environment (docs/reliability.md, "Shared apply lock").
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../../core/errors.js";
import type { LockBackend, LockRequest } from "../../core/ports/lock.js";
import { GithubClient } from "../github/client.js";
import type { SecretRegistry } from "../log/secrets.js";
import { AzblobLockBackend } from "./azblob-lock.js";
import { FileLockBackend } from "./file-lock.js";
import { GithubLockBackend } from "./github-lock.js";

export const LOCK_BACKENDS = ["file", "github", "azblob"] as const;
export type LockBackendName = (typeof LOCK_BACKENDS)[number];

export interface LockFactoryOptions {
  env: NodeJS.ProcessEnv;
  /** `--lock`, which wins over PPGOV_LOCK. */
  backend?: string;
  secrets: SecretRegistry;
  onHeartbeatError?: (error: unknown) => void;
}

const DEFAULT_TTL_MS: Record<LockBackendName, number> = { file: 120_000, github: 600_000, azblob: 60_000 };

function parseTtl(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
  return Math.round(Number(match[1]) * unit);
}

export function lockBackendName(env: NodeJS.ProcessEnv, flag?: string): LockBackendName {
  const value = (flag ?? env.PPGOV_LOCK ?? "").trim() || "file";
  if (!(LOCK_BACKENDS as readonly string[]).includes(value))
    throw new UsageError(
      `${flag === undefined ? "PPGOV_LOCK" : "--lock"} must be one of ${LOCK_BACKENDS.join(", ")} (got "${value}")`,
    );
  return value as LockBackendName;
}

export async function createLockBackend(options: LockFactoryOptions): Promise<LockBackend> {
  const { env } = options;
  const name = lockBackendName(env, options.backend);
  const ttlText = env.PPGOV_LOCK_TTL?.trim();
  const ttlMs = ttlText ? parseTtl(ttlText) : DEFAULT_TTL_MS[name];
  if (ttlMs === undefined || ttlMs < 1000)
    throw new UsageError(`PPGOV_LOCK_TTL must be a duration such as 10m or 60s (got "${ttlText}")`);
  const heartbeatMs = Math.max(250, Math.floor(ttlMs / 4));
  const onError = options.onHeartbeatError ? { onHeartbeatError: options.onHeartbeatError } : {};
  switch (name) {
    case "file":
      return new FileLockBackend({
        dir: env.PPGOV_LOCK_DIR?.trim() || join(tmpdir(), "ppgov", "locks"),
        ttlMs,
        heartbeatMs,
        ...onError,
      });
    case "github": {
      const repository = env.PPGOV_LOCK_GITHUB_REPOSITORY?.trim() || env.GITHUB_REPOSITORY?.trim() || "";
      const [owner, repo, ...rest] = repository.split("/");
      if (!owner || !repo || rest.length > 0)
        throw new UsageError(
          `the github lock needs the repository that holds its refs: set PPGOV_LOCK_GITHUB_REPOSITORY (or GITHUB_REPOSITORY) to owner/name (got "${repository}")`,
        );
      const token = env.PPGOV_LOCK_GITHUB_TOKEN?.trim() || env.GITHUB_TOKEN?.trim() || "";
      if (token === "")
        throw new UsageError(
          "the github lock needs a token that may write refs: set PPGOV_LOCK_GITHUB_TOKEN or GITHUB_TOKEN (permissions: contents: write)",
        );
      options.secrets.add(token);
      const client = new GithubClient({
        apiUrl: env.GITHUB_API_URL?.trim() || "https://api.github.com",
        token,
        owner,
        repo,
      });
      const namespace = env.PPGOV_LOCK_GITHUB_NAMESPACE?.trim();
      return new GithubLockBackend({
        client,
        ttlMs,
        heartbeatMs,
        ...(namespace ? { namespace } : {}),
        ...onError,
      });
    }
    case "azblob": {
      const { BlobServiceClient } = await import("@azure/storage-blob");
      const connection =
        env.PPGOV_LOCK_AZBLOB_CONNECTION_STRING?.trim() || env.AZURE_STORAGE_CONNECTION_STRING?.trim() || "";
      const accountUrl = env.PPGOV_LOCK_AZBLOB_ACCOUNT_URL?.trim() || "";
      let service;
      if (connection !== "") {
        options.secrets.add(connection);
        const key = /AccountKey=([^;]+)/i.exec(connection)?.[1];
        options.secrets.add(key);
        service = BlobServiceClient.fromConnectionString(connection);
      } else if (accountUrl !== "") {
        const { DefaultAzureCredential } = await import("@azure/identity");
        service = new BlobServiceClient(accountUrl, new DefaultAzureCredential());
      } else
        throw new UsageError(
          "the azblob lock needs a storage account: set PPGOV_LOCK_AZBLOB_ACCOUNT_URL (signed in with the Azure credential) or PPGOV_LOCK_AZBLOB_CONNECTION_STRING",
        );
      const leaseSeconds = Math.round(ttlMs / 1000);
      return new AzblobLockBackend({
        service,
        container: env.PPGOV_LOCK_AZBLOB_CONTAINER?.trim() || "ppgov-locks",
        leaseSeconds,
        renewMs: Math.max(1000, Math.floor((leaseSeconds * 1000) / 4)),
        ...onError,
      });
    }
  }
}

/** Who this run is, recorded with every lock it takes. */
export function lockRequest(env: NodeJS.ProcessEnv, command: string, host: string): LockRequest {
  const runId = env.GITHUB_RUN_ID?.trim();
  const repository = env.GITHUB_REPOSITORY?.trim();
  const attempt = env.GITHUB_RUN_ATTEMPT?.trim();
  const actor = env.GITHUB_ACTOR?.trim() || env.PPGOV_LOCK_ACTOR?.trim();
  const run =
    env.PPGOV_LOCK_RUN_ID?.trim() ||
    (runId
      ? `${repository ? `${repository} ` : ""}run ${runId}${attempt ? ` attempt ${attempt}` : ""}`
      : undefined);
  return {
    host,
    pid: process.pid,
    command,
    ...(run ? { runId: run } : {}),
    ...(actor ? { actor } : {}),
  };
}
