/**
 * Executes a plan's steps by their dependency graph (src/app/step-graph.ts): a step starts as soon as
 * the steps it depends on ended (not when its whole wave did), placeholders are replaced by the ids
 * earlier steps produced, and every step's start and end is journaled before the engine moves on.
 * At most `concurrency` steps are being sent at once; a step whose long-running operation the service
 * accepted gives its place up while it waits for that operation (up to `waitingLimit` such waits), as
 * waiting is not a write in flight. The first failure stops the run: steps already running finish,
 * nothing new starts.
 */
import type { JournalEntry } from "../adapters/fs/journal-file.js";
import { substituteRefs, type Plan, type PlanStep } from "../core/plan/index.js";
import { stepGraph } from "./step-graph.js";

/**
 * Runs one step whose placeholders are already substituted; resolves with the id it created, if any.
 * When the service accepts the step as a long-running operation, the runner calls `hooks.onAccepted`
 * with the operation's URL and waits for it (the journal entry is durable) before it starts polling.
 */
export type StepRunner = (step: PlanStep, hooks: StepHooks) => Promise<{ producedId?: string }>;

export interface StepHooks {
  onAccepted(location: string): Promise<void>;
}

/**
 * Watches, to its end, the operation an interrupted run started for `step` (its URL from the journal).
 * "finished": it succeeded (with the id it created, when the service names it); "gone": the service no
 * longer knows it, so its outcome is unknown. Throws when it ended Failed (an error with code
 * OPERATION_FAILED_CODE): the engine then sends the step again, since that operation had no effect.
 */
export type StepResumer = (step: PlanStep, location: string) => Promise<ResumeOutcome>;

export type ResumeOutcome = { status: "finished"; producedId?: string } | { status: "gone" };

export interface ApplyJournal {
  append(entry: JournalEntry): Promise<void>;
}

/** What earlier, interrupted runs left in the journal. */
export interface PriorRun {
  /** Step id → the id it created (if any), for steps of this plan that ended "succeeded". */
  succeeded: ReadonlyMap<string, string | undefined>;
  /**
   * Step id → when it last started, for steps that started and never ended "succeeded" — in a run of
   * this plan or of any earlier one (step ids are stable across plans of the same change): their effect
   * is unknown, and a create among them may have reached the tenant.
   */
  interrupted: ReadonlyMap<string, InterruptedStep>;
}

export interface InterruptedStep {
  /** When the step last started. */
  startedAt: string;
  /** True when the run was killed mid-step (no end entry); false when the step ended "failed". */
  killed: boolean;
  /**
   * The URL of the operation the service accepted for it, when that operation's end was never seen (the
   * run was killed, or lost track of it while polling): the next run polls it instead of re-sending.
   */
  location?: string;
}

export interface EngineOptions {
  plan: Plan;
  run: StepRunner;
  journal: ApplyJournal;
  /** Steps being sent at once (a step waiting on its accepted operation no longer counts). */
  concurrency: number;
  /**
   * Steps waiting on an accepted long-running operation at once (polling it), besides the `concurrency`
   * being sent. Default: DEFAULT_WAITING_LIMIT.
   */
  waitingLimit?: number;
  now: () => Date;
  prior?: PriorRun;
  /**
   * For a create step an earlier run started without finishing: the id of the object if it exists by
   * now (matched by identity), so it is adopted instead of created a second time.
   */
  findCreated?: (step: PlanStep, interrupted: InterruptedStep) => Promise<string | undefined>;
  /** Polls the operation an interrupted run left accepted; without it such steps are looked up or re-run. */
  resume?: StepResumer;
  /** Called as each step starts (progress). */
  onStart?: (step: PlanStep, index: number, total: number) => void;
  /** Called as each started step ends: its outcome ("succeeded", "adopted", "resumed", "failed"). */
  onEnd?: (step: PlanStep, index: number, total: number, outcome: string) => void;
}

export type StepResult =
  | { step: PlanStep; outcome: "succeeded"; producedId?: string }
  /** Done by an earlier run of this plan (journal). */
  | { step: PlanStep; outcome: "skipped"; producedId?: string }
  /** A create an earlier run left unfinished, whose object turned out to exist. */
  | { step: PlanStep; outcome: "adopted"; producedId: string }
  /** An operation an earlier run started and this run watched to its successful end, without re-sending. */
  | { step: PlanStep; outcome: "resumed"; producedId?: string };

export interface StepFailure {
  step: PlanStep;
  /** The service's code when it gave one (e.g. "OperationNotStartable"), else ppgov's. */
  code: string;
  message: string;
}

