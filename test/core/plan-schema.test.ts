import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/core/plan/plan.js";
import { doc, desired, guid, liveTenant, PLAN_OPTIONS, wireEnv, wireGroup } from "./builders.js";

const schema = JSON.parse(
  readFileSync(new URL("../../schemas/plan.schema.json", import.meta.url), "utf8"),
) as object;
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

describe("plan.schema.json", () => {
  it("accepts built plans of every action and kind", () => {
    const live = liveTenant({
      environments: [
        ...liveTenant().environments,
        wireEnv({ id: guid(2), displayName: "Dev" }),
        wireEnv({ id: guid(3), displayName: "Moving" }),
      ],
      environmentGroups: [wireGroup(guid(70), "Old")],
    });
    const { plan } = buildPlan(
      desired(
        doc.group({ name: "new", displayName: "New" }),
        doc.group({ name: "old", displayName: "Old", ensure: "absent" }),
        doc.environment({ name: "dev", displayName: "Dev", description: "changed", group: "new" }),
        doc.environment({ name: "moving", displayName: "Moving", location: "unitedstates" }),
        doc.dlp({ name: "base", scope: { except: ["dev"] } }),
        doc.allocation({ name: "dev", environment: "dev", allocations: { AppPass: 2 } }),
        doc.billing({ name: "payg", environments: ["dev"] }),
      ),
      live,
      { ...PLAN_OPTIONS, git: { commit: "abc", dirty: false } },
    );
    expect(new Set(plan.resources.map((r) => r.action))).toEqual(
      new Set(["create", "update", "replace", "delete"]),
    );
    expect(validate(plan), JSON.stringify(validate.errors)).toBe(true);
  });

  it("rejects a plan with an unknown field or a bad digest", () => {
    const { plan } = buildPlan(desired(), liveTenant(), PLAN_OPTIONS);
    expect(validate(plan)).toBe(true);
    expect(validate({ ...plan, extra: 1 })).toBe(false);
    expect(validate({ ...plan, planDigest: "md5:x" })).toBe(false);
  });
});
