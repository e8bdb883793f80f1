/**
 * JSON Schemas for the responses ppgov relies on. They require only the fields ppgov reads (typed in
 * src/core/wire/types.ts) and allow everything else, so new service fields never break a run while a
 * missing or mistyped field fails at the client with the endpoint and field named.
 */
import type { SchemaObject } from "ajv";
import { TENANT_SETTING_PATHS } from "../../core/kinds/tenant-settings.js";

const str = { type: "string" } as const;
const num = { type: "number" } as const;
const int = { type: "integer" } as const;
const bool = { type: "boolean" } as const;
const strArray = { type: "array", items: str } as const;

/** An object with `required` properties (all checked) and `optional` ones (checked when present). */
function obj(
  required: Record<string, SchemaObject>,
  optional: Record<string, SchemaObject> = {},
): SchemaObject {
  return {
    type: "object",
    required: Object.keys(required),
    properties: { ...optional, ...required },
  };
}

/** Also accepts null. Union types keep ajv's first error on the real shape rather than on "must be null". */
function nullable(schema: SchemaObject): SchemaObject {
  if (typeof schema.type === "string") return { ...schema, type: [schema.type, "null"] };
  if (Array.isArray(schema.enum)) return { ...schema, enum: [...(schema.enum as unknown[]), null] };
  return { anyOf: [schema, { type: "null" }] };
}

function list(item: SchemaObject): SchemaObject {
  return obj({ value: { type: "array", items: item } }, { nextLink: nullable(str), "@odata.nextLink": str });
}

const idRef = obj({ id: str });

const environment = obj(
  {
    id: str,
    name: str,
    location: str,
    properties: obj(
      { displayName: str, environmentSku: str },
      {
        description: nullable(str),
        azureRegion: nullable(str),
        provisioningState: str,
        isDefault: bool,
        parentEnvironmentGroup: nullable(idRef),
        billingPolicy: nullable(obj({ id: str })),
        databaseType: str,
        linkedEnvironmentMetadata: nullable(
          obj(
            {},
            {
              domainName: nullable(str),
              baseLanguage: num,
              securityGroupId: nullable(str),
              backgroundOperationsState: str,
              instanceUrl: nullable(str),
            },
          ),
        ),
        states: obj({}, { management: nullable(obj({ id: str })), runtime: nullable(obj({ id: str })) }),
        updateCadence: nullable(obj({ id: str })),
        cluster: nullable(obj({}, { category: nullable(str) })),
        governanceConfiguration: nullable(
          obj(
            { protectionLevel: str },
            { settings: nullable(obj({}, { extendedSettings: nullable({ type: "object" }) })) },
          ),
        ),
        bingChatEnabled: bool,
        m365Enabled: bool,
        copilotPolicies: nullable({ type: "object" }),
      },
    ),
  },
  { type: str },
);

const stage = obj({ id: str, state: obj({ id: str }) }, { name: str });

const lifecycleOperation = obj(
  { state: obj({ id: str }) },
  {
    id: str,
    type: obj({ id: str }),
    links: obj({}, { self: obj({ path: str }), environment: obj({ path: str }) }),
    stages: { type: "array", items: stage },
  },
);

const environmentGroup = obj({ id: str, displayName: str }, { description: nullable(str) });

const location = obj({ name: str, properties: obj({}, { azureRegions: strArray, isDisabled: bool }) });
const environmentCurrency = obj({ name: str, properties: obj({ code: str }) });
const environmentLanguage = obj({ name: str, properties: obj({ localeId: num }) });

const tenant = obj({ tenantId: str }, { state: str });

const connectorRef = obj({ id: str, name: str }, { type: str });
const environmentRef = obj({ id: str, name: str }, { type: str });
const classification = { enum: ["Confidential", "General", "Blocked"] } as const;

const policyDefinitionSummaryFields = {
  name: str,
  displayName: str,
  defaultConnectorsClassification: classification,
  environmentType: { enum: ["AllEnvironments", "OnlyEnvironments", "ExceptEnvironments"] },
  environments: { type: "array", items: environmentRef },
} satisfies Record<string, SchemaObject>;

const dlpPolicySummary = obj({ policyDefinition: obj(policyDefinitionSummaryFields, { etag: str }) });

const endpointRule: SchemaObject = {
  ...obj({ order: num, behavior: { enum: ["Allow", "Deny"] } }, { endPoint: str, endpoint: str }),
  anyOf: [{ required: ["endPoint"] }, { required: ["endpoint"] }],
};

const dlpPolicy = obj(
  {
    policyDefinition: obj(
      {
        ...policyDefinitionSummaryFields,
        connectorGroups: {
          type: "array",
          items: obj({ classification, connectors: { type: "array", items: connectorRef } }),
        },
      },
      { etag: str },
    ),
  },
  {
    connectorConfigurationsDefinition: nullable(
      obj(
        {},
        {
          connectorActionConfigurations: nullable({
            type: "array",
            items: obj(
              {
                connectorId: str,
                actionRules: {
                  type: "array",
                  items: obj({ actionId: str, behavior: { enum: ["Allow", "Block"] } }),
                },
              },
              { defaultConnectorActionRuleBehavior: nullable({ enum: ["Allow", "Block", ""] }) },
            ),
          }),
          endpointConfigurations: nullable({
            type: "array",
            items: obj({ connectorId: str, endpointRules: { type: "array", items: endpointRule } }),
          }),
        },
      ),
    ),
    customConnectorUrlPatternsDefinition: nullable(
      obj({
        rules: nullable({
          type: "array",
          items: obj({
            order: num,
            customConnectorRuleClassification: { enum: ["Confidential", "General", "Blocked", "Ignore"] },
            pattern: str,
          }),
        }),
      }),
    ),
  },
);