export interface ApplyReport {
  done: StepResult[];
  failed?: StepFailure;
  notAttempted: PlanStep[];
  /** Placeholder ref → id, for every object this plan created. */
  resolved: Map<string, string>;
}

/** Steps that may wait on accepted operations at once unless told otherwise. */
export const DEFAULT_WAITING_LIMIT = 64;

export async function executePlan(options: EngineOptions): Promise<ApplyReport> {
  const { plan, journal } = options;
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
    throw new RangeError(`concurrency must be a positive integer (got ${options.concurrency})`);
  const waitingLimit = options.waitingLimit ?? DEFAULT_WAITING_LIMIT;
  if (!Number.isInteger(waitingLimit) || waitingLimit < 1)
    throw new RangeError(`waitingLimit must be a positive integer (got ${waitingLimit})`);
  const resolved = new Map<string, string>();
  const done: StepResult[] = [];
  const notAttempted: PlanStep[] = [];
  let failed: StepFailure | undefined;
  let started = 0;
  const total = plan.steps.length;

  const record = (step: PlanStep, id: string | undefined): void => {
    if (step.produces !== undefined && id !== undefined) resolved.set(step.produces.ref, id);
  };
  const entry = (
    step: PlanStep,
    fields: Partial<JournalEntry> & Pick<JournalEntry, "event">,
  ): JournalEntry => ({
    at: options.now().toISOString(),
    planDigest: plan.planDigest,
    stepId: step.id,
    address: step.address,
    ...fields,
  });

  const outcomes = new Map<string, StepResult["outcome"]>();
  const succeed = async (result: StepResult): Promise<void> => {
    const { step, producedId } = result;
    record(step, producedId);
    await journal.append(
      entry(step, {
        event: "end",
        outcome: "succeeded",
        ...(producedId === undefined ? {} : { createdId: producedId }),
      }),
    );
    done.push(result);
    outcomes.set(step.id, result.outcome);
  };

  // Places: `sending` steps hold one of `concurrency`; a step whose operation was accepted moves to one of
  // `waitingLimit` (handed on directly to a step queued for one when it ends).
  let sending = 0;
  let waiting = 0;
  const queuedForWaiting: (() => void)[] = [];
  interface Place {
    waiting: boolean;
  }
  const toWaiting = async (place: Place): Promise<void> => {
    if (place.waiting) return;
    if (waiting >= waitingLimit) await new Promise<void>((resolve) => queuedForWaiting.push(resolve));
    else waiting += 1;
    place.waiting = true;
    sending -= 1;
    pump();
  };
  const release = (place: Place): void => {
    if (!place.waiting) {
      sending -= 1;
      return;
    }
    const next = queuedForWaiting.shift();
    if (next === undefined) waiting -= 1;
    else next();
  };

  const runOne = async (step: PlanStep, place: Place): Promise<void> => {
    const prior = options.prior;
    started += 1;
    const index = started;
    options.onStart?.(step, index, total);
    await journal.append(entry(step, { event: "start" }));
    try {
      const interrupted = prior?.interrupted.get(step.id);
      // What the look-up for an object the interrupted run may have made goes by.
      let lookup = interrupted;
      if (interrupted?.location !== undefined && options.resume) {
        // The service accepted this step for an earlier run: watch that operation rather than start another.
        // Journaled again, so a kill during this run still leaves the URL for the next one.
        await journal.append(entry(step, { event: "accepted", location: interrupted.location }));
        await toWaiting(place);
        const resumed = await resumeOrOver(
          options.resume,
          substituteStep(step, resolved),
          interrupted.location,
        );
        if (
          resumed.status === "finished" &&
          (step.produces === undefined || resumed.producedId !== undefined)
        ) {
          const { producedId } = resumed;
          await succeed({ step, outcome: "resumed", ...(producedId === undefined ? {} : { producedId }) });
          return;
        }
        if (resumed.status === "failed") {
          // The earlier run's operation ended Failed, with no effect: the step is sent afresh, as the run
          // after one that saw it fail does. Journaled as a new start, so a kill from here does not point
          // the next run at the old operation again. The re-send keeps its waiting place (a rare recovery,
          // still bounded by waitingLimit) rather than queueing again for a sending one.
          await journal.append(entry(step, { event: "start" }));
          lookup = { startedAt: interrupted.startedAt, killed: false };
        }
        // Gone (outcome unknown), or succeeded without naming its object: look for the object as before.
      }
      if (lookup !== undefined && step.produces !== undefined && options.findCreated) {
        const existing = await options.findCreated(step, lookup);
        if (existing !== undefined) {
          await succeed({ step, outcome: "adopted", producedId: existing });
          return;
        }
      }
      const concrete = substituteStep(step, resolved);
      const outcome = await options.run(concrete, {
        // Durable first; then the step waits on the operation, which is not a write in flight.
        onAccepted: async (location) => {
          await journal.append(entry(step, { event: "accepted", location }));
          await toWaiting(place);
        },
      });
      const { producedId } = outcome;
      await succeed({ step, outcome: "succeeded", ...(producedId === undefined ? {} : { producedId }) });
    } catch (error: unknown) {
      const failure = describeFailure(step, error);
      failed ??= failure;
      await journal.append(
        entry(step, {
          event: "end",
          outcome: "failed",
          error: { code: failure.code, message: failure.message },
        }),
      );
      options.onEnd?.(step, index, total, "failed");
      return;
    }
    options.onEnd?.(step, index, total, outcomes.get(step.id) ?? "succeeded");
  };

  const graph = stepGraph(plan);
  const position = new Map(plan.steps.map((step, index) => [step.id, index] as const));
  const byId = new Map(plan.steps.map((step) => [step.id, step] as const));
  const blockedBy = new Map(
    plan.steps.map((step) => [step.id, graph.dependsOn.get(step.id)!.length] as const),
  );
  const ready = plan.steps.filter((step) => blockedBy.get(step.id) === 0);
  const begun = new Set<string>();
  let running = 0;
  let crash: { error: unknown } | undefined;
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });

  /** The ready step to start next: the heaviest chain first, then plan order. */
  const takeReady = (): PlanStep => {
    let best = 0;
    for (let index = 1; index < ready.length; index += 1) {
      const [a, b] = [ready[index]!, ready[best]!];
      const [wa, wb] = [graph.weight.get(a.id)!, graph.weight.get(b.id)!];
      if (wa > wb || (wa === wb && position.get(a.id)! < position.get(b.id)!)) best = index;
    }
    return ready.splice(best, 1)[0]!;
  };
  const ended = (step: PlanStep): void => {
    for (const id of graph.dependents.get(step.id)!) {
      const left = blockedBy.get(id)! - 1;
      blockedBy.set(id, left);
      if (left === 0) ready.push(byId.get(id)!);
    }
  };
  function pump(): void {
    while (failed === undefined && crash === undefined && sending < options.concurrency && ready.length > 0) {
      const step = takeReady();
      begun.add(step.id);
      if (options.prior?.succeeded.has(step.id) === true) {
        // Done by an earlier run of this plan: nothing to send.
        const producedId = options.prior.succeeded.get(step.id);
        record(step, producedId);
        done.push({ step, outcome: "skipped", ...(producedId === undefined ? {} : { producedId }) });
        ended(step);
        continue;
      }
      sending += 1;
      running += 1;
      const place: Place = { waiting: false };
      runOne(step, place).then(
        () => {
          release(place);
          running -= 1;
          // A failed step's dependents never become ready: nothing new starts after a failure anyway.
          if (failed === undefined) ended(step);
          pump();
        },
        (error: unknown) => {
          release(place);
          running -= 1;
          crash ??= { error };
          pump();
        },
      );
    }
    if (running === 0) settle();
  }
  pump();
  await settled;
  // Steps still running when a failure or a journal error stopped the run have ended by now.
  if (crash !== undefined) throw crash.error;
  notAttempted.push(...plan.steps.filter((step) => !begun.has(step.id)));
  return { done, ...(failed === undefined ? {} : { failed }), notAttempted, resolved };
}

