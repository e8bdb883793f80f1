/**
 * The dependency graph of a plan's steps, read back from the plan (which stores waves, not edges), so
 * the apply engine can start each step as soon as the steps it depends on ended instead of waiting for
 * a whole wave. A step waits for every step of an earlier wave that:
 *  - acts on the same resource (a resource's steps run in plan order, a replace's delete before its create);
 *  - produces an id it uses (a `{"$ref": …}` placeholder);
 *  - acts on a related resource: one whose id (or placeholder) one of the two resources' steps names in
 *    a path or body — the references the planner orders by (src/core/plan/steps.ts, buildEdges), as far
 *    as a request carries them. A reference in a canonical form that no step of either resource sends
 *    (an environment whose SKU changes, in a group that is renamed) is not ordered: neither request
 *    names the other object, so neither depends on the other's state;
 * and a step of a resource the plan deletes or replaces waits for every step of an earlier wave, as the
 * waves did: what releases a reference to it need not name it any more.
 * Every edge goes from an earlier wave to a later one, so the graph has no cycle, and it keeps every
 * order the waves kept between steps that touch the same or related objects.
 */
import { refsIn, type Plan } from "../core/plan/index.js";

export interface StepGraph {
  /** Step id → ids of the steps it waits for (direct; only earlier waves). */
  dependsOn: Map<string, string[]>;
  /** Step id → ids of the steps that wait for it. */
  dependents: Map<string, string[]>;
  /**
   * Step id → the weight of the longest chain from it to the end (itself included): an asynchronous
   * step weighs more, as it waits for an operation. Ready steps start heaviest first.
   */
  weight: Map<string, number>;
}

/** How much more an asynchronous step weighs than a synchronous one when ranking ready steps. */
const ASYNC_WEIGHT = 20;

export function stepGraph(plan: Pick<Plan, "steps" | "resources">): StepGraph {
  const steps = [...plan.steps].sort((a, b) => a.wave - b.wave);
  const actionOf = new Map(plan.resources.map((resource) => [resource.address, resource.action] as const));
  const related = relatedAddresses(plan);
  const dependsOn = new Map<string, string[]>();
  const dependents = new Map<string, string[]>(steps.map((step) => [step.id, []]));
  const producedBy = new Map<string, string>();
  // Per address, its steps so far as [wave, id] in wave order.
  const byAddress = new Map<string, [number, string][]>();
  const lastBefore = (address: string, wave: number): string | undefined => {
    const list = byAddress.get(address);
    if (list === undefined) return undefined;
    for (let index = list.length - 1; index >= 0; index -= 1)
      if (list[index]![0] < wave) return list[index]![1];
    return undefined;
  };
  for (const step of steps) {
    const before = new Set<string>();
    const destroying = actionOf.get(step.address) === "delete" || actionOf.get(step.address) === "replace";
    if (destroying) {
      for (const other of steps) {
        if (other.wave >= step.wave) break;
        before.add(other.id);
      }
    } else {
      const own = lastBefore(step.address, step.wave);
      if (own !== undefined) before.add(own);
      for (const ref of refsIn(step)) {
        const producer = producedBy.get(ref);
        if (producer !== undefined) before.add(producer);
      }
      for (const address of related.get(step.address) ?? []) {
        const other = lastBefore(address, step.wave);
        if (other !== undefined) before.add(other);
      }
    }
    before.delete(step.id);
    dependsOn.set(step.id, [...before]);
    for (const id of before) dependents.get(id)!.push(step.id);
    const list = byAddress.get(step.address);
    if (list) list.push([step.wave, step.id]);
    else byAddress.set(step.address, [[step.wave, step.id]]);
    if (step.produces !== undefined) producedBy.set(step.produces.ref, step.id);
  }
  const weight = new Map<string, number>();
  for (let index = steps.length - 1; index >= 0; index -= 1) {
    const step = steps[index]!;
    let tail = 0;
    for (const next of dependents.get(step.id)!) tail = Math.max(tail, weight.get(next) ?? 0);
    weight.set(step.id, tail + (step.async === "none" ? 1 : ASYNC_WEIGHT));
  }
  return { dependsOn, dependents, weight };
}

/**
 * Address → the other addresses whose id (live id, or placeholder for a create) its steps name, and
 * that name its id: references go both ways for ordering (a policy naming an environment waits for
 * it, a group's delete that takes an environment out of it waits for that environment's steps).
 */
function relatedAddresses(plan: Pick<Plan, "steps" | "resources">): Map<string, Set<string>> {
  const addressOfId = new Map<string, string>();
  for (const resource of plan.resources)
    if (resource.id !== null && resource.id !== "")
      addressOfId.set(resource.id.toLowerCase(), resource.address);
  for (const step of plan.steps)
    if (step.produces !== undefined) addressOfId.set(step.produces.ref.toLowerCase(), step.address);
  const related = new Map<string, Set<string>>();
  const link = (a: string, b: string): void => {
    if (a === b) return;
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const set = related.get(from);
      if (set) set.add(to);
      else related.set(from, new Set([to]));
    }
  };
  for (const step of plan.steps) {
    const tokens = new Set<string>();
    collectTokens(step.path, tokens);
    collectTokens(step.body, tokens);
    for (const ref of refsIn(step)) tokens.add(ref.toLowerCase());
    for (const token of tokens) {
      const address = addressOfId.get(token);
      if (address !== undefined) link(step.address, address);
    }
  }
  return related;
}

/** Every string in `value` (keys too), lowercased, whole and cut at separators, into `into`. */
function collectTokens(value: unknown, into: Set<string>): void {
  if (typeof value === "string") {
    let text = value;
    try {
      text = decodeURIComponent(value);
    } catch {
      // Not URI-encoded: read as it is.
    }
    const lower = text.toLowerCase();
    into.add(lower);
    for (const part of lower.split(/[\s/?&=#,;:"'()[\]{}]+/)) if (part !== "") into.add(part);
  } else if (Array.isArray(value)) {
    for (const item of value) collectTokens(item, into);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      collectTokens(key, into);
      collectTokens(item, into);
    }
  }
}
