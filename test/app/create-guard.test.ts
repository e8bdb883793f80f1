import { describe, expect, it } from "vitest";
import { guardCreates, survivorOrder } from "../../src/app/create-guard.js";
import { emptyLiveTenant, PLAN_FORMAT_VERSION, type Plan, type PlanStep } from "../../src/core/plan/index.js";
import type { WireEnvironmentGroup } from "../../src/core/wire/types.js";

/** The create guard with a fake tenant: adoption before a create, one survivor after a duplicate. */

const createStep: PlanStep = {
  id: "EnvironmentGroup/finance:create",
  address: "EnvironmentGroup/finance",
  wave: 0,
  label: "create",
  description: "create environment group",
  api: "bap",
  method: "POST",
  path: "/providers/Microsoft.BusinessAppPlatform/environmentGroups?api-version=2021-04-01",
  body: { displayName: "Finance" },
  expect: [201],
  async: "none",
  idempotent: false,
  produces: { ref: "EnvironmentGroup/finance#id", from: "body.id" },
};

const plan: Plan = {
  formatVersion: PLAN_FORMAT_VERSION,
  mode: "plan",
  createdAt: "2026-12-07T00:00:00.000Z",
  tenantId: "t",
  git: {},
  desiredDigest: "sha256:d",
  resources: [
    {
      address: "EnvironmentGroup/finance",
      kind: "EnvironmentGroup",
      name: "finance",
      id: null,
      displayName: "Finance",
      action: "create",
      changedPaths: [],
      fingerprint: null,
    },
  ],
  steps: [createStep],
  summary: { add: 1, change: 0, destroy: 0, replace: 0, noop: 0 },
  newConnectors: [],
  names: {},
  planDigest: "sha256:p",
} as unknown as Plan;

function harness(groups: WireEnvironmentGroup[], created: WireEnvironmentGroup) {
  const sent: PlanStep[] = [];
  const notes: string[] = [];
  const deps = {
    tenant: { readLive: () => Promise.resolve({ ...emptyLiveTenant(), environmentGroups: [...groups] }) },
    progress: { phase: (text: string) => notes.push(text) },
    now: () => new Date(),
  };
  const run = guardCreates(
    plan,
    "t",
    (step) => {
      sent.push(step);
      if (step.method === "POST") {
        groups.push(created);
        return Promise.resolve({ producedId: created.id });
      }
      const index = groups.findIndex((group) => step.path.includes(group.id));
      if (index >= 0) groups.splice(index, 1);
      return Promise.resolve({});
    },
    deps,
  );
  return { run, sent, notes, groups };
}

const group = (id: string, createdTime: string): WireEnvironmentGroup => ({
  id,
  displayName: "Finance",
  createdTime,
});

describe("create guard", () => {
  it("adopts an object that appeared since the plan instead of creating a second one", async () => {
    const h = harness([group("aaaa", "2026-12-07T10:00:00Z")], group("bbbb", "2026-12-07T10:00:01Z"));
    expect(await h.run(createStep)).toEqual({ producedId: "aaaa" });
    expect(h.sent).toEqual([]);
    expect(h.notes.join("\n")).toContain("appeared since the plan was made");
  });

  it("deletes only its own object when a rival's was created earlier, and goes on with the rival's id", async () => {
    const groups: WireEnvironmentGroup[] = [];
    const h = harness(groups, group("bbbb", "2026-12-07T10:00:01Z"));
    // The rival's create lands while ours is in flight (after our check before).
    const original = h.run;
    const racing = async (step: PlanStep) => {
      const promise = original(step);
      groups.push(group("cccc", "2026-12-07T10:00:00Z"));
      return promise;
    };
    expect(await racing(createStep)).toEqual({ producedId: "cccc" });
    expect(h.sent.map((s) => `${s.method} ${s.id}`)).toEqual([
      "POST EnvironmentGroup/finance:create",
      "DELETE EnvironmentGroup/finance:duplicate-delete",
    ]);
    expect(h.sent[1]?.path).toContain("bbbb");
    expect(h.groups.map((g) => g.id)).toEqual(["cccc"]);
  });

  it("keeps its own object when it was created first: the rival removes its own", async () => {
    const groups: WireEnvironmentGroup[] = [];
    const h = harness(groups, group("bbbb", "2026-12-07T10:00:00Z"));
    const original = h.run;
    const result = await (async () => {
      const promise = original(createStep);
      groups.push(group("aaaa", "2026-12-07T10:00:05Z"));
      return promise;
    })();
    expect(result).toEqual({ producedId: "bbbb" });
    expect(h.sent.map((s) => s.method)).toEqual(["POST"]);
    expect(h.notes.join("\n")).toContain("was created first and stays");
  });

  it("orders by creation time, unknown last, then by id, so every writer picks the same survivor", () => {
    const candidates = [
      { id: "b", createdAt: 5 },
      { id: "a", createdAt: 5 },
      { id: "0", createdAt: Number.POSITIVE_INFINITY },
      { id: "z", createdAt: 1 },
    ];
    expect([...candidates].sort(survivorOrder).map((c) => c.id)).toEqual(["z", "a", "b", "0"]);
    expect(
      [...candidates]
        .reverse()
        .sort(survivorOrder)
        .map((c) => c.id),
    ).toEqual(["z", "a", "b", "0"]);
  });
});

describe("a failed re-check", () => {
  it("fails the create with the read's error, and leaves no unhandled rejection behind", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on("unhandledRejection", onUnhandled);
    try {
      const sent: PlanStep[] = [];
      const run = guardCreates(
        plan,
        "t",
        (step) => {
          sent.push(step);
          return Promise.resolve({});
        },
        {
          tenant: { readLive: () => Promise.reject(new Error("503 on GET environmentGroups")) },
          progress: { phase: () => undefined },
          now: () => new Date(),
        },
      );
      await expect(run(createStep)).rejects.toThrow("503 on GET environmentGroups");
      // Unhandled rejections are reported after the microtask queue drains.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
      expect(sent).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
