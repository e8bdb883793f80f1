import { describe, expect, it } from "vitest";
import { compileSchemas, meaningfulErrors } from "./schema-set.js";

const meta = { apiVersion: "ppgov/v1" } as const;

const environment = {
  ...meta,
  kind: "Environment",
  metadata: { name: "contoso-production" },
  spec: {
    displayName: "Contoso Production",
    location: "unitedstates",
    type: "Production",
    dataverse: { domain: "contoso", language: 1033, currency: "USD" },
    managed: { enabled: true, maxShareLimit: 20 },
  },
};
const dlpPolicy = {
  ...meta,
  kind: "DlpPolicy",
  metadata: { name: "corp-baseline" },
  spec: {
    displayName: "Corporate baseline",
    scope: { all: true },
    defaultGroup: "nonBusiness",
    connectors: { business: ["shared_sharepointonline"] },
    connectorRules: {
      shared_sql: { actions: { default: "allow", block: ["DeleteItem_V2"] }, endpoints: [{ deny: "*" }] },
    },
    customConnectorUrlPatterns: [{ pattern: "*", group: "ignore" }],
  },
};
const allocation = {
  ...meta,
  kind: "LicenseAllocation",
  metadata: { name: "contoso-production" },
  spec: { environment: "contoso-production", allocations: { AppPass: 10 } },
};
const assignment = {
  ...meta,
  kind: "LicenseAssignment",
  metadata: { name: "makers" },
  spec: { group: "9a7c3e51-2b4d-4f86-b0e9-6d1c8a2f4b73", licenses: [{ sku: "POWERAPPS_PER_USER" }] },
};
const billing = {
  ...meta,
  kind: "BillingPolicy",
  metadata: { name: "payg" },
  spec: {
    displayName: "Pay-as-you-go",
    location: "unitedstates",
    billingInstrument: {
      subscriptionId: "0f4c7b1e-2d3a-4c5b-9e8f-7a6b5c4d3e2f",
      resourceGroup: "rg-billing",
    },
  },
};
const tenant = { ...meta, kind: "Tenant", metadata: { name: "contoso" }, spec: {} };

type Json = Record<string, unknown>;

/** A deep copy of `base` with `edit` applied to it. */
function variant(base: object, edit: (doc: Json & { spec: Json; metadata: Json }) => void): unknown {
  const copy = structuredClone(base) as Json & { spec: Json; metadata: Json };
  edit(copy);
  return copy;
}

interface InvalidCase {
  name: string;
  document: unknown;
  /** Every error a reader should see (after dropping `if` wrappers and envelope duplicates). */
  expected: { instancePath: string; keyword: string; params?: Record<string, unknown> }[];
}

