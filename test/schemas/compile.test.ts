import { describe, expect, it } from "vitest";
import {
  BILLING_POLICY_STATUSES,
  CURRENCY_TYPES,
  DLP_GROUPS,
  ENVIRONMENT_TYPES,
  KINDS,
  PRUNABLE_KINDS,
  SHARING_MODES,
  SOLUTION_CHECKER_MODES,
  UPDATE_CADENCES,
  URL_PATTERN_GROUPS,
} from "../../src/core/policy/types.js";
import type {
  BillingPolicySpec,
  DataverseSpec,
  DlpPolicySpec,
  EnvironmentGroupSpec,
  EnvironmentSpec,
  LicenseAllocationSpec,
  LicenseAssignmentSpec,
  ManagedSpec,
  TenantSpec,
} from "../../src/core/policy/types.js";
import { compileSchemas, readSchemaFiles, SCHEMA_BASE } from "./schema-set.js";

const KIND_FILES: Record<(typeof KINDS)[number], string> = {
  Tenant: "tenant.schema.json",
  EnvironmentGroup: "environment-group.schema.json",
  Environment: "environment.schema.json",
  DlpPolicy: "dlp-policy.schema.json",
  LicenseAllocation: "license-allocation.schema.json",
  LicenseAssignment: "license-assignment.schema.json",
  BillingPolicy: "billing-policy.schema.json",
  TenantSettings: "tenant-settings.schema.json",
  TenantIsolation: "tenant-isolation.schema.json",
};

/** Reads a subschema by JSON-pointer-like path of plain keys. */
function at(schema: unknown, ...path: string[]): unknown {
  let node = schema;
  for (const key of path) node = (node as Record<string, unknown>)[key];
  return node;
}

describe("schema files", () => {
  const files = readSchemaFiles();

  it("are exactly the envelope, the shared definitions and one file per kind", () => {
    expect(files.map((f) => f.file)).toEqual(
      ["common.schema.json", "plan.schema.json", "policy.schema.json", ...Object.values(KIND_FILES)].sort(),
    );
  });

  it.each(files)("$file is draft 2020-12 with the published $id", ({ file, schema }) => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toBe(`${SCHEMA_BASE}${file}`);
  });

  it("compile under Ajv2020 strict mode without a single warning", () => {
    const { logged, validatePolicy } = compileSchemas(files);
    expect(logged).toEqual([]);
    expect(typeof validatePolicy).toBe("function");
  });

  it("strict mode is really on: an unknown keyword fails to compile", () => {
    const broken = files.map((f) =>
      f.file === "tenant.schema.json" ? { ...f, schema: { ...f.schema, colour: "blue" } } : f,
    );
    expect(() => compileSchemas(broken)).toThrow(/strict mode: unknown keyword: "colour"/);
  });
});

describe("the envelope", () => {
  const envelope = readSchemaFiles().find((f) => f.file === "policy.schema.json")!.schema;

  it("requires the four envelope fields and lists the kinds of types.ts", () => {
    expect(envelope.required).toEqual(["apiVersion", "kind", "metadata", "spec"]);
    expect(at(envelope, "properties", "kind", "enum")).toEqual([...KINDS]);
  });

  it("dispatches every kind with if/then to its own file, never with oneOf", () => {
    expect(envelope.oneOf).toBeUndefined();
    const branches = envelope.allOf as {
      if: { properties: { kind: { const: string } } };
      then: { $ref: string };
    }[];
    const dispatch = Object.fromEntries(branches.map((b) => [b.if.properties.kind.const, b.then.$ref]));
    expect(dispatch).toEqual(KIND_FILES);
  });
});

