import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/core/plan/plan.js";
import type { PolicyDocument } from "../../src/core/policy/types.js";
import { doc, desired, guid, liveTenant, PLAN_OPTIONS, wireConnector, wireDlp, wireEnv } from "./builders.js";

/** A tenant of `envs` environments and `policies` DLP policies over `connectors` connectors, half of them drifted. */
export function scaleCase(envs: number, policies: number, connectors: number) {
  const connectorNames = Array.from({ length: connectors }, (_, i) => `shared_c${i}`);
  const environments = Array.from({ length: envs }, (_, i) =>
    wireEnv({ id: guid(10_000 + i), displayName: `Env ${i}` }),
  );
  const dlpPolicies = Array.from({ length: policies }, (_, i) =>
    wireDlp({
      id: guid(100_000 + i),
      displayName: `Policy ${i}`,
      business: connectorNames.slice(0, 20),
      blocked: connectorNames.slice(20, 40 + (i % 2)),
      environmentType: "ExceptEnvironments",
      environments: environments.slice(0, 50).map((e) => e.name),
    }),
  );
  const live = liveTenant({
    environments,
    dlpPolicies,
    connectors: connectorNames.map((name) => wireConnector(name)),
  });
  const documents: PolicyDocument[] = [
    ...environments.map((e, i) =>
      doc.environment({
        name: `env-${i}`,
        displayName: e.properties.displayName,
        description: i % 2 ? "changed" : "",
      }),
    ),
    ...dlpPolicies.map((_, i) =>
      doc.dlp({
        name: `policy-${i}`,
        displayName: `Policy ${i}`,
        connectors: { business: connectorNames.slice(0, 20), blocked: connectorNames.slice(20, 40) },
        scope: { except: Array.from({ length: 50 }, (_, j) => `env-${j}`) },
      }),
    ),
  ];
  return { state: desired(...documents), live };
}

describe("scale", () => {
  // Its speed is bench/plan.mjs's to measure (timed assertions fail on a loaded machine).
  it("plans 1,000 environments × 50 policies × 300 connectors", () => {
    const { state, live } = scaleCase(1000, 50, 300);
    const { plan, diagnostics } = buildPlan(state, live, PLAN_OPTIONS);
    expect(diagnostics).toEqual([]);
    expect(plan.summary).toEqual({ add: 0, change: 525, destroy: 0, replace: 0, noop: 525 });
  });
});
