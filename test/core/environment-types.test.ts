import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/core/plan/plan.js";
import type { DesiredState } from "../../src/core/plan/desired-state.js";
import type { LiveTenant } from "../../src/core/plan/live-tenant.js";
import { doc, desired, guid, liveTenant, PLAN_OPTIONS, wireEnv } from "./builders.js";

const TEAMS = guid(7);

function plan(state: DesiredState, live: LiveTenant) {
  return buildPlan(state, live, PLAN_OPTIONS);
}

function problems(state: DesiredState, live: LiveTenant) {
  return plan(state, live)
    .diagnostics.filter((d) => d.code === "PPG416")
    .map((d) => ({
      severity: d.severity,
      file: d.file,
      line: d.line,
      pointer: d.pointer,
      message: d.message,
    }));
}

const withTeams = (type: "Teams" | "Sandbox" = "Teams"): LiveTenant =>
  liveTenant({
    environments: [
      ...liveTenant().environments,
      wireEnv({ id: TEAMS, displayName: "Marketing team", type, location: "europe" }),
    ],
  });

describe("Teams and Default environment types (issue 23 item 6a)", () => {
  it("adopts a Teams environment and lets a DLP policy and an allocation name it", () => {
    const result = plan(
      desired(
        doc.environment({ name: "marketing", displayName: "Marketing team", type: "Teams" }),
        doc.dlp({ name: "teams-dlp", scope: { only: ["marketing"] } }),
        doc.allocation({ name: "teams-ai", environment: "marketing", allocations: { AI: 0 } }),
      ),
      withTeams(),
    );
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const environment = result.plan.resources.find((r) => r.address === "Environment/marketing")!;
    expect(environment.action).toBe("no-op");
    expect(environment.id).toBe(TEAMS);
    const dlp = result.plan.resources.find((r) => r.address === "DlpPolicy/teams-dlp")!;
    expect(dlp.action).toBe("create");
    expect(JSON.stringify(result.plan.steps.filter((s) => s.address === "DlpPolicy/teams-dlp"))).toContain(
      TEAMS,
    );
    const allocation = result.plan.resources.find((r) => r.address === "LicenseAllocation/teams-ai")!;
    expect(allocation.action).not.toBe("create");
    expect(allocation.displayName).toContain("Marketing team");
  });

  it("refuses to create a Teams environment, naming the file, line and field", () => {
    expect(
      problems(
        desired(doc.environment({ name: "new-team", displayName: "New team", type: "Teams" })),
        liveTenant(),
      ),
    ).toEqual([
      {
        severity: "error",
        file: "policies/Environment/new-team.yaml",
        line: 3,
        pointer: "/spec/type",
        message: expect.stringContaining(
          "Environment/new-team declares type Teams, and no live environment matches it",
        ) as string,
      },
    ]);
  });

  it("refuses to change a Teams environment's type, and to make an environment a Teams one", () => {
    const toSandbox = problems(
      desired(doc.environment({ name: "marketing", displayName: "Marketing team", type: "Sandbox" })),
      withTeams(),
    );
    expect(toSandbox.map((p) => [p.pointer, p.message])).toEqual([
      [
        "/spec/type",
        expect.stringContaining(
          "changes type Teams → Sandbox: ppgov cannot change the type of a Teams or Default",
        ),
      ],
    ]);
    const toTeams = problems(
      desired(doc.environment({ name: "marketing", displayName: "Marketing team", type: "Teams" })),
      withTeams("Sandbox"),
    );
    expect(toTeams.map((p) => p.message)).toEqual([expect.stringContaining("changes type Sandbox → Teams")]);
  });

  it("refuses a replace of a Teams environment, which would create one", () => {
    const found = problems(
      desired(
        doc.environment({
          name: "marketing",
          displayName: "Marketing team",
          type: "Teams",
          location: "unitedstates",
        }),
      ),
      withTeams(),
    );
    expect(found.map((p) => p.message)).toEqual([
      expect.stringContaining(
        "declares type Teams, and the change replaces the environment (location is create-only",
      ),
    ]);
  });

  it("refuses to change the default environment's type, and plans its other fields when it says Default", () => {
    const retyped = problems(
      desired(doc.environment({ name: "d", displayName: "Contoso (default)", type: "Production" })),
      liveTenant(),
    );
    expect(retyped.map((p) => [p.pointer, p.message])).toEqual([
      ["/spec/type", expect.stringContaining("changes type Default → Production") as string],
    ]);
    const result = plan(
      desired(
        doc.environment({ name: "d", displayName: "Contoso (default)", type: "Default", description: "All" }),
      ),
      liveTenant(),
    );
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.plan.resources[0]!.changedPaths.map((c) => c.path)).toEqual(["/description"]);
    expect(result.plan.steps.map((step) => step.label)).toEqual(["patch"]);
  });

  it("lets ordinary types change in place as before", () => {
    expect(
      problems(
        desired(doc.environment({ name: "marketing", displayName: "Marketing team", type: "Production" })),
        withTeams("Sandbox"),
      ),
    ).toEqual([]);
  });
});
