/**
 * The last line of defence against duplicates when two writers apply to one tenant without a shared
 * lock (two runners with their own lock files). Around every step that creates an object by name:
 *
 * - before it, the name is looked up live again; an object that appeared since the plan was made is
 *   adopted (its id feeds the later steps) instead of created a second time;
 * - after it, the name is looked up again; when more than one live object carries it, every writer
 *   computes the same survivor — the earliest created, then the smallest id — and a writer whose own
 *   object lost deletes that one (only ever the one it created) and goes on with the survivor's id.
 *
 * Generic over the kind registry: kinds matched by display name (no natural key) whose create step
 * produces an id. Two concurrent writers therefore end with one object of each name, as long as each
 * one's check after its create sees the other's object when that one was created earlier
 * (docs/reliability.md says when that does not hold).
 */
import { buildConnectorCatalogue } from "../core/kinds/connector-catalogue.js";
import { KIND_REGISTRY } from "../core/kinds/registry.js";
import type { ResourceKind } from "../core/kinds/resource-kind.js";
import type { LiveTenant, Plan, PlanResource, PlanStep } from "../core/plan/index.js";
import type { StepHooks } from "./apply-engine.js";
import type { LiveRequirements } from "../core/plan/index.js";
import { requirementsForPlan } from "./live-requirements.js";

type AnyKind = ResourceKind<unknown, unknown, object>;

export type GuardedRunner = (step: PlanStep, hooks?: StepHooks) => Promise<{ producedId?: string }>;

export interface CreateGuardDeps {
  tenant: { readLive(requirements: LiveRequirements, tenantId: string): Promise<LiveTenant> };
  /** Says what the guard did (an adoption, a duplicate resolved). */
  progress: { phase(message: string): void };
  now(): Date;
}

interface Candidate {
  id: string;
  createdAt: number;
  record?: unknown;
}

/** Earliest created first (unknown times last), then the smallest id: the same order for every writer. */
export function survivorOrder(a: Candidate, b: Candidate): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function createdAt(kind: AnyKind, record: unknown): number {
  const text = kind.liveCreatedAt?.(record);
  const time = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time;
}

/**
 * Wraps a step runner so that create steps are checked before and after. Reads of one kind's
 * collection that are already in flight and started late enough are shared between steps.
 */
export function guardCreates(
  plan: Plan,
  tenantId: string,
  run: GuardedRunner,
  deps: CreateGuardDeps,
): GuardedRunner {
  const inflight = new Map<string, { startedAt: number; read: Promise<LiveTenant> }>();
  const freshLive = (resource: PlanResource, notBefore: number): Promise<LiveTenant> => {
    const key = resource.kind;
    const current = inflight.get(key);
    if (current !== undefined && current.startedAt >= notBefore) return current.read;
    const startedAt = deps.now().getTime();
    const read = deps.tenant.readLive(requirementsForPlan({ resources: [resource] }), tenantId);
    const entry = { startedAt, read };
    inflight.set(key, entry);
    // Forgotten once settled; a failed read rejects for its caller only (finally's own promise would
    // carry the rejection on, unhandled, and end the process).
    const forget = (): void => {
      if (inflight.get(key) === entry) inflight.delete(key);
    };
    read.then(forget, forget);
    return read;
  };

  return async (step, hooks) => {
    const resource = plan.resources.find((candidate) => candidate.address === step.address);
    const kind = resource === undefined ? undefined : (KIND_REGISTRY[resource.kind] as unknown as AnyKind);
    if (
      resource === undefined ||
      kind === undefined ||
      step.produces === undefined ||
      kind.naturalKey !== undefined ||
      (resource.action !== "create" && resource.action !== "replace")
    )
      return run(step, hooks);

    // Objects this plan deletes or replaces may still carry the name: never adopt or keep those.
    const leaving = new Set(
      plan.resources
        .filter(
          (other) =>
            other.kind === resource.kind &&
            other.id !== null &&
            (other.action === "delete" || other.action === "replace"),
        )
        .map((other) => other.id!.toLowerCase()),
    );
    const wanted = resource.displayName.toLowerCase();
    const named = (live: LiveTenant): Candidate[] =>
      kind
        .listLive(live)
        .filter((record) => kind.liveDisplayName(record).toLowerCase() === wanted)
        .map((record) => ({ id: kind.liveId(record), createdAt: createdAt(kind, record), record }))
        .filter((candidate) => !leaving.has(candidate.id));

    const before = named(await freshLive(resource, deps.now().getTime())).sort(survivorOrder);
    if (before[0] !== undefined) {
      deps.progress.phase(
        `${resource.address}: a ${kind.noun} named "${resource.displayName}" appeared since the plan was made (another writer?); using it (${before[0].id}) instead of creating another`,
      );
      return { producedId: before[0].id };
    }

    const outcome = await run(step, hooks);
    const ours = outcome.producedId?.toLowerCase();
    if (ours === undefined) return outcome;
    const after = named(await freshLive(resource, deps.now().getTime()));
    if (after.every((candidate) => candidate.id === ours)) return outcome;
    const all = after.some((candidate) => candidate.id === ours)
      ? after
      : [...after, { id: ours, createdAt: Number.POSITIVE_INFINITY }];
    all.sort(survivorOrder);
    const survivor = all[0]!;
    if (survivor.id === ours) {
      deps.progress.phase(
        `${resource.address}: ${all.length} ${kind.noun}s are named "${resource.displayName}" (another writer created one at the same time); this one (${ours}) was created first and stays, the other writer removes its own`,
      );
      return outcome;
    }
    deps.progress.phase(
      `${resource.address}: another writer created a ${kind.noun} named "${resource.displayName}" (${survivor.id}) first; deleting the one this run created (${ours}) and using that one`,
    );
    const mine = all.find((candidate) => candidate.id === ours);
    const deletes = kind.buildSteps(
      {
        action: "delete",
        address: resource.address,
        id: ours,
        changedPaths: [],
        ...(mine?.record === undefined ? {} : { live: mine.record }),
      },
      // A delete step names only the object: no connector is looked up.
      { catalogue: buildConnectorCatalogue([], [], []) },
    );
    for (const request of deletes)
      await run({
        ...request,
        id: `${step.address}:duplicate-${request.label}`,
        address: step.address,
        wave: step.wave,
      });
    return { ...outcome, producedId: survivor.id };
  };
}