/**
 * Polls an earlier run's operation; one that ended Failed (OPERATION_FAILED_CODE) is over and had no
 * effect, as a lifecycle operation's effect is applied only when it succeeds (TF provider
 * internal/api/lifecycle.go), so it is "failed" here, for the step to be sent again, not this run's
 * failure. Any other error is.
 */
async function resumeOrOver(
  resume: StepResumer,
  step: PlanStep,
  location: string,
): Promise<ResumeOutcome | { status: "failed" }> {
  try {
    return await resume(step, location);
  } catch (error: unknown) {
    if (describeFailure(step, error).code === OPERATION_FAILED_CODE) return { status: "failed" };
    throw error;
  }
}

/** The step with every `{"$ref": …}` replaced by the id an earlier step produced. */
export function substituteStep(step: PlanStep, resolved: ReadonlyMap<string, string>): PlanStep {
  return {
    ...step,
    // Produced ids go into a path: encoded, as idInPath encodes the ids known at plan time.
    path: substituteRefs(step.path, new Map([...resolved].map(([ref, id]) => [ref, encodeURIComponent(id)]))),
    ...(step.body === undefined ? {} : { body: substituteRefs(step.body, resolved) }),
  };
}

function describeFailure(step: PlanStep, error: unknown): StepFailure {
  const record = (typeof error === "object" && error !== null ? error : {}) as {
    serviceCode?: unknown;
    code?: unknown;
  };
  const code =
    typeof record.serviceCode === "string"
      ? record.serviceCode
      : typeof record.code === "string"
        ? record.code
        : "ERROR";
  const message = error instanceof Error ? error.message : String(error);
  return { step, code, message };
}

