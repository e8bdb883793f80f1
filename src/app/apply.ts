/**
 * The apply use case: a saved plan (checked for tampering, tenant, format and staleness against a fresh
 * read) or plan-and-apply, under the per-tenant lock, with the journal, then a convergence check that
 * re-reads the tenant until the touched resources match the policies.
 */
import type { JournalEntry } from "../adapters/fs/journal-file.js";
import { formatElapsed } from "../adapters/progress/index.js";
import type { HeldLock } from "../core/ports/lock.js";
import { ExitError, PpgovError } from "../core/errors.js";
import { KIND_REGISTRY } from "../core/kinds/registry.js";
import type { ResourceKind } from "../core/kinds/resource-kind.js";
import {
  buildPlan,
  checkPlanSignature,
  desiredDigest,
  findStaleResources,
  planDifferences,
  planHasChanges,
  requiredLiveCollections,
  summarizeSteps,
  verifyPlanDigest,
  PLAN_FORMAT_VERSION,
  type DesiredState,
  type LiveTenant,
  type Plan,
  type PlanStep,
  type StepSummary,
} from "../core/plan/index.js";
import type { Diagnostic } from "../core/diagnostics.js";
import {
  appliedAt,
  executePlan,
  OPERATION_FAILED_CODE,
  priorRun,
  touchedAddresses,
  type ApplyReport,
  type InterruptedStep,
  type ResumeOutcome,
  type StepHooks,
} from "./apply-engine.js";
import { guardCreates } from "./create-guard.js";
import { mergeRequirements, requirementsForPlan } from "./live-requirements.js";
import type { LoadedPolicies } from "../core/policy/load-policies.js";
import { loadDesired, planAgainstLive, resolveTenantId, type PlanDeps, type Planned } from "./plan.js";

export interface ApplyDeps extends PlanDeps {
  /**
   * Sends one step (placeholders substituted) and waits for it to finish; calls `hooks.onAccepted` with
   * the URL of a long-running operation the service accepted, before polling it.
   */
  runStep(step: PlanStep, tenantId: string, hooks?: StepHooks): Promise<{ producedId?: string }>;
  /** Watches the operation an interrupted run started for `step` (journaled URL) without re-sending it. */
  resumeStep?(step: PlanStep, location: string, tenantId: string): Promise<ResumeOutcome>;
  journal: {
    append: (entry: JournalEntry) => Promise<void>;
    read: () => Promise<JournalEntry[]>;
  };
  /** Takes the per-tenant lock; throws a clear error when another apply holds it. */
  lock(tenantId: string): Promise<HeldLock>;
  /** Re-check names around each create (src/app/create-guard.ts); on when the lock is not shared. */
  guardCreates?: boolean;
  sleep(ms: number): Promise<void>;
}

export interface ApplySettings {
  /** The policy directory; for a saved plan, undefined means the one the plan recorded. */
  dir?: string;
  /** PPGOV_PLAN_KEY: a saved plan must carry a valid HMAC-SHA256 signature with it. */
  planKey?: string;
  allowProtectedDeletes?: boolean;
  concurrency: number;
  /** How long to wait for the tenant to show the applied state. Default 60 s. */
  convergeTimeoutMs?: number;
  /** How long after an interrupted create started to keep looking for its object. Default 120 s. */
  interruptedCreateSettleMs?: number;
}

export interface Convergence {
  converged: boolean;
  /** Addresses still showing a change at the deadline. */
  pending: string[];
  /** Set when the check could not run (the policies in `dir` are not the plan's). */
  skipped?: string;
  /** Set when re-reading the tenant for the check failed (e.g. the retry budget ran out). */
  error?: string;
}

/**
 * Runs work that comes before the first write. A failure there (a read that kept failing, the lock, a
 * stale plan) is reported as such, so the user knows the tenant was left as it was.
 */
async function beforeWrites<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof PpgovError) || error instanceof ExitError) throw error;
    throw new PpgovError(error.code, `${error.message}\nNothing was changed in the tenant.`, {
      exitCode: error.exitCode,
      cause: error,
    });
  }
}

