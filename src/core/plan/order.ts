import type { StepRequest } from "../kinds/resource-kind.js";
import type { PlanStep } from "./types.js";

/** The steps of one resource in one phase; they run one after another. */
export interface StepUnit {
  address: string;
  phase: "destroy" | "apply";
  /** Kind rank, for a stable order among independent steps. */
  rank: number;
  steps: StepRequest[];
}

export function unitKey(address: string, phase: StepUnit["phase"]): string {
  return `${address}#${phase}`;
}

/** `before` must finish before `after` starts (unit keys). */
export interface UnitEdge {
  before: string;
  after: string;
}

export type OrderResult = { ok: true; steps: PlanStep[] } | { ok: false; cycle: string[] };

/**
 * Topological order of every step. A unit starts in the wave after the last wave of the units it
 * waits for, and its own steps take consecutive waves; so all steps of one wave are independent and
 * may run concurrently. Linear in units + edges.
 */
export function orderSteps(units: readonly StepUnit[], edges: readonly UnitEdge[]): OrderResult {
  const byKey = new Map(units.map((unit) => [unitKey(unit.address, unit.phase), unit] as const));
  const successors = new Map<string, string[]>();
  const indegree = new Map<string, number>([...byKey.keys()].map((key) => [key, 0]));
  const seen = new Set<string>();
  for (const edge of edges) {
    if (!byKey.has(edge.before) || !byKey.has(edge.after) || edge.before === edge.after) continue;
    const id = `${edge.before}\u0000${edge.after}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const list = successors.get(edge.before);
    if (list) list.push(edge.after);
    else successors.set(edge.before, [edge.after]);
    indegree.set(edge.after, (indegree.get(edge.after) ?? 0) + 1);
  }
  const start = new Map<string, number>();
  const queue: string[] = [];
  for (const [key, degree] of indegree)
    if (degree === 0) {
      queue.push(key);
      start.set(key, 1);
    }
  let processed = 0;
  for (let head = 0; head < queue.length; head += 1) {
    const key = queue[head]!;
    processed += 1;
    const end = start.get(key)! + byKey.get(key)!.steps.length;
    for (const next of successors.get(key) ?? []) {
      start.set(next, Math.max(start.get(next) ?? 1, end));
      const degree = indegree.get(next)! - 1;
      indegree.set(next, degree);
      if (degree === 0) queue.push(next);
    }
  }
  if (processed < byKey.size) return { ok: false, cycle: findCycle(indegree, successors) };
  const steps: (PlanStep & { sortKey: [number, number, number, string, number] })[] = [];
  for (const [key, unit] of byKey) {
    unit.steps.forEach((step, index) => {
      steps.push({
        ...step,
        id: `${unit.address}:${step.label}`,
        address: unit.address,
        wave: start.get(key)! + index,
        sortKey: [start.get(key)! + index, unit.phase === "destroy" ? 0 : 1, unit.rank, unit.address, index],
      });
    });
  }
  steps.sort((a, b) => compareKeys(a.sortKey, b.sortKey));
  return { ok: true, steps: steps.map(({ sortKey: _sortKey, ...step }) => step) };
}

function compareKeys(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  for (let index = 0; index < a.length; index += 1) {
    const x = a[index]!;
    const y = b[index]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/**
 * One cycle among the units Kahn's algorithm could not place, as unit keys ending where it began.
 * Every unplaced unit still waits for another unplaced unit, so walking predecessors must loop.
 */
function findCycle(
  indegree: ReadonlyMap<string, number>,
  successors: ReadonlyMap<string, string[]>,
): string[] {
  const remaining = new Set([...indegree].filter(([, degree]) => degree > 0).map(([key]) => key));
  const predecessor = new Map<string, string>();
  for (const [from, list] of successors)
    if (remaining.has(from)) for (const to of list) if (remaining.has(to)) predecessor.set(to, from);
  const [first] = remaining;
  if (first === undefined) return [];
  const walk: string[] = [];
  const position = new Map<string, number>();
  let current: string | undefined = first;
  while (current !== undefined && !position.has(current)) {
    position.set(current, walk.length);
    walk.push(current);
    current = predecessor.get(current);
  }
  if (current === undefined) return walk.reverse();
  const cycle = walk.slice(position.get(current)).reverse();
  return [...cycle, cycle[0]!];
}