const unblockable = { type: "array", items: obj({ id: str, metadata: obj({ unblockable: bool }) }) };
const virtualConnectors = { type: "array", items: obj({ id: str, metadata: { type: "object" } }) };

const connector = obj(
  {
    name: str,
    id: str,
    properties: obj({ displayName: str }, { tier: str, isCustomApi: bool, publisher: str }),
  },
  { type: str },
);

const billingPolicy = obj({
  id: str,
  name: str,
  status: str,
  location: str,
  billingInstrument: obj({ subscriptionId: str, resourceGroup: str }, { id: str }),
});

const billingPolicyEnvironment = obj({ billingPolicyId: str, environmentId: str });

const environmentAllocations = obj({
  currencyAllocations: { type: "array", items: obj({ currencyType: str, allocated: num }) },
});

const tenantCapacity = obj({ tenantCapacities: { type: "array", items: obj({ capacityType: str }) } });

const subscribedSku = obj({
  id: str,
  skuId: str,
  skuPartNumber: str,
  consumedUnits: int,
  prepaidUnits: obj({ enabled: int }),
  servicePlans: { type: "array", items: obj({ servicePlanId: str, servicePlanName: str }) },
});

const graphGroup = obj(
  {
    id: str,
    assignedLicenses: { type: "array", items: obj({ skuId: str, disabledPlans: strArray }) },
  },
  { displayName: nullable(str) },
);

// Graph "tenantInformation resource type"
const tenantInformation = obj(
  { tenantId: str },
  { defaultDomainName: nullable(str), displayName: nullable(str) },
);

const ruleSet = obj(
  {
    parameters: {
      type: "array",
      items: obj({ type: str }, { value: nullable({ type: "array", items: obj({ id: str, value: str }) }) }),
    },
  },
  { id: str },
);

const tenantIsolationPolicy = obj({
  properties: obj(
    {
      allowedTenants: {
        type: "array",
        items: obj({ tenantId: str, direction: obj({ inbound: bool, outbound: bool }) }),
      },
    },
    { tenantId: str, isDisabled: bool },
  ),
});

// Learn, "Allocation - Get Allocations Availability V2" (AllocationAvailabilityResponseModel).
const allocationAvailability = obj({
  entitlementAllocationsAvailable: {
    type: "array",
    items: obj({ entitlementId: str, availableQuantity: num }),
  },
});

/** The known settings that are not booleans (schemas/tenant-settings.schema.json; a test keeps them in step). */
export const NON_BOOLEAN_TENANT_SETTINGS: Readonly<Record<string, SchemaObject>> = {
  "/powerPlatform/teamsIntegration/shareWithColleaguesUserLimit": int,
  "/powerPlatform/licensing/storageCapacityConsumptionWarningThreshold": int,
  "/powerPlatform/catalogSettings/powerCatalogAudienceSetting": str,
};

/**
 * Tenant settings: every setting the language knows, typed where present (a mistyped one would be read
 * as a difference and "corrected" on every apply), every group an object; unknown settings pass.
 */
function tenantSettingsSchema(): SchemaObject {
  const root: SchemaObject = { type: "object", properties: {} };
  for (const path of TENANT_SETTING_PATHS) {
    const segments = path.split("/").slice(1);
    let node = root;
    for (const segment of segments.slice(0, -1)) {
      const properties = node.properties as Record<string, SchemaObject>;
      properties[segment] ??= { type: "object", properties: {} };
      node = properties[segment];
    }
    (node.properties as Record<string, SchemaObject>)[segments.at(-1)!] = nullable(
      NON_BOOLEAN_TENANT_SETTINGS[path] ?? bool,
    );
  }
  return root;
}

/**
 * An admin app (PowerApps) or flow (Flow, unverified body: docs/emulator.md): only what the impact
 * analysis reads; `name` identifies it, the rest is optional.
 */
const inventoryObject = obj(
  { name: str },
  {
    properties: obj({}, { displayName: nullable(str), connectionReferences: nullable({ type: "object" }) }),
  },
);

/** Every response shape, by name. */
export const RESPONSE_SCHEMAS = {
  environment,
  environmentList: list(environment),
  lifecycleOperation,
  environmentGroup,
  environmentGroupList: list(environmentGroup),
  locationList: list(location),
  environmentCurrencyList: list(environmentCurrency),
  environmentLanguageList: list(environmentLanguage),
  tenant,
  tenantSettings: tenantSettingsSchema(),
  dlpPolicySummaryList: list(dlpPolicySummary),
  dlpPolicy,
  unblockableConnectors: unblockable,
  virtualConnectors,
  connectorList: list(connector),
  billingPolicy,
  billingPolicyList: list(billingPolicy),
  billingPolicyEnvironmentList: list(billingPolicyEnvironment),
  environmentAllocations,
  tenantCapacity,
  allocationAvailability,
  subscribedSkuList: list(subscribedSku),
  graphGroup,
  graphGroupList: list(graphGroup),
  tenantInformation,
  count: { type: "integer", minimum: 0 },
  ruleSet,
  ruleSetList: list(ruleSet),
  tenantIsolationPolicy,
  inventoryObject,
  inventoryObjectList: list(inventoryObject),
} satisfies Record<string, SchemaObject>;

export type ResponseSchemaName = keyof typeof RESPONSE_SCHEMAS;