export type ApplyOutcome =
  | { status: "invalid"; loaded: LoadedPolicies }
  | { status: "rejected"; diagnostics: Diagnostic[] }
  | { status: "no-changes"; plan: Plan }
  | { status: "declined"; plan: Plan }
  | {
      status: "applied";
      plan: Plan;
      report: ApplyReport;
      convergence: Convergence;
      /** Counted from the steps (summarizeSteps), never the plan's stored summary. */
      summary: StepSummary;
    };

/**
 * The policies the plan was made from: the plan's directory (or `dir`), refused unless they are the
 * plan's own (same desired digest). Apply re-derives the steps from them, so without them it cannot run.
 */
async function planPolicies(
  plan: Plan,
  dir: string,
  deps: ApplyDeps,
): Promise<{ ok: true; desired: DesiredState } | { ok: false; loaded: LoadedPolicies }> {
  const load = await loadDesired(dir, deps);
  if (!load.ok) return load;
  if (desiredDigest(load.desired) === plan.desiredDigest) return { ok: true, desired: load.desired };
  const head: { commit?: string } = await deps.gitHead(dir).catch(() => ({}));
  const made = plan.git.commit === undefined ? "" : ` at commit ${plan.git.commit}`;
  const now =
    head.commit !== undefined && plan.git.commit !== undefined && head.commit !== plan.git.commit
      ? ` (${dir} is at ${head.commit})`
      : "";
  throw new PpgovError(
    "PLAN_POLICIES_CHANGED",
    `the policies in ${dir} are not the ones the plan was made from${made}${now}; apply re-derives the plan's steps from its policies, so it needs them: check out${plan.git.commit === undefined ? " the plan's commit" : ` ${plan.git.commit}`}, point -d at them, or run ppgov plan again`,
  );
}

/** Refuses a plan file ppgov must not execute: wrong format version, altered, or for another tenant. */
export function checkPlanIntegrity(plan: Plan, currentTenantId: string, planKey?: string): void {
  if (plan.formatVersion !== PLAN_FORMAT_VERSION)
    throw new PpgovError(
      "PLAN_FORMAT",
      `the plan has formatVersion ${String(plan.formatVersion)}, this ppgov reads version ${String(PLAN_FORMAT_VERSION)}; run ppgov plan again`,
    );
  if (!verifyPlanDigest(plan))
    throw new PpgovError(
      "PLAN_TAMPERED",
      "the plan file was altered after it was made (its planDigest does not match its content); run ppgov plan again",
    );
  if (planKey !== undefined) {
    const signature = checkPlanSignature(plan, planKey);
    if (signature === "missing")
      throw new PpgovError(
        "PLAN_UNSIGNED",
        "PPGOV_PLAN_KEY is set, but the plan is not signed; make it with ppgov plan -o FILE where PPGOV_PLAN_KEY is set to the same key",
      );
    if (signature === "invalid")
      throw new PpgovError(
        "PLAN_BAD_SIGNATURE",
        "the plan's signature does not match PPGOV_PLAN_KEY: it was altered after it was made, or signed with another key; run ppgov plan again",
      );
  }
  if (plan.mode !== "plan")
    throw new PpgovError("PLAN_MODE", `this is a ${plan.mode} report, not a plan; run ppgov plan -o FILE`);
  if (plan.tenantId !== null && plan.tenantId.toLowerCase() !== currentTenantId.toLowerCase())
    throw new PpgovError(
      "PLAN_OTHER_TENANT",
      `the plan was made for tenant ${plan.tenantId}, but the credentials reach tenant ${currentTenantId}; refusing to apply it here`,
    );
}

/** Stale resources a refusal names; the rest are counted. */
const LISTED_STALE = 10;

/** The policy directory of a saved plan: `-d` when given, else the one the plan recorded. */
export function savedPlanDir(plan: Plan, dir: string | undefined): string {
  return dir ?? plan.git.dir ?? "policies";
}

/**
 * `ppgov apply PLANFILE`: executes the saved plan once, if it is still true of the tenant and its
 * steps are the ones its policies lead to against the live state it was made against.
 */
