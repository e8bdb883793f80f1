import { randomBytes } from "node:crypto";
import type { LockHolder, LockRequest } from "../../core/ports/lock.js";

/** A fresh hold of `name` for `request`, started now, good for `ttlMs` without a heartbeat. */
export function newHold(name: string, request: LockRequest, ttlMs: number, now: Date): LockHolder {
  const at = now.toISOString();
  return {
    ...request,
    id: `${name}.${randomBytes(6).toString("hex")}`,
    startedAt: at,
    heartbeatAt: at,
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
  };
}

/** The hold with its heartbeat moved to `now`. */
export function renewed(holder: LockHolder, ttlMs: number, now: Date): LockHolder {
  return {
    ...holder,
    heartbeatAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
  };
}

/** Parses a recorded holder; undefined when it is not one. */
export function parseHolder(text: string): LockHolder | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const strings = ["id", "host", "command", "startedAt"] as const;
  if (typeof record.pid !== "number" || strings.some((key) => typeof record[key] !== "string"))
    return undefined;
  const optional = (key: string): Record<string, string> =>
    typeof record[key] === "string" ? { [key]: record[key] } : {};
  return {
    id: record.id as string,
    host: record.host as string,
    pid: record.pid,
    command: record.command as string,
    startedAt: record.startedAt as string,
    ...optional("runId"),
    ...optional("actor"),
    ...optional("heartbeatAt"),
    ...optional("expiresAt"),
  };
}
