// The apply lock port for the use cases and commands; declared in core (core/ports/lock.ts) so that
// the lock adapters can implement it without importing src/app.
export type {
  ForceUnlockResult,
  HeldLock,
  LockBackend,
  LockHolder,
  LockRequest,
} from "../core/ports/lock.js";
export { describeHolder, lockNameOfId } from "../core/ports/lock.js";