export async function applySavedPlan(
  plan: Plan,
  settings: ApplySettings,
  deps: ApplyDeps,
): Promise<ApplyOutcome> {
  const tenantId = await beforeWrites(async () => (await deps.tenant.tenantId()).toLowerCase());
  await beforeWrites(() => Promise.resolve(checkPlanIntegrity(plan, tenantId, settings.planKey)));
  if (plan.steps.length === 0) return { status: "no-changes", plan };
  const dir = savedPlanDir(plan, settings.dir);
  const lock = await beforeWrites(() => deps.lock(tenantId));
  try {
    const prepared = await beforeWrites(async () => {
      const entries = await deps.journal.read();
      const applied = appliedAt(entries, plan);
      if (applied !== undefined)
        throw new PpgovError(
          "PLAN_ALREADY_APPLIED",
          `this plan was already applied (the journal shows its last step finished at ${applied}); a saved plan applies at most once: run ppgov plan again`,
        );
      const policies = await planPolicies(plan, dir, deps);
      if (!policies.ok) return policies;
      const { desired } = policies;
      const touched = touchedAddresses(entries, plan.planDigest);
      deps.progress.phase("re-reading the tenant to check the plan is still current…");
      const live = await deps.tenant.readLive(
        mergeRequirements(requirementsForPlan(plan), requiredLiveCollections(desired)),
        tenantId,
      );
      // Resources an interrupted run of this very plan already changed moved because of it, not behind its back.
      const stale = findStaleResources(plan, live).filter((resource) => !touched.has(resource.address));
      if (stale.length > 0) {
        const shown = stale.slice(0, LISTED_STALE);
        const rest = stale.length - shown.length;
        const names = `${shown.map((resource) => resource.address).join(", ")}${rest > 0 ? `, … and ${rest} more` : ""}`;
        const reasons = [
          ...shown.map((resource) => `  ${resource.address}: ${resource.reason}`),
          ...(rest > 0 ? [`  … and ${rest} more`] : []),
        ].join("\n");
        throw new PpgovError(
          "PLAN_STALE",
          `plan is stale: ${names} changed since the plan was made (by someone else, or by an apply of this plan: a saved plan applies at most once); run ppgov plan again\n${reasons}`,
        );
      }
      // An interrupted run of this plan passed this check before its first write (the journal holds
      // entries only after it); its own changes make the tenant differ from the plan's now.
      if (touched.size === 0) {
        const derived = buildPlan(desired, live, {
          createdAt: plan.createdAt,
          tenantId,
          // Plan refused protected deletes without the override; a saved plan holds them only if allowed.
          allowProtectedDeletes: true,
        });
        const differences = planDifferences(plan, derived.plan);
        if (differences.length > 0)
          throw new PpgovError(
            "PLAN_MISMATCH",
            `the plan's steps are not the ones its policies (${dir}) lead to against the tenant: it was edited, or the tenant moved since it was made; run ppgov plan again\n${differences.map((line) => `  ${line}`).join("\n")}`,
          );
      }
      return { ok: true as const, desired, entries };
    });
    if (!prepared.ok) return { status: "invalid", loaded: prepared.loaded };
    const { desired, entries } = prepared;
    const report = await execute(plan, tenantId, entries, settings, deps);
    const convergence =
      report.failed !== undefined
        ? { converged: false, pending: [] }
        : await awaitConvergence(plan, desired, tenantId, settings, deps);
    return { status: "applied", plan, report, convergence, summary: summarizeSteps(plan) };
  } finally {
    await lock.release();
  }
}

export interface PlanAndApplyHooks {
  /** Shows the plan to the user (before asking). */
  show(planned: Planned): void;
  /** Asks for confirmation; resolves true to go ahead. */
  confirm(plan: Plan): Promise<boolean>;
}

/** `ppgov apply` without a file: plan under the lock, show, confirm, execute, check convergence. */
export async function planAndApply(
  settings: ApplySettings,
  hooks: PlanAndApplyHooks,
  deps: ApplyDeps,
): Promise<ApplyOutcome> {
  const dir = settings.dir ?? "policies";
  const load = await loadDesired(dir, deps);
  if (!load.ok) return { status: "invalid", loaded: load.loaded };
  const tenantId = await beforeWrites(() => resolveTenantId(load.desired, deps.tenant));
  const lock = await beforeWrites(() => deps.lock(tenantId));
  try {
    const { planned, errors } = await beforeWrites(() =>
      planAgainstLive(
        load.desired,
        { dir, tenantId, allowProtectedDeletes: settings.allowProtectedDeletes === true },
        deps,
      ),
    );
    if (errors.length > 0) return { status: "rejected", diagnostics: [...errors, ...planned.diagnostics] };
    hooks.show(planned);
    if (!planHasChanges(planned.plan)) return { status: "no-changes", plan: planned.plan };
    if (!(await hooks.confirm(planned.plan))) return { status: "declined", plan: planned.plan };
    const entries = await beforeWrites(() => deps.journal.read());
    const report = await execute(planned.plan, tenantId, entries, settings, deps);
    const convergence =
      report.failed !== undefined
        ? { converged: false, pending: [] }
        : await awaitConvergence(planned.plan, load.desired, tenantId, settings, deps);
    return {
      status: "applied",
      plan: planned.plan,
      report,
      convergence,
      summary: summarizeSteps(planned.plan),
    };
  } finally {
    await lock.release();
  }
}