const cases: InvalidCase[] = [
  {
    name: "environment type outside the enum",
    document: variant(environment, (d) => (d.spec.type = "Prod")),
    expected: [
      {
        instancePath: "/spec/type",
        keyword: "enum",
        params: { allowedValues: ["Production", "Sandbox", "Trial", "Developer", "Teams", "Default"] },
      },
    ],
  },
  {
    name: "extra property in spec",
    document: variant(environment, (d) => (d.spec.colour = "blue")),
    expected: [
      { instancePath: "/spec", keyword: "additionalProperties", params: { additionalProperty: "colour" } },
    ],
  },
  {
    name: "extra property in metadata",
    document: variant(environment, (d) => (d.metadata.labels = { team: "hr" })),
    expected: [
      {
        instancePath: "/metadata",
        keyword: "additionalProperties",
        params: { additionalProperty: "labels" },
      },
    ],
  },
  {
    name: "extra top-level property",
    document: variant(environment, (d) => (d.status = {})),
    expected: [
      { instancePath: "", keyword: "additionalProperties", params: { additionalProperty: "status" } },
    ],
  },
  {
    name: "name with capitals and underscore",
    document: variant(environment, (d) => (d.metadata.name = "Contoso_Prod")),
    expected: [{ instancePath: "/metadata/name", keyword: "pattern" }],
  },
  {
    name: "name ending in a hyphen",
    document: variant(environment, (d) => (d.metadata.name = "contoso-")),
    expected: [{ instancePath: "/metadata/name", keyword: "pattern" }],
  },
  {
    name: "name of 64 characters",
    document: variant(environment, (d) => (d.metadata.name = "a".repeat(64))),
    expected: [{ instancePath: "/metadata/name", keyword: "maxLength", params: { limit: 63 } }],
  },
  {
    name: "metadata.id that is not a GUID",
    document: variant(environment, (d) => (d.metadata.id = "12345")),
    expected: [{ instancePath: "/metadata/id", keyword: "pattern" }],
  },
  {
    name: "missing spec",
    document: variant(environment, (d) => delete (d as Json).spec),
    expected: [{ instancePath: "", keyword: "required", params: { missingProperty: "spec" } }],
  },
  {
    name: "missing required spec field",
    document: variant(environment, (d) => delete d.spec.location),
    expected: [{ instancePath: "/spec", keyword: "required", params: { missingProperty: "location" } }],
  },
  {
    name: "unknown kind",
    document: variant(environment, (d) => (d.kind = "Environments")),
    expected: [{ instancePath: "/kind", keyword: "enum" }],
  },
  {
    name: "unknown apiVersion",
    document: variant(environment, (d) => (d.apiVersion = "ppgov/v2")),
    expected: [{ instancePath: "/apiVersion", keyword: "const", params: { allowedValue: "ppgov/v1" } }],
  },
  {
    name: "a list instead of a mapping",
    document: [environment],
    expected: [{ instancePath: "", keyword: "type", params: { type: "object" } }],
  },
  {
    name: "location in display form",
    document: variant(environment, (d) => (d.spec.location = "United States")),
    expected: [{ instancePath: "/spec/location", keyword: "pattern" }],
  },
  {
    name: "lower-case currency and a string language",
    document: variant(environment, (d) => (d.spec.dataverse = { currency: "usd", language: "1033" })),
    expected: [
      { instancePath: "/spec/dataverse/language", keyword: "type", params: { type: "integer" } },
      { instancePath: "/spec/dataverse/currency", keyword: "pattern" },
    ],
  },
  {
    name: "managed settings without enabled, share limit below -1",
    document: variant(environment, (d) => (d.spec.managed = { maxShareLimit: -2 })),
    expected: [
      { instancePath: "/spec/managed", keyword: "required", params: { missingProperty: "enabled" } },
      {
        instancePath: "/spec/managed/maxShareLimit",
        keyword: "minimum",
        params: { comparison: ">=", limit: -1 },
      },
    ],
  },
  {
    name: "solution checker mode outside the enum",
    document: variant(environment, (d) => ((d.spec.managed as Json).solutionCheckerMode = "strict")),
    expected: [{ instancePath: "/spec/managed/solutionCheckerMode", keyword: "enum" }],
  },
  {
    name: "DLP scope with two keys",
    document: variant(dlpPolicy, (d) => (d.spec.scope = { all: true, only: ["contoso-production"] })),
    expected: [{ instancePath: "/spec/scope", keyword: "maxProperties", params: { limit: 1 } }],
  },
  {
    name: "empty DLP scope",
    document: variant(dlpPolicy, (d) => (d.spec.scope = {})),
    expected: [{ instancePath: "/spec/scope", keyword: "minProperties", params: { limit: 1 } }],
  },
  {
    name: "DLP scope all: false",
    document: variant(dlpPolicy, (d) => (d.spec.scope = { all: false })),
    expected: [{ instancePath: "/spec/scope/all", keyword: "const", params: { allowedValue: true } }],
  },
  {
    name: "DLP scope with an unknown key",
    document: variant(dlpPolicy, (d) => (d.spec.scope = { environments: ["contoso-production"] })),
    expected: [
      {
        instancePath: "/spec/scope",
        keyword: "additionalProperties",
        params: { additionalProperty: "environments" },
      },
    ],
  },
  {
    name: "empty only list",
    document: variant(dlpPolicy, (d) => (d.spec.scope = { only: [] })),
    expected: [{ instancePath: "/spec/scope/only", keyword: "minItems", params: { limit: 1 } }],
  },
  {
    name: "env ref written as a display name",
    document: variant(dlpPolicy, (d) => (d.spec.scope = { except: ["Contoso Production"] })),
    expected: [{ instancePath: "/spec/scope/except/0", keyword: "pattern" }],
  },
  {
    name: "env ref id: without a GUID",
    document: variant(dlpPolicy, (d) => (d.spec.scope = { only: ["id:contoso"] })),
    expected: [{ instancePath: "/spec/scope/only/0", keyword: "pattern" }],
  },
  {
    name: "wire word for the default group",
    document: variant(dlpPolicy, (d) => (d.spec.defaultGroup = "Confidential")),
    expected: [
      {
        instancePath: "/spec/defaultGroup",
        keyword: "enum",
        params: { allowedValues: ["business", "nonBusiness", "blocked"] },
      },
    ],
  },
  {
    name: "unknown connector group",
    document: variant(dlpPolicy, (d) => (d.spec.connectors = { general: ["shared_sql"] })),
    expected: [
      {
        instancePath: "/spec/connectors",
        keyword: "additionalProperties",
        params: { additionalProperty: "general" },
      },
    ],
  },
  {
    name: "connector listed twice in one group",
    document: variant(dlpPolicy, (d) => (d.spec.connectors = { blocked: ["shared_ftp", "shared_ftp"] })),
    expected: [{ instancePath: "/spec/connectors/blocked", keyword: "uniqueItems", params: { i: 0, j: 1 } }],
  },
  {
    name: "endpoint rule with both allow and deny",
    document: variant(
      dlpPolicy,
      (d) => (d.spec.connectorRules = { shared_sql: { endpoints: [{ allow: "a.com", deny: "*" }] } }),
    ),
    expected: [
      {
        instancePath: "/spec/connectorRules/shared_sql/endpoints/0",
        keyword: "maxProperties",
        params: { limit: 1 },
      },
    ],
  },
  {
    name: "endpoint rule with neither allow nor deny",
    document: variant(dlpPolicy, (d) => (d.spec.connectorRules = { shared_sql: { endpoints: [{}] } })),
    expected: [
      {
        instancePath: "/spec/connectorRules/shared_sql/endpoints/0",
        keyword: "minProperties",
        params: { limit: 1 },
      },
    ],
  },
  {
    name: "endpoint rule written as a plain string",
    document: variant(dlpPolicy, (d) => (d.spec.connectorRules = { shared_sql: { endpoints: ["*"] } })),
    expected: [
      {
        instancePath: "/spec/connectorRules/shared_sql/endpoints/0",
        keyword: "type",
        params: { type: "object" },
      },
    ],
  },
  {
    name: "action rules without a default and with a wire word",
    document: variant(
      dlpPolicy,
      (d) => (d.spec.connectorRules = { shared_sql: { actions: { behavior: "Block" } } }),
    ),
    expected: [
      {
        instancePath: "/spec/connectorRules/shared_sql/actions",
        keyword: "required",
        params: { missingProperty: "default" },
      },
      {
        instancePath: "/spec/connectorRules/shared_sql/actions",
        keyword: "additionalProperties",
        params: { additionalProperty: "behavior" },
      },
    ],
  },
  {
    name: "connector rule key that is not a connector id",
    document: variant(
      dlpPolicy,
      (d) => (d.spec.connectorRules = { "SQL Server": { endpoints: [{ deny: "*" }] } }),
    ),
    expected: [
      { instancePath: "/spec/connectorRules", keyword: "pattern" },
      {
        instancePath: "/spec/connectorRules",
        keyword: "propertyNames",
        params: { propertyName: "SQL Server" },
      },
    ],
  },
  {
    name: "URL pattern group in wire words",
    document: variant(
      dlpPolicy,
      (d) => (d.spec.customConnectorUrlPatterns = [{ pattern: "*", group: "General" }]),
    ),
    expected: [{ instancePath: "/spec/customConnectorUrlPatterns/0/group", keyword: "enum" }],
  },
  {
    name: "negative allocation",
    document: variant(allocation, (d) => (d.spec.allocations = { AppPass: -1 })),
    expected: [
      {
        instancePath: "/spec/allocations/AppPass",
        keyword: "minimum",
        params: { comparison: ">=", limit: 0 },
      },
    ],
  },
  {
    name: "fractional allocation",
    document: variant(allocation, (d) => (d.spec.allocations = { AI: 1.5 })),
    expected: [{ instancePath: "/spec/allocations/AI", keyword: "type", params: { type: "integer" } }],
  },
  {
    name: "unknown currency type",
    document: variant(allocation, (d) => (d.spec.allocations = { AppPasses: 1 })),
    expected: [
      {
        instancePath: "/spec/allocations",
        keyword: "additionalProperties",
        params: { additionalProperty: "AppPasses" },
      },
    ],
  },
  {
    name: "empty allocations",
    document: variant(allocation, (d) => (d.spec.allocations = {})),
    expected: [{ instancePath: "/spec/allocations", keyword: "minProperties", params: { limit: 1 } }],
  },
  {
    name: "license assignment group given by name",
    document: variant(assignment, (d) => (d.spec.group = "Power Platform Makers")),
    expected: [{ instancePath: "/spec/group", keyword: "pattern" }],
  },
  {
    name: "sku written as a product name",
    document: variant(assignment, (d) => (d.spec.licenses = [{ sku: "Power Apps per user" }])),
    expected: [{ instancePath: "/spec/licenses/0/sku", keyword: "pattern" }],
  },
  {
    name: "empty licenses list",
    document: variant(assignment, (d) => (d.spec.licenses = [])),
    expected: [{ instancePath: "/spec/licenses", keyword: "minItems", params: { limit: 1 } }],
  },
  {
    name: "billing status outside the enum",
    document: variant(billing, (d) => (d.spec.status = "Active")),
    expected: [
      { instancePath: "/spec/status", keyword: "enum", params: { allowedValues: ["Enabled", "Disabled"] } },
    ],
  },
  {
    name: "resource group ending in a period",
    document: variant(billing, (d) => ((d.spec.billingInstrument as Json).resourceGroup = "rg-billing.")),
    expected: [{ instancePath: "/spec/billingInstrument/resourceGroup", keyword: "pattern" }],
  },
  {
    name: "billing environments listed twice",
    document: variant(billing, (d) => (d.spec.environments = ["contoso-sandbox", "contoso-sandbox"])),
    expected: [{ instancePath: "/spec/environments", keyword: "uniqueItems", params: { i: 0, j: 1 } }],
  },
  {
    name: "prune for a kind that cannot be pruned",
    document: variant(tenant, (d) => (d.spec.prune = { Tenant: true })),
    expected: [
      {
        instancePath: "/spec/prune",
        keyword: "additionalProperties",
        params: { additionalProperty: "Tenant" },
      },
    ],
  },
  {
    name: "prune value that is not a boolean",
    document: variant(tenant, (d) => (d.spec.prune = { Environment: "yes" })),
    expected: [{ instancePath: "/spec/prune/Environment", keyword: "type", params: { type: "boolean" } }],
  },
  {
    name: "ignore given as a string",
    document: variant(tenant, (d) => (d.spec.ignore = "Dev - *")),
    expected: [{ instancePath: "/spec/ignore", keyword: "type", params: { type: "array" } }],
  },
  {
    name: "unknown cloud",
    document: variant(tenant, (d) => (d.spec.cloud = "azure")),
    expected: [{ instancePath: "/spec/cloud", keyword: "enum" }],
  },
  {
    name: "ensure outside the enum",
    document: variant(dlpPolicy, (d) => (d.spec.ensure = "deleted")),
    expected: [
      { instancePath: "/spec/ensure", keyword: "enum", params: { allowedValues: ["present", "absent"] } },
    ],
  },
];

describe("invalid documents are rejected with the right keyword at the right place", () => {
  const { validatePolicy } = compileSchemas();

  it.each([environment, dlpPolicy, allocation, assignment, billing, tenant])(
    "base document $kind is valid",
    (doc) => {
      expect(validatePolicy(doc)).toBe(true);
    },
  );

  it.each(cases)("$name", ({ document, expected }) => {
    expect(validatePolicy(document)).toBe(false);
    const actual = meaningfulErrors(validatePolicy.errors).map((e) => ({
      instancePath: e.instancePath,
      keyword: e.keyword,
      params: e.params,
    }));
    expect(actual).toHaveLength(expected.length);
    for (const want of expected) {
      expect(actual).toContainEqual(want.params ? want : { ...want, params: expect.anything() as unknown });
    }
  });
});
