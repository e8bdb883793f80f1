import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../../src/adapters/fs/journal-file.js";
import {
  executePlan,
  OPERATION_FAILED_CODE,
  priorRun,
  substituteStep,
  touchedAddresses,
  type InterruptedStep,
  type StepRunner,
} from "../../src/app/apply-engine.js";
import { PLAN_FORMAT_VERSION, type Plan, type PlanStep } from "../../src/core/plan/index.js";

/** The apply engine with a fake step runner: ordering, concurrency, placeholders, failure, journal, resume. */

function step(address: string, wave: number, extra: Partial<PlanStep> = {}): PlanStep {
  const label = extra.label ?? "update";
  return {
    id: `${address}:${label}`,
    address,
    wave,
    label,
    description: `${label} ${address}`,
    api: "admin",
    method: "PATCH",
    path: `/things/${address}`,
    expect: [200],
    async: "none",
    idempotent: true,
    ...extra,
  } as PlanStep;
}

function create(address: string, wave: number): PlanStep {
  return step(address, wave, {
    label: "create",
    method: "POST",
    path: "/things",
    body: { name: address },
    produces: { ref: `${address}#id`, from: "body.id" },
    idempotent: false,
  });
}

function planOf(steps: PlanStep[], digest = "sha256:plan-a"): Plan {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    mode: "plan",
    createdAt: "2026-11-22T00:00:00.000Z",
    tenantId: "t",
    git: {},
    desiredDigest: "sha256:desired",
    resources: [],
    steps,
    summary: { add: 0, change: steps.length, destroy: 0, replace: 0, noop: 0 },
    newConnectors: [],
    names: {},
    planDigest: digest,
  };
}

function memoryJournal(): { entries: JournalEntry[]; append: (entry: JournalEntry) => Promise<void> } {
  const entries: JournalEntry[] = [];
  return { entries, append: (entry) => Promise.resolve(void entries.push(entry)) };
}