async function execute(
  plan: Plan,
  tenantId: string,
  entries: readonly JournalEntry[],
  settings: ApplySettings,
  deps: ApplyDeps,
): Promise<ApplyReport> {
  deps.progress.phase(`applying ${plan.steps.length} steps…`);
  const resumeStep = deps.resumeStep?.bind(deps);
  // Steps in flight, for the heartbeat: what the apply waits for, and since when.
  const running = new Map<string, { step: PlanStep; startedAt: number }>();
  const run = (step: PlanStep, hooks?: StepHooks): Promise<{ producedId?: string }> =>
    deps.runStep(step, tenantId, hooks);
  const work = executePlan({
    plan,
    run: deps.guardCreates === true ? guardCreates(plan, tenantId, run, deps) : run,
    ...(resumeStep === undefined
      ? {}
      : {
          resume: (step: PlanStep, location: string) => {
            deps.progress.phase(
              `${step.address}: an interrupted run left its operation running; following it instead of sending it again…`,
            );
            return resumeStep(step, location, tenantId).catch((error: unknown) => {
              if ((error as { code?: unknown } | null)?.code === OPERATION_FAILED_CODE)
                deps.progress.phase(
                  `${step.address}: the operation the interrupted run left running ended Failed, so it changed nothing; sending the step again…`,
                );
              throw error;
            });
          },
        }),
    journal: deps.journal,
    concurrency: settings.concurrency,
    now: () => deps.now(),
    prior: priorRun(entries, plan.planDigest),
    findCreated: (step, interrupted) =>
      findCreated(
        plan,
        step,
        interrupted,
        settings.interruptedCreateSettleMs ?? INTERRUPTED_CREATE_SETTLE_MS,
        tenantId,
        deps,
      ),
    onStart: (step, index, total) => {
      running.set(step.id, { step, startedAt: deps.now().getTime() });
      deps.progress.count(index, total, `${step.address}: ${step.description}`);
    },
    onEnd: (step, index, total, outcome) => {
      const startedAt = running.get(step.id)?.startedAt ?? deps.now().getTime();
      running.delete(step.id);
      deps.progress.finished?.(
        index,
        total,
        `${step.address}: ${step.description}`,
        outcome,
        deps.now().getTime() - startedAt,
      );
    },
  });
  return deps.progress.heartbeat === undefined
    ? work
    : deps.progress.heartbeat(() => waitingFor(running, deps.now().getTime()), work);
}

/** The heartbeat's line while steps run: the oldest in flight, how long it has run, and how many more. */
function waitingFor(
  running: ReadonlyMap<string, { step: PlanStep; startedAt: number }>,
  now: number,
): string {
  const inFlight = [...running.values()].sort((a, b) => a.startedAt - b.startedAt);
  const oldest = inFlight[0];
  if (oldest === undefined) return "still applying: between steps";
  const others = inFlight.length - 1;
  return `still waiting for ${oldest.step.address} (${oldest.step.description}) to finish, ${formatElapsed(now - oldest.startedAt)} so far${others > 0 ? `; ${others} more step${others === 1 ? "" : "s"} in flight` : ""}`;
}

type AnyKind = ResourceKind<unknown, unknown, object>;

/**
 * How long after an interrupted create started its object may still appear: an environment is listed
 * only once its lifecycle operation ends, which the killed run can no longer watch.
 */
export const INTERRUPTED_CREATE_SETTLE_MS = 120_000;
const INTERRUPTED_CREATE_POLL_MS = 2_000;

