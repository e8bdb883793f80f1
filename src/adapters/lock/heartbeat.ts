import type { HeldLock } from "../../core/ports/lock.js";

/**
 * Renews a held lock on a timer until it is stopped. A renewal that reports the hold gone marks the
 * lock lost (the holder checks before each write); one that fails for another reason (a network blip)
 * is retried at the next tick, and the lock is lost only once its deadline passed without a renewal.
 */
export interface Heartbeat {
  lost(): string | undefined;
  stop(): Promise<void>;
}

export interface HeartbeatOptions {
  intervalMs: number;
  /** Past this many ms without a successful renewal the hold counts as lost. */
  ttlMs: number;
  /** Resolves undefined when renewed, or the reason the hold is gone. */
  renew: () => Promise<string | undefined>;
  onError?: (error: unknown) => void;
  now?: () => number;
}

export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const now = options.now ?? Date.now;
  let lostReason: string | undefined;
  let lastRenewed = now();
  let running: Promise<void> | undefined;
  let stopped = false;
  const beat = async (): Promise<void> => {
    try {
      const reason = await options.renew();
      if (reason !== undefined) lostReason ??= reason;
      else lastRenewed = now();
    } catch (error) {
      options.onError?.(error);
      if (now() - lastRenewed > options.ttlMs)
        lostReason ??= `the lock could not be renewed for ${Math.round(options.ttlMs / 1000)} s`;
    }
  };
  const timer = setInterval(() => {
    if (stopped || running !== undefined || lostReason !== undefined) return;
    running = beat().finally(() => (running = undefined));
  }, options.intervalMs);
  timer.unref();
  return {
    lost: () => lostReason,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * A hold the heartbeat keeps alive: releasing it stops the beat (waiting for a renewal in flight),
 * then runs the backend's own release.
 */
export function heldWithHeartbeat(
  id: string,
  options: HeartbeatOptions,
  release: () => Promise<void>,
): HeldLock {
  const heartbeat = startHeartbeat(options);
  return {
    id,
    lost: () => heartbeat.lost(),
    release: async () => {
      await heartbeat.stop();
      await release();
    },
  };
}