const clock = (): Date => new Date("2026-11-22T12:00:00.000Z");
const tick = (ms = 1): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("executePlan", () => {
  it("starts a step once its own dependencies ended, while an unrelated slow step is still running", async () => {
    const events: string[] = [];
    const run: StepRunner = async (s) => {
      events.push(`start ${s.address}`);
      await tick(s.address === "A/slow" ? 40 : 1);
      events.push(`end ${s.address}`);
      return s.label === "create" ? { producedId: `id-${s.address}` } : {};
    };
    // Wave 1 holds a slow step and a create; wave 2 a step that uses the create's id. With waves the
    // last step would wait for A/slow too.
    const plan = planOf([
      step("A/slow", 1),
      create("B/new", 1),
      step("C/uses", 2, { body: { environment: { $ref: "B/new#id" } } }),
    ]);
    const report = await executePlan({ plan, run, journal: memoryJournal(), concurrency: 4, now: clock });
    expect(report.failed).toBeUndefined();
    expect(events.indexOf("start C/uses")).toBeGreaterThan(events.indexOf("end B/new"));
    expect(events.indexOf("end C/uses")).toBeLessThan(events.indexOf("end A/slow"));
    expect(report.done.map((result) => result.step.address)).toEqual(["B/new", "C/uses", "A/slow"]);
  });

  it("keeps the waves' order between steps on the same, a related or a deleted resource", async () => {
    const events: string[] = [];
    const run: StepRunner = async (s) => {
      events.push(`start ${s.id}`);
      await tick(s.address === "Environment/e" ? 20 : 1);
      events.push(`end ${s.id}`);
      return {};
    };
    const plan: Plan = {
      ...planOf([
        step("Environment/e", 1, { path: "/environments/env-1" }),
        step("Environment/e", 2, { label: "second", path: "/environments/env-1" }),
        // Names the environment's id: waits for its steps of earlier waves.
        step("DlpPolicy/p", 2, { path: "/policies/pol-1", body: { environments: [{ name: "ENV-1" }] } }),
        // Deleted: waits for every step of an earlier wave, as with waves.
        step("EnvironmentGroup/g", 3, { method: "DELETE", path: "/groups/grp-1" }),
      ]),
      resources: [
        { address: "Environment/e", id: "env-1", action: "update" },
        { address: "DlpPolicy/p", id: "pol-1", action: "update" },
        { address: "EnvironmentGroup/g", id: "grp-1", action: "delete" },
      ].map((resource) => ({
        ...resource,
        kind: resource.address.split("/")[0] as Plan["resources"][number]["kind"],
        name: resource.address.split("/")[1]!,
        displayName: resource.address,
        changedPaths: [],
        fingerprint: null,
      })) as Plan["resources"],
    };
    const report = await executePlan({ plan, run, journal: memoryJournal(), concurrency: 4, now: clock });
    expect(report.failed).toBeUndefined();
    const at = (event: string): number => events.indexOf(event);
    expect(at("start Environment/e:second")).toBeGreaterThan(at("end Environment/e:update"));
    expect(at("start DlpPolicy/p:update")).toBeGreaterThan(at("end Environment/e:update"));
    expect(at("start EnvironmentGroup/g:update")).toBeGreaterThan(at("end Environment/e:second"));
    expect(at("start EnvironmentGroup/g:update")).toBeGreaterThan(at("end DlpPolicy/p:update"));
  });

  it("rejects on a journal error only once the steps already running ended, and starts nothing more", async () => {
    const events: string[] = [];
    const journal = {
      append(entry: JournalEntry): Promise<void> {
        if (entry.address === "B/broken" && entry.event === "start")
          return Promise.reject(new Error("disk full"));
        events.push(`${entry.event} ${entry.address}`);
        return Promise.resolve();
      },
    };
    const run: StepRunner = async (s) => {
      await tick(s.address === "A/slow" ? 20 : 1);
      return {};
    };
    const plan = planOf([step("A/slow", 1), step("B/broken", 1), step("C/later", 1)]);
    await expect(executePlan({ plan, run, journal, concurrency: 2, now: clock })).rejects.toThrow(
      "disk full",
    );
    expect(events).toEqual(["start A/slow", "end A/slow"]);
  });

  it("lets steps wait on accepted operations beyond the steps being sent, up to the waiting limit", async () => {
    let sending = 0;
    let waiting = 0;
    let peakSending = 0;
    let peakWaiting = 0;
    const run: StepRunner = async (_s, hooks) => {
      sending += 1;
      peakSending = Math.max(peakSending, sending);
      await tick(1);
      sending -= 1;
      await hooks.onAccepted("https://ops/1");
      waiting += 1;
      peakWaiting = Math.max(peakWaiting, waiting);
      await tick(15);
      waiting -= 1;
      return {};
    };
    const plan = planOf(
      Array.from({ length: 8 }, (_, index) => step(`A/${index}`, 1, { async: "lifecycle" })),
    );
    const journal = memoryJournal();
    const report = await executePlan({ plan, run, journal, concurrency: 2, waitingLimit: 5, now: clock });
    expect(report.failed).toBeUndefined();
    expect(report.done).toHaveLength(8);
    expect(peakSending).toBe(2);
    expect(peakWaiting).toBe(5);
    expect(journal.entries.filter((entry) => entry.event === "accepted")).toHaveLength(8);
  });

  it.each([1, 2, 3, 8])("never runs more than %i steps of a wave at once", async (concurrency) => {
    let inFlight = 0;
    let peak = 0;
    const run: StepRunner = async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await tick(2);
      inFlight -= 1;
      return {};
    };
    const plan = planOf(Array.from({ length: 6 }, (_, index) => step(`A/${index}`, 0)));
    await executePlan({ plan, run, journal: memoryJournal(), concurrency, now: clock });
    expect(peak).toBe(Math.min(concurrency, 6));
  });

  it("refuses a concurrency that is not a positive integer", async () => {
    const plan = planOf([step("A/1", 0)]);
    const run: StepRunner = () => Promise.resolve({});
    await expect(
      executePlan({ plan, run, journal: memoryJournal(), concurrency: 0, now: clock }),
    ).rejects.toThrow(/concurrency must be a positive integer/);
    await expect(
      executePlan({ plan, run, journal: memoryJournal(), concurrency: 1, waitingLimit: 0, now: clock }),
    ).rejects.toThrow(/waitingLimit must be a positive integer/);
  });

  it("substitutes the ids earlier creates produced into later paths (encoded) and bodies", async () => {
    const seen: PlanStep[] = [];
    const run: StepRunner = (s) => {
      seen.push(s);
      return Promise.resolve(s.label === "create" ? { producedId: "env/1 ?x" } : {});
    };
    const ref = { $ref: "Environment/dev#id" };
    const plan = planOf([
      create("Environment/dev", 0),
      step("DlpPolicy/p", 1, {
        path: `/policies/${JSON.stringify(ref)}/x`,
        body: { environments: [{ id: ref, type: "env" }] },
      }),
    ]);
    const report = await executePlan({ plan, run, journal: memoryJournal(), concurrency: 2, now: clock });
    expect(seen[1]?.path).toBe("/policies/env%2F1%20%3Fx/x");
    expect(seen[1]?.body).toEqual({ environments: [{ id: "env/1 ?x", type: "env" }] });
    expect(report.resolved.get("Environment/dev#id")).toBe("env/1 ?x");
  });

  it("stops at the first failure: running siblings finish, nothing new starts, the rest is not attempted", async () => {
    const started: string[] = [];
    const run: StepRunner = async (s) => {
      started.push(s.address);
      await tick(s.address === "A/2" ? 10 : 1);
      if (s.address === "A/1")
        throw Object.assign(new Error("Another operation is running"), {
          serviceCode: "OperationNotStartable",
        });
      return {};
    };
    const plan = planOf([step("A/1", 0), step("A/2", 0), step("A/3", 0), step("A/4", 0), step("B/1", 1)]);
    const journal = memoryJournal();
    const report = await executePlan({ plan, run, journal, concurrency: 2, now: clock });
    expect(report.failed).toMatchObject({
      code: "OperationNotStartable",
      message: "Another operation is running",
      step: { address: "A/1" },
    });
    expect(started).toEqual(["A/1", "A/2"]);
    expect(report.done.map((result) => result.step.address)).toEqual(["A/2"]);
    expect(report.notAttempted.map((s) => s.address)).toEqual(["A/3", "A/4", "B/1"]);
    expect(journal.entries.find((entry) => entry.address === "A/1" && entry.event === "end")).toMatchObject({
      outcome: "failed",
      error: { code: "OperationNotStartable" },
    });
  });

  it("journals a start before and an end after every step it runs, stamped with the plan digest", async () => {
    const order: string[] = [];
    const journal = {
      entries: [] as JournalEntry[],
      append(entry: JournalEntry): Promise<void> {
        order.push(`${entry.event} ${entry.address}`);
        this.entries.push(entry);
        return Promise.resolve();
      },
    };
    const run: StepRunner = (s) => {
      order.push(`run ${s.address}`);
      return Promise.resolve(s.label === "create" ? { producedId: "id-1" } : {});
    };
    const plan = planOf([create("A/1", 0), step("B/1", 1)]);
    await executePlan({ plan, run, journal, concurrency: 1, now: clock });
    expect(order).toEqual(["start A/1", "run A/1", "end A/1", "start B/1", "run B/1", "end B/1"]);
    expect(journal.entries.every((entry) => entry.planDigest === "sha256:plan-a")).toBe(true);
    expect(journal.entries[1]).toMatchObject({ outcome: "succeeded", createdId: "id-1" });
  });
});

