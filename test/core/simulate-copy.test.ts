import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/core/plan/plan.js";
import { simulateApply } from "../../src/core/plan/simulate.js";
import { doc, desired, guid, liveTenant, PLAN_OPTIONS, wireDlp, wireEnv } from "./builders.js";

describe("simulateApply's copy of the tenant", () => {
  it("leaves the live tenant as it was while sharing the collections no step writes", () => {
    const live = liveTenant({
      environments: [
        ...liveTenant().environments,
        wireEnv({ id: guid(2), displayName: "Dev", lastModifiedTime: "t1" }),
      ],
      dlpPolicies: [
        wireDlp({ id: guid(300), displayName: "Changed", business: ["shared_sql"] }),
        wireDlp({ id: guid(301), displayName: "Kept", business: ["shared_sql"] }),
      ],
    });
    const untouched = structuredClone(live);
    const { plan } = buildPlan(
      desired(
        doc.environment({ name: "dev", displayName: "Dev", description: "new text" }),
        doc.dlp({ name: "changed", displayName: "Changed", connectors: { blocked: ["shared_sql"] } }),
        doc.dlp({ name: "kept", displayName: "Kept", connectors: { business: ["shared_sql"] } }),
      ),
      live,
      PLAN_OPTIONS,
    );
    const after = simulateApply(plan, live);

    expect(live).toEqual(untouched);
    expect(after.connectors).toBe(live.connectors);
    expect(after.environments[0]).toBe(live.environments[0]);
    expect(after.environments.find((e) => e.name === guid(2))).not.toBe(live.environments[1]);
    expect(after.dlpPolicies).not.toBe(live.dlpPolicies);
    const kept = after.dlpPolicies.find((policy) => policy.policyDefinition.displayName === "Kept");
    expect(kept).toBe(live.dlpPolicies[1]);
    const changed = after.dlpPolicies.find((policy) => policy.policyDefinition.displayName === "Changed");
    expect(changed).not.toBe(live.dlpPolicies[0]);
    expect(JSON.stringify(changed?.policyDefinition.connectorGroups)).not.toEqual(
      JSON.stringify(live.dlpPolicies[0]!.policyDefinition.connectorGroups),
    );
    expect(after.environments.find((e) => e.name === guid(2))?.properties.description).toBe("new text");
    expect(live.environments.find((e) => e.name === guid(2))?.properties.description).not.toBe("new text");
  });
});