/**
 * The live id of the object a create step was making, if an interrupted run made it after all: the
 * tenant is re-read and the object matched by display name, as the planner matches documents. Until
 * the settle window after a killed start has passed, a miss is read again rather than trusted, so that
 * a create still in flight is adopted instead of sent a second time.
 */
async function findCreated(
  plan: Plan,
  step: PlanStep,
  interrupted: InterruptedStep,
  settleMs: number,
  tenantId: string,
  deps: ApplyDeps,
): Promise<string | undefined> {
  const resource = plan.resources.find((candidate) => candidate.address === step.address);
  if (resource === undefined) return undefined;
  const kind = KIND_REGISTRY[resource.kind] as unknown as AnyKind;
  const wanted = resource.displayName.toLowerCase();
  // A step that ended "failed" was watched to its end by its run: one look is enough. A killed one may
  // still be in flight.
  const settled = interrupted.killed ? Date.parse(interrupted.startedAt) + settleMs : 0;
  for (;;) {
    const live = await deps.tenant.readLive(requirementsForPlan({ resources: [resource] }), tenantId);
    const matches = kind
      .listLive(live)
      .filter((record) => kind.liveDisplayName(record).toLowerCase() === wanted);
    if (matches.length > 1)
      throw new PpgovError(
        "APPLY_AMBIGUOUS",
        `${matches.length} live objects are named "${resource.displayName}" after an interrupted create of ${resource.address}; delete the extra one or pin metadata.id`,
      );
    if (matches[0] !== undefined) return kind.liveId(matches[0]);
    if (!(deps.now().getTime() < settled)) return undefined;
    deps.progress.phase(
      `${resource.address}: an interrupted run started creating it at ${interrupted.startedAt}; waiting for it to appear before creating it again…`,
    );
    await deps.sleep(INTERRUPTED_CREATE_POLL_MS);
  }
}

/**
 * Re-reads the tenant and re-plans until no resource the plan touched shows a change (the service is
 * eventually consistent), or the deadline passes. A read failing here must not hide the apply's report:
 * the steps were done, only the confirmation is missing, so the failure is returned, not thrown.
 */
export async function awaitConvergence(
  plan: Plan,
  desired: DesiredState,
  tenantId: string,
  settings: ApplySettings,
  deps: ApplyDeps,
): Promise<Convergence> {
  const touched = new Set(plan.steps.map((step) => step.address));
  const started = deps.now().getTime();
  const timeoutMs = settings.convergeTimeoutMs ?? 60_000;
  const deadline = started + timeoutMs;
  deps.progress.phase("checking that the tenant shows the applied state…");
  let pending = [...touched];
  const work = convergenceLoop(desired, tenantId, settings, deps, touched, deadline, (now) => {
    pending = now;
  });
  return deps.progress.heartbeat === undefined
    ? work
    : deps.progress.heartbeat(
        (elapsed) =>
          `still waiting for the tenant to show the applied state of ${pending.length} resource${pending.length === 1 ? "" : "s"} (${pending.slice(0, 3).join(", ")}${pending.length > 3 ? ", …" : ""}), ${formatElapsed(elapsed)} of at most ${formatElapsed(timeoutMs)}`,
        work,
      );
}

async function convergenceLoop(
  desired: DesiredState,
  tenantId: string,
  settings: ApplySettings,
  deps: ApplyDeps,
  touched: ReadonlySet<string>,
  deadline: number,
  onPending: (pending: string[]) => void,
): Promise<Convergence> {
  let wait = 250;
  for (;;) {
    let live: LiveTenant;
    try {
      live = await deps.tenant.readLive(requiredLiveCollections(desired), tenantId);
    } catch (error) {
      if (!(error instanceof PpgovError)) throw error;
      return { converged: false, pending: [], error: error.message };
    }
    const { changes } = buildPlan(desired, live, {
      createdAt: deps.now().toISOString(),
      tenantId,
      allowProtectedDeletes: settings.allowProtectedDeletes === true,
    });
    const pending = changes
      .filter((change) => change.action !== "no-op" && touched.has(change.address))
      .map((change) => change.address);
    onPending(pending);
    if (pending.length === 0) return { converged: true, pending };
    if (deps.now().getTime() + wait > deadline) return { converged: false, pending };
    await deps.sleep(wait);
    wait = Math.min(wait * 2, 5_000);
  }
}