/**
 * Reads earlier runs out of the journal's entries. Steps of `planDigest` that ended "succeeded" are done.
 * A step's later success, or a later success of another step on the same address, settles it.
 * A step that started and did not end "succeeded" (killed, or failed in a way that may have taken
 * effect) counts as interrupted, whichever plan it belonged to: a run killed mid-create and re-run as a
 * fresh plan-and-apply has another digest, yet its create may exist by now.
 */
export function priorRun(entries: readonly JournalEntry[], planDigest: string): PriorRun {
  const succeeded = new Map<string, string | undefined>();
  const open = new Map<string, InterruptedStep>();
  const addressOf = new Map<string, string>();
  for (const entry of entries) {
    const key = `${entry.planDigest} ${entry.stepId}`;
    if (entry.event === "start") {
      open.set(key, { startedAt: entry.at, killed: true });
      addressOf.set(key, entry.address);
    } else if (entry.event === "accepted") {
      const started = open.get(key);
      if (started !== undefined && typeof entry.location === "string" && entry.location !== "")
        open.set(key, { ...started, location: entry.location });
    } else if (entry.outcome === "succeeded") {
      // Done now: whatever run left this step unfinished before, its effect is settled. So is any earlier
      // step on the same object: a later step on it succeeded (a create's id was needed, or a plan made
      // after the interruption saw the object) — an old operation URL must not be followed then.
      for (const other of open.keys())
        if (stepIdOf(other) === entry.stepId || addressOf.get(other) === entry.address) open.delete(other);
      if (entry.planDigest === planDigest) succeeded.set(entry.stepId, entry.createdId);
    } else {
      const started = open.get(key);
      if (started === undefined) continue;
      // An operation seen to end Failed is over; one the run lost track of may still be running.
      const { location, ...rest } = started;
      const over = entry.error?.code === OPERATION_FAILED_CODE;
      open.set(key, { ...rest, killed: false, ...(location === undefined || over ? {} : { location }) });
    }
  }
  const interrupted = new Map<string, InterruptedStep>();
  for (const [key, step] of open) {
    const stepId = stepIdOf(key);
    if (succeeded.has(stepId)) continue;
    const known = interrupted.get(stepId);
    if (known === undefined || step.startedAt > known.startedAt) interrupted.set(stepId, step);
  }
  return { succeeded, interrupted };
}

/** The step id of a `${planDigest} ${stepId}` key (digests hold no space). */
function stepIdOf(key: string): string {
  return key.slice(key.indexOf(" ") + 1);
}

/** The error code of a step whose long-running operation ended Failed (see LifecycleFailedError). */
export const OPERATION_FAILED_CODE = "TENANT_LIFECYCLE_FAILED";

/** Addresses an earlier run of `planDigest` touched: their live objects moved because of that run. */
export function touchedAddresses(entries: readonly JournalEntry[], planDigest: string): Set<string> {
  return new Set(entries.filter((entry) => entry.planDigest === planDigest).map((entry) => entry.address));
}

/**
 * When every step of the plan ended "succeeded" in runs of this very plan (same digest), the time the
 * last one did: the plan was applied and must not be applied again. Undefined otherwise.
 */
export function appliedAt(
  entries: readonly JournalEntry[],
  plan: Pick<Plan, "planDigest" | "steps">,
): string | undefined {
  if (plan.steps.length === 0) return undefined;
  const succeeded = new Map<string, string>();
  for (const entry of entries)
    if (entry.planDigest === plan.planDigest && entry.event === "end" && entry.outcome === "succeeded")
      succeeded.set(entry.stepId, entry.at);
  let last: string | undefined;
  for (const step of plan.steps) {
    const at = succeeded.get(step.id);
    if (at === undefined) return undefined;
    if (last === undefined || at > last) last = at;
  }
  return last;
}