describe("enumerations mirror src/core/policy/types.ts", () => {
  const byFile = Object.fromEntries(readSchemaFiles().map((f) => [f.file, f.schema]));
  const env = at(byFile["environment.schema.json"], "properties", "spec", "properties");
  const managed = at(env, "managed", "properties");
  const dlp = at(byFile["dlp-policy.schema.json"], "properties", "spec", "properties");

  it.each([
    ["environment type", at(env, "type", "enum"), ENVIRONMENT_TYPES],
    ["update cadence", at(env, "updateCadence", "enum"), UPDATE_CADENCES],
    ["sharing mode", at(managed, "limitSharingMode", "enum"), SHARING_MODES],
    ["solution checker mode", at(managed, "solutionCheckerMode", "enum"), SOLUTION_CHECKER_MODES],
    ["DLP default group", at(dlp, "defaultGroup", "enum"), DLP_GROUPS],
    [
      "URL pattern group",
      at(dlp, "customConnectorUrlPatterns", "items", "properties", "group", "enum"),
      URL_PATTERN_GROUPS,
    ],
    [
      "billing status",
      at(byFile["billing-policy.schema.json"], "properties", "spec", "properties", "status", "enum"),
      BILLING_POLICY_STATUSES,
    ],
  ])("%s", (_label, schemaValues, tsValues) => {
    expect(schemaValues).toEqual([...tsValues]);
  });

  it("DLP connector groups", () => {
    expect(Object.keys(at(dlp, "connectors", "properties") as object)).toEqual([...DLP_GROUPS]);
  });

  it("currency types (wire-formats §8.3)", () => {
    const allocations = at(
      byFile["license-allocation.schema.json"],
      "properties",
      "spec",
      "properties",
      "allocations",
    );
    expect(Object.keys(at(allocations, "properties") as object)).toEqual([...CURRENCY_TYPES]);
  });

  it("prunable kinds", () => {
    const prune = at(byFile["tenant.schema.json"], "properties", "spec", "properties", "prune", "properties");
    expect(Object.keys(prune as object)).toEqual([...PRUNABLE_KINDS]);
  });

  // Record<keyof Spec, true> makes the compiler reject a missing or an extra field, so these lists
  // cannot drift from the interfaces in types.ts.
  const SPEC_FIELDS: Record<string, Record<string, true>> = {
    "environment.schema.json": {
      displayName: true,
      description: true,
      location: true,
      azureRegion: true,
      type: true,
      securityGroupId: true,
      dataverse: true,
      updateCadence: true,
      adminMode: true,
      group: true,
      managed: true,
      deletionProtection: true,
      ensure: true,
    } satisfies Record<keyof EnvironmentSpec, true>,
    "environment-group.schema.json": { displayName: true, description: true, ensure: true } satisfies Record<
      keyof EnvironmentGroupSpec,
      true
    >,
    "dlp-policy.schema.json": {
      displayName: true,
      scope: true,
      defaultGroup: true,
      connectors: true,
      connectorRules: true,
      customConnectorUrlPatterns: true,
      ensure: true,
    } satisfies Record<keyof DlpPolicySpec, true>,
    "license-allocation.schema.json": { environment: true, allocations: true } satisfies Record<
      keyof LicenseAllocationSpec,
      true
    >,
    "license-assignment.schema.json": { group: true, licenses: true, ensure: true } satisfies Record<
      keyof LicenseAssignmentSpec,
      true
    >,
    "billing-policy.schema.json": {
      displayName: true,
      location: true,
      status: true,
      billingInstrument: true,
      environments: true,
      ensure: true,
    } satisfies Record<keyof BillingPolicySpec, true>,
    "tenant.schema.json": { tenantId: true, cloud: true, prune: true, ignore: true } satisfies Record<
      keyof TenantSpec,
      true
    >,
  };
  const MANAGED_FIELDS = {
    enabled: true,
    maxShareLimit: true,
    limitSharingMode: true,
    groupSharingDisabled: true,
    solutionCheckerMode: true,
    suppressValidationEmails: true,
    solutionCheckerRuleOverrides: true,
    usageInsights: true,
    includeOnHomepageInsights: true,
    aiGeneratedDescriptions: true,
  } satisfies Record<keyof ManagedSpec, true>;
  const DATAVERSE_FIELDS = { domain: true, language: true, currency: true } satisfies Record<
    keyof DataverseSpec,
    true
  >;

  it.each(Object.entries(SPEC_FIELDS))("spec fields of %s", (file, fields) => {
    expect(Object.keys(at(byFile[file], "properties", "spec", "properties") as object).sort()).toEqual(
      Object.keys(fields).sort(),
    );
  });

  it("managed and dataverse fields of Environment", () => {
    expect(Object.keys(at(env, "managed", "properties") as object).sort()).toEqual(
      Object.keys(MANAGED_FIELDS).sort(),
    );
    expect(Object.keys(at(env, "dataverse", "properties") as object).sort()).toEqual(
      Object.keys(DATAVERSE_FIELDS).sort(),
    );
  });
});
