import { randomUUID } from "node:crypto";
import { timestamp } from "./http.js";
import type { JsonObject } from "./json.js";

export type OperationState = "Running" | "Succeeded" | "Failed";

/**
 * A BAP lifecycle operation (TF internal/api/lifecycle.go): its effect is applied when it succeeds, never
 * when it fails.
 */
export interface LifecycleOperation {
  id: string;
  environmentId: string;
  type: string;
  typeDisplayName: string;
  /**
   * Poll answers an environment object instead of a LifecycleDto (provisionInstance, TF
   * internal/services/environment/api_environment.go).
   */
  pollsEnvironment: boolean;
  createdAt: Date;
  dueAt: number;
  outcome: "Succeeded" | "Failed";
  state: OperationState;
  lastActionAt: Date;
  apply: () => void;
  /** The effect as data, when the route gave one: then the operation survives a restart from `--state`. */
  effect?: OperationEffect;
}

export interface StartOperation {
  environmentId: string;
  type: string;
  typeDisplayName?: string;
  pollsEnvironment?: boolean;
  apply: () => void;
  effect?: OperationEffect;
}

/**
 * What an operation does to the tenant when it succeeds, as plain data (the state file keeps it): add an
 * environment, set (and unset) top-level properties of one, or remove one. `billingPolicyId` links the
 * environment to that billing policy; null unlinks it; absent leaves the link alone.
 */
export type OperationEffect =
  | { kind: "addEnvironment"; environment: JsonObject; billingPolicyId?: string }
  | {
      kind: "setProperties";
      environmentId: string;
      set: JsonObject;
      unset: string[];
      billingPolicyId?: string | null;
    }
  | { kind: "removeEnvironment"; environmentId: string };

/** An operation as the state file carries it (lifecycle operations live server-side, across restarts). */
export interface PersistedOperation {
  id: string;
  environmentId: string;
  type: string;
  typeDisplayName: string;
  pollsEnvironment: boolean;
  createdAt: string;
  dueAt: number;
  outcome: "Succeeded" | "Failed";
  state: OperationState;
  lastActionAt: string;
  effect: OperationEffect;
}

export const LIFECYCLE_PATH = "/providers/Microsoft.BusinessAppPlatform/lifecycleOperations";

/**
 * Finished operations stay readable this long, then answer 404 as the service's do (TF
 * internal/api/lifecycle.go).
 */
const FINISHED_RETENTION_MS = 15 * 60_000;

/**
 * Tracks lifecycle operations. Each one finishes `delayMs` after it starts: a timer completes it,
 * and every request also settles overdue operations first, so the outcome never depends on timer
 * jitter.
 */