describe("resuming an interrupted run", () => {
  const entry = (fields: Partial<JournalEntry>): JournalEntry => ({
    at: "2026-11-22T11:00:00.000Z",
    planDigest: "sha256:plan-a",
    stepId: "?",
    address: "?",
    event: "start",
    ...fields,
  });

  it("reads which steps of this plan succeeded, and which were left unfinished by any run", () => {
    const entries = [
      entry({ stepId: "A/1:create", address: "A/1", event: "start" }),
      entry({ stepId: "A/1:create", address: "A/1", event: "end", outcome: "succeeded", createdId: "id-a" }),
      entry({ stepId: "B/1:create", address: "B/1", event: "start" }),
      entry({ stepId: "C/1:update", address: "C/1", event: "start" }),
      entry({ stepId: "C/1:update", address: "C/1", event: "end", outcome: "failed" }),
      // A killed run of another plan (plan-and-apply re-plans, so a re-run has another digest).
      entry({ stepId: "Z/9:create", address: "Z/9", event: "start", planDigest: "sha256:other", at: "T1" }),
      entry({ stepId: "Y/1:update", address: "Y/1", event: "start", planDigest: "sha256:other" }),
      entry({
        stepId: "Y/1:update",
        address: "Y/1",
        event: "end",
        planDigest: "sha256:other",
        outcome: "succeeded",
      }),
      entry({ stepId: "A/1:create", address: "A/1", event: "start", planDigest: "sha256:other" }),
    ];
    const prior = priorRun(entries, "sha256:plan-a");
    expect([...prior.succeeded]).toEqual([["A/1:create", "id-a"]]);
    // A/1 is done by this plan; Y/1 ended in its own run; Z/9's create may have reached the tenant.
    expect([...prior.interrupted.keys()].sort()).toEqual(["B/1:create", "C/1:update", "Z/9:create"]);
    expect(prior.interrupted.get("Z/9:create")).toEqual({ startedAt: "T1", killed: true });
    // C/1 ended "failed": its run watched it to the end.
    expect(prior.interrupted.get("C/1:update")?.killed).toBe(false);
    expect([...touchedAddresses(entries, "sha256:plan-a")].sort()).toEqual(["A/1", "B/1", "C/1"]);
  });

  it("skips what succeeded, reuses its ids, adopts an unfinished create that exists, re-runs the rest", async () => {
    const plan = planOf([
      create("A/1", 0),
      create("B/1", 0),
      create("C/1", 0),
      step("D/1", 1, { body: { a: { $ref: "A/1#id" }, b: { $ref: "B/1#id" }, c: { $ref: "C/1#id" } } }),
    ]);
    const prior = priorRun(
      [
        entry({
          stepId: "A/1:create",
          address: "A/1",
          event: "end",
          outcome: "succeeded",
          createdId: "id-a",
        }),
        entry({ stepId: "B/1:create", address: "B/1", event: "start" }),
        entry({ stepId: "C/1:create", address: "C/1", event: "start" }),
      ],
      "sha256:plan-a",
    );
    const ran: string[] = [];
    const run: StepRunner = (s) => {
      ran.push(s.address);
      return Promise.resolve(s.label === "create" ? { producedId: `new-${s.address}` } : {});
    };
    // B/1 was created before the kill (found by identity); C/1 never reached the tenant.
    const asked: string[] = [];
    const findCreated = (s: PlanStep, interrupted: InterruptedStep): Promise<string | undefined> => {
      asked.push(`${s.address} ${interrupted.startedAt}`);
      return Promise.resolve(s.address === "B/1" ? "id-b" : undefined);
    };
    const seen: PlanStep[] = [];
    const report = await executePlan({
      plan,
      run: (s, hooks) => {
        seen.push(s);
        return run(s, hooks);
      },
      journal: memoryJournal(),
      concurrency: 1,
      now: clock,
      prior,
      findCreated,
    });
    expect(ran).toEqual(["C/1", "D/1"]);
    expect(asked).toEqual(["B/1 2026-11-22T11:00:00.000Z", "C/1 2026-11-22T11:00:00.000Z"]);
    expect(report.done.map((result) => [result.step.address, result.outcome])).toEqual([
      ["A/1", "skipped"],
      ["B/1", "adopted"],
      ["C/1", "succeeded"],
      ["D/1", "succeeded"],
    ]);
    expect(seen.find((s) => s.address === "D/1")?.body).toEqual({ a: "id-a", b: "id-b", c: "new-C/1" });
  });

  const LOCATION =
    "https://europe.api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/lifecycleOperations/op-1?api-version=2023-06-01";

  it("journals the operation's URL, durably, before the runner polls it", async () => {
    const plan = planOf([create("A/1", 0)]);
    const journal = memoryJournal();
    let journaledBeforePoll: JournalEntry[] = [];
    await executePlan({
      plan,
      run: async (_s, hooks) => {
        await hooks.onAccepted(LOCATION);
        journaledBeforePoll = [...journal.entries];
        return { producedId: "id-a" };
      },
      journal,
      concurrency: 1,
      now: clock,
    });
    expect(journaledBeforePoll.map((e) => [e.event, e.location])).toEqual([
      ["start", undefined],
      ["accepted", LOCATION],
    ]);
    expect(journal.entries.map((e) => e.event)).toEqual(["start", "accepted", "end"]);
  });

  it("after a kill between the 202 and the operation's end, follows that operation and never re-sends the create", async () => {
    // The killed run's journal: start, accepted, then nothing (a torn line is dropped on read).
    const killed = [
      entry({ stepId: "A/1:create", address: "A/1", event: "start", planDigest: "sha256:killed" }),
      entry({
        stepId: "A/1:create",
        address: "A/1",
        event: "accepted",
        planDigest: "sha256:killed",
        location: LOCATION,
      }),
    ];
    const plan = planOf([create("A/1", 0), step("B/1", 1, { body: { a: { $ref: "A/1#id" } } })]);
    const prior = priorRun(killed, plan.planDigest);
    expect(prior.interrupted.get("A/1:create")).toEqual({
      startedAt: "2026-11-22T11:00:00.000Z",
      killed: true,
      location: LOCATION,
    });
    const sent: PlanStep[] = [];
    const followed: string[] = [];
    const looked: string[] = [];
    const journal = memoryJournal();
    const report = await executePlan({
      plan,
      run: (s) => {
        sent.push(s);
        return Promise.resolve({});
      },
      resume: (s, location) => {
        followed.push(`${s.address} ${location}`);
        return Promise.resolve({ status: "finished", producedId: "env-1" });
      },
      findCreated: (s) => {
        looked.push(s.address);
        return Promise.resolve(undefined);
      },
      journal,
      concurrency: 1,
      now: clock,
      prior,
    });
    expect(followed).toEqual([`A/1 ${LOCATION}`]);
    expect(looked).toEqual([]);
    expect(sent.map((s) => s.address)).toEqual(["B/1"]);
    expect(sent[0]?.body).toEqual({ a: "env-1" });
    expect(report.done.map((r) => [r.step.address, r.outcome, r.producedId])).toEqual([
      ["A/1", "resumed", "env-1"],
      ["B/1", "succeeded", undefined],
    ]);
    // The URL is journaled again in this run, so a second kill while following it loses nothing.
    expect(journal.entries.slice(0, 3).map((e) => [e.stepId, e.event, e.location, e.createdId])).toEqual([
      ["A/1:create", "start", undefined, undefined],
      ["A/1:create", "accepted", LOCATION, undefined],
      ["A/1:create", "end", undefined, "env-1"],
    ]);
    expect(priorRun([...killed, ...journal.entries], "sha256:next").interrupted.size).toBe(0);
  });

  it("sends a step again when the operation an interrupted run left ended Failed (it changed nothing)", async () => {
    // The run lost track of its create's operation (the poll kept failing), so the URL stayed in the
    // journal; the operation then ended Failed. Soak seed 7 run 149: the apply after it, faults off,
    // exited 1 on that old failure instead of creating the environment.
    const earlier = [
      entry({ stepId: "A/1:create", address: "A/1", event: "start" }),
      entry({ stepId: "A/1:create", address: "A/1", event: "accepted", location: LOCATION }),
      entry({
        stepId: "A/1:create",
        address: "A/1",
        event: "end",
        outcome: "failed",
        error: { code: "TENANT_RETRY_BUDGET", message: "retry budget exhausted after 50 retries" },
      }),
    ];
    const plan = planOf(
      [create("A/1", 0), step("B/1", 1, { body: { a: { $ref: "A/1#id" } } })],
      "sha256:plan-b",
    );
    const journal = memoryJournal();
    const sent: PlanStep[] = [];
    const followed: string[] = [];
    const looked: InterruptedStep[] = [];
    const report = await executePlan({
      plan,
      run: (s) => {
        sent.push(s);
        return Promise.resolve(s.address === "A/1" ? { producedId: "env-new" } : {});
      },
      resume: (s, location) => {
        followed.push(`${s.address} ${location}`);
        return Promise.reject(
          Object.assign(
            new Error('create environment A/1 failed at stage "Run" (lifecycle operation op-1)'),
            { code: OPERATION_FAILED_CODE },
          ),
        );
      },
      findCreated: (_s, interrupted) => {
        looked.push(interrupted);
        return Promise.resolve(undefined);
      },
      journal,
      concurrency: 1,
      now: clock,
      prior: priorRun(earlier, "sha256:plan-b"),
    });
    expect(report.failed).toBeUndefined();
    expect(followed).toEqual([`A/1 ${LOCATION}`]);
    // One look (the old operation is over, no settle wait), then the create is sent afresh.
    expect(looked).toEqual([{ startedAt: "2026-11-22T11:00:00.000Z", killed: false }]);
    expect(sent.map((s) => s.address)).toEqual(["A/1", "B/1"]);
    expect(sent[1]?.body).toEqual({ a: "env-new" });
    expect(report.done.map((r) => [r.step.address, r.outcome, r.producedId])).toEqual([
      ["A/1", "succeeded", "env-new"],
      ["B/1", "succeeded", undefined],
    ]);
    // Journaled as a new start after the old URL: a kill while re-sending does not follow the old
    // operation again.
    expect(journal.entries.slice(0, 3).map((e) => [e.stepId, e.event, e.location])).toEqual([
      ["A/1:create", "start", undefined],
      ["A/1:create", "accepted", LOCATION],
      ["A/1:create", "start", undefined],
    ]);
    const killedNow = journal.entries.slice(0, 3);
    expect(priorRun([...earlier, ...killedNow], "sha256:plan-c").interrupted.get("A/1:create")).toEqual({
      startedAt: clock().toISOString(),
      killed: true,
    });
  });

  it("still fails the step when following the old operation fails for another reason", async () => {
    const killed = [
      entry({ stepId: "A/1:create", address: "A/1", event: "start" }),
      entry({ stepId: "A/1:create", address: "A/1", event: "accepted", location: LOCATION }),
    ];
    const plan = planOf([create("A/1", 0)], "sha256:plan-b");
    const sent: string[] = [];
    const report = await executePlan({
      plan,
      run: (s) => {
        sent.push(s.address);
        return Promise.resolve({ producedId: "x" });
      },
      resume: () =>
        Promise.reject(Object.assign(new Error("retry budget exhausted"), { code: "TENANT_RETRY_BUDGET" })),
      journal: memoryJournal(),
      concurrency: 1,
      now: clock,
      prior: priorRun(killed, "sha256:plan-b"),
    });
    expect(sent).toEqual([]);
    expect(report.failed).toMatchObject({ code: "TENANT_RETRY_BUDGET" });
  });

  it("keeps the URL of an operation a run lost track of (timeout, connection) for the next run", () => {
    const entries = [
      entry({ stepId: "A/1:create", address: "A/1", event: "start" }),
      entry({ stepId: "A/1:create", address: "A/1", event: "accepted", location: LOCATION }),
      entry({
        stepId: "A/1:create",
        address: "A/1",
        event: "end",
        outcome: "failed",
        error: { code: "TENANT_LIFECYCLE_TIMEOUT", message: "did not finish" },
      }),
    ];
    expect(priorRun(entries, "sha256:x").interrupted.get("A/1:create")).toMatchObject({
      killed: false,
      location: LOCATION,
    });
  });

  it("does not follow an old operation URL once a later step on the same object succeeded", () => {
    const entries = [
      // Killed mid-create; a later plan saw the object, and another run deleted it.
      entry({ stepId: "A/1:create", address: "A/1", event: "start", planDigest: "sha256:one" }),
      entry({
        stepId: "A/1:create",
        address: "A/1",
        event: "accepted",
        planDigest: "sha256:one",
        location: LOCATION,
      }),
      entry({ stepId: "A/1:delete", address: "A/1", event: "start", planDigest: "sha256:two" }),
      entry({
        stepId: "A/1:delete",
        address: "A/1",
        event: "end",
        outcome: "succeeded",
        planDigest: "sha256:two",
      }),
      entry({ stepId: "B/1:create", address: "B/1", event: "start", planDigest: "sha256:one" }),
    ];
    const prior = priorRun(entries, "sha256:three");
    expect([...prior.interrupted.keys()]).toEqual(["B/1:create"]);
  });

  it("falls back to finding the object by identity when the service no longer knows the operation", async () => {
    const killed = [
      entry({ stepId: "A/1:create", address: "A/1", event: "start" }),
      entry({ stepId: "A/1:create", address: "A/1", event: "accepted", location: LOCATION }),
      entry({ stepId: "B/1:create", address: "B/1", event: "start" }),
      entry({ stepId: "B/1:create", address: "B/1", event: "accepted", location: `${LOCATION}&b` }),
    ];
    const plan = planOf([create("A/1", 0), create("B/1", 0)], "sha256:plan-b");
    const sent: string[] = [];
    const report = await executePlan({
      plan,
      run: (s) => {
        sent.push(s.address);
        return Promise.resolve({ producedId: `new-${s.address}` });
      },
      resume: () => Promise.resolve({ status: "gone" }),
      findCreated: (s, interrupted) => {
        expect(interrupted.killed).toBe(true);
        return Promise.resolve(s.address === "A/1" ? "id-a" : undefined);
      },
      journal: memoryJournal(),
      concurrency: 1,
      now: clock,
      prior: priorRun(killed, "sha256:plan-b"),
    });
    // A/1 exists: adopted. B/1 does not: created (its operation is gone, nothing else can make it).
    expect(sent).toEqual(["B/1"]);
    expect(report.done.map((r) => [r.step.address, r.outcome, r.producedId])).toEqual([
      ["A/1", "adopted", "id-a"],
      ["B/1", "succeeded", "new-B/1"],
    ]);
  });

  it("substituteStep leaves a step without placeholders as it was", () => {
    const plain = step("A/1", 0, { body: { x: 1 } });
    expect(substituteStep(plain, new Map([["A/1#id", "id"]]))).toEqual(plain);
  });
});
