import { describe, expect, it } from "vitest";
import { createPolicyValidator } from "../../src/adapters/fs/policy-schemas.js";
import { exportLiveTenant } from "../../src/app/export.js";
import type { LiveRequirements } from "../../src/core/plan/index.js";
import type { PolicyValidator } from "../../src/core/policy/schema-validator.js";
import { sampleLiveTenant } from "./helpers.js";

describe("exportLiveTenant", () => {
  const validator = createPolicyValidator();

  function gateway() {
    const asked: LiveRequirements[] = [];
    return {
      asked,
      tenant: {
        tenantId: () => Promise.resolve("6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"),
        readLive: (requirements: LiveRequirements) => {
          asked.push(requirements);
          return Promise.resolve(sampleLiveTenant());
        },
      },
    };
  }

  it("reads what the kinds need, and returns files the validator accepts", async () => {
    const { asked, tenant } = gateway();
    let now = 0;
    const outcome = await exportLiveTenant(
      { kinds: ["Tenant", "Environment"], schemaPath: "../schemas/policy.schema.json" },
      { tenant, validator, clock: () => (now += 5) },
    );
    expect(asked).toHaveLength(1);
    expect(asked[0]!.collections.sort()).toEqual(["environmentGroups", "environments"]);
    expect(outcome.diagnostics).toEqual([]);
    expect(outcome.files.map((file) => file.path)).toContain("environments/contoso-production.yaml");
    expect(
      outcome.files.every((file) => file.path === "tenant.yaml" || file.path.startsWith("environments/")),
    ).toBe(true);
    expect(outcome.timings.readMs).toBeGreaterThan(0);
  });

  it("leaves out a document the validator refuses and exports again", async () => {
    const refusing: PolicyValidator = {
      definitionName: (schema) => validator.definitionName(schema),
      validate: (kind, value) => {
        const name = (value as { spec?: { displayName?: string } }).spec?.displayName;
        if (kind !== "DlpPolicy" || name !== "Production - strict") return validator.validate(kind, value);
        return [
          {
            instancePath: "/spec/displayName",
            schemaPath: "#/properties/spec/properties/displayName/maxLength",
            keyword: "maxLength",
            params: { limit: 5 },
            message: "must NOT have more than 5 characters",
          },
        ];
      },
    };
    const outcome = await exportLiveTenant(
      {},
      { tenant: gateway().tenant, validator: refusing, clock: () => 0 },
    );
    expect(outcome.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(outcome.files.map((file) => file.path)).not.toContain("dlp/production-strict.yaml");
    const skipped = outcome.exported.skipped.find((skip) => skip.displayName === "Production - strict");
    expect(skipped?.cause).toBe("not-expressible");
    expect(skipped?.reason).toMatch(/^the validator refuses it: PPG\d{3} /);
  });
});