export class LifecycleRegistry {
  private readonly operations = new Map<string, LifecycleOperation>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly delayMs: number,
    private readonly failRate: () => number,
    private readonly random: () => number,
    private readonly onSettled: () => void,
    /** An outcome a fault forces on an operation of this type (e.g. `deleteFailures`), else undefined. */
    private readonly forcedOutcome: (type: string) => "Failed" | undefined = () => undefined,
  ) {}

  start(request: StartOperation): LifecycleOperation {
    const now = new Date();
    // Always one draw, so a forced outcome does not reshuffle the fail-rate sequence.
    const drawn = this.random() < this.failRate() ? "Failed" : "Succeeded";
    const outcome = this.forcedOutcome(request.type) ?? drawn;
    const operation: LifecycleOperation = {
      id: randomUUID(),
      environmentId: request.environmentId.toLowerCase(),
      type: request.type,
      typeDisplayName: request.typeDisplayName ?? request.type,
      pollsEnvironment: request.pollsEnvironment ?? false,
      createdAt: now,
      dueAt: now.getTime() + this.delayMs,
      outcome,
      state: "Running",
      lastActionAt: now,
      apply: request.apply,
      ...(request.effect === undefined ? {} : { effect: request.effect }),
    };
    this.track(operation);
    return operation;
  }

  /** Every operation the service still knows that has its effect as data, for the state file. */
  persisted(): PersistedOperation[] {
    const list: PersistedOperation[] = [];
    for (const operation of this.operations.values()) {
      const { effect } = operation;
      if (effect === undefined) continue;
      list.push({
        id: operation.id,
        environmentId: operation.environmentId,
        type: operation.type,
        typeDisplayName: operation.typeDisplayName,
        pollsEnvironment: operation.pollsEnvironment,
        createdAt: operation.createdAt.toISOString(),
        dueAt: operation.dueAt,
        outcome: operation.outcome,
        state: operation.state,
        lastActionAt: operation.lastActionAt.toISOString(),
        effect,
      });
    }
    return list;
  }

  /**
   * Takes back the operations a state file carried: the ones still running finish at their own due time
   * (or at the next request, if that passed while the emulator was down), with `applier`'s effect.
   */
  restore(list: readonly PersistedOperation[], applier: (operation: PersistedOperation) => () => void): void {
    for (const saved of list) {
      this.track({
        ...saved,
        createdAt: new Date(saved.createdAt),
        lastActionAt: new Date(saved.lastActionAt),
        apply: applier(saved),
      });
    }
  }

  private track(operation: LifecycleOperation): void {
    this.operations.set(operation.id, operation);
    if (operation.state !== "Running") return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.settle();
      },
      Math.max(0, operation.dueAt - Date.now()),
    );
    timer.unref();
    this.timers.add(timer);
  }

  get(id: string): LifecycleOperation | undefined {
    return this.operations.get(id.toLowerCase());
  }

  /** True while an operation on this environment has not finished (409 OperationNotStartable). */
  isBusy(environmentId: string): boolean {
    const id = environmentId.toLowerCase();
    for (const operation of this.operations.values()) {
      if (operation.environmentId === id && operation.state === "Running") return true;
    }
    return false;
  }

  /** Completes every overdue operation; returns true when some state changed. */
  settle(now: number = Date.now()): boolean {
    let changed = false;
    for (const operation of this.operations.values()) {
      if (operation.state !== "Running") {
        if (now - operation.lastActionAt.getTime() > FINISHED_RETENTION_MS)
          this.operations.delete(operation.id);
        continue;
      }
      if (operation.dueAt > now) continue;
      if (operation.outcome === "Succeeded") operation.apply();
      operation.state = operation.outcome;
      operation.lastActionAt = new Date(now);
      changed = true;
    }
    if (changed) this.onSettled();
    return changed;
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

const STAGES = ["Validate", "Prepare", "Run", "Finalize"] as const;

/** The LifecycleDto body (TF internal/api/lifecycle.go), as the poll URL answers it. */
export function lifecycleBody(operation: LifecycleOperation, tenantId: string): JsonObject {
  const created = timestamp(operation.createdAt);
  const last = timestamp(operation.lastActionAt);
  const stages: JsonObject[] = [];
  for (const stage of STAGES) {
    let state: string;
    if (operation.state === "Succeeded") state = "Succeeded";
    else if (stage === "Validate" || stage === "Prepare") state = "Succeeded";
    else if (stage === "Run") state = operation.state === "Failed" ? "Failed" : "Running";
    else if (operation.state === "Failed")
      break; // a failed operation has no Finalize stage
    else state = "NotStarted";
    const entry: JsonObject = { id: stage, name: stage, state: { id: state } };
    if (state !== "NotStarted") {
      entry.firstActionDateTime = created;
      entry.lastActionDateTime = state === "Running" ? created : last;
    }
    stages.push(entry);
  }
  const failedCreate = operation.type === "Create" && operation.state === "Failed";
  return {
    id: operation.id,
    links: {
      self: { path: `${LIFECYCLE_PATH}/${operation.id}` },
      environment: {
        path: failedCreate
          ? ""
          : `/providers/Microsoft.BusinessAppPlatform/environments/${operation.environmentId}`,
      },
    },
    type: { id: operation.type },
    typeDisplayName: operation.typeDisplayName,
    state: { id: operation.state },
    createdDateTime: created,
    lastActionDateTime: last,
    requestedBy: {
      id: "8784d9fb-deb0-4811-96ce-fbf21cf3a1fc",
      displayName: "ServicePrincipal",
      type: "ServicePrincipal",
      tenantId,
    },
    stages,
  };
}
