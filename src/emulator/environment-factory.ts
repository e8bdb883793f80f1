import { randomBytes, randomUUID } from "node:crypto";
import { isRecord, timestamp, ZERO_GUID } from "./http.js";
import type { JsonObject, WireEnvironment } from "./types.js";

/** Per-geo details the service stamps on environments (runtime hosts, Dataverse URL suffix). */
interface GeoProfile {
  crm: string;
  shortName: string;
  flow: string;
}
const GEOS: Record<string, GeoProfile> = {
  unitedstates: { crm: "crm", shortName: "US", flow: "unitedstates" },
  europe: { crm: "crm4", shortName: "EU", flow: "emea" },
  unitedkingdom: { crm: "crm11", shortName: "UK", flow: "unitedkingdom" },
  asia: { crm: "crm5", shortName: "AS", flow: "asia" },
  australia: { crm: "crm6", shortName: "AU", flow: "australia" },
  india: { crm: "crm8", shortName: "IN", flow: "india" },
  japan: { crm: "crm7", shortName: "JP", flow: "japan" },
  canada: { crm: "crm3", shortName: "CA", flow: "canada" },
  southamerica: { crm: "crm2", shortName: "SA", flow: "southamerica" },
  france: { crm: "crm12", shortName: "FR", flow: "france" },
  germany: { crm: "crm16", shortName: "DE", flow: "germany" },
  switzerland: { crm: "crm17", shortName: "CH", flow: "switzerland" },
  norway: { crm: "crm19", shortName: "NO", flow: "norway" },
  korea: { crm: "crm20", shortName: "KR", flow: "korea" },
  sweden: { crm: "crm22", shortName: "SE", flow: "sweden" },
  southafrica: { crm: "crm14", shortName: "ZA", flow: "southafrica" },
  unitedarabemirates: { crm: "crm15", shortName: "AE", flow: "uae" },
};

function geoOf(location: string): GeoProfile {
  return GEOS[location.replace(/firstrelease$/, "")] ?? { crm: "crm", shortName: "US", flow: "unitedstates" };
}

export const ENVIRONMENT_TYPE = "Microsoft.BusinessAppPlatform/scopes/environments";

export function environmentResourceId(id: string): string {
  return `/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${id}`;
}

/** The principal that "did" something in the emulator; real objects name a user or an app. */
export function emulatorPrincipal(tenantId: string): JsonObject {
  return {
    id: "5c8f7d2e-6a1b-4c3d-9e0f-1a2b3c4d5e6f",
    displayName: "ppgov emulator",
    email: "admin@contoso.onmicrosoft.com",
    type: "User",
    tenantId,
    userPrincipalName: "admin@contoso.onmicrosoft.com",
  };
}

export interface DataverseRequest {
  domainName: string;
  baseLanguage: number;
  currencyCode: string;
  securityGroupId?: string;
  friendlyName: string;
}

/** The `linkedEnvironmentMetadata` the service reports once a Dataverse database exists. */
export function linkedMetadata(location: string, request: DataverseRequest, now: Date): JsonObject {
  const geo = geoOf(location);
  const metadata: JsonObject = {
    resourceId: randomUUID(),
    friendlyName: request.friendlyName,
    uniqueName: `unq${randomBytes(16).toString("hex")}`,
    domainName: request.domainName,
    version: "9.2.24101.00207",
    instanceUrl: `https://${request.domainName}.${geo.crm}.dynamics.com/`,
    instanceApiUrl: `https://${request.domainName}.api.${geo.crm}.dynamics.com`,
    baseLanguage: request.baseLanguage,
    instanceState: "Ready",
    createdTime: timestamp(now),
    backgroundOperationsState: "Enabled",
    scaleGroup: `${geo.shortName}CRMLIVESG${100 + (now.getUTCSeconds() % 800)}`,
    platformSku: "Standard",
    schemaType: "Standard",
  };
  if (request.securityGroupId && request.securityGroupId !== ZERO_GUID) {
    metadata.securityGroupId = request.securityGroupId;
  }
  return metadata;
}

/**
 * Operations the service lists as (dis)allowed, derived from the environment's current state the way
 * the recordings show it: Provision/Unlock need Dataverse, Promote/ForceFailover need Production,
 * customer-managed-key operations need a linked key (never, here), and governance operations depend on
 * whether the environment is managed.
 */
export function lifecycleEnforcement(properties: JsonObject): JsonObject {
  const hasDataverse = isRecord(properties.linkedEnvironmentMetadata);
  const sku = typeof properties.environmentSku === "string" ? properties.environmentSku : "Sandbox";
  const governance = properties.governanceConfiguration;
  const managed = isRecord(governance) && governance.protectionLevel === "Standard";
  const op = (id: string): JsonObject => ({ type: { id } });
  const because = (id: string, type: string, message?: string): JsonObject => ({
    type: { id },
    reason: message === undefined ? { type } : { message, type },
  });
  const governanceReason = (id: string): JsonObject =>
    because(
      id,
      "GovernanceConfig",
      `${id} cannot be performed on Power Platform environment because of the governance configuration.`,
    );
  const allowed = ["Move", "Backup", "Copy", "Delete", "Edit", "Reset", "Restore", "Enable", "Disable"].map(
    op,
  );
  allowed.push(
    governanceReason("DisableGovernanceConfiguration"),
    governanceReason("UpdateGovernanceConfiguration"),
  );
  const disallowed: JsonObject[] = [];
  if (!managed) allowed.push(op("EnableGovernanceConfiguration"));
  if (!hasDataverse) {
    for (const id of ["Provision", "Unlock"]) {
      disallowed.push(
        because(
          id,
          "CdsLink",
          `${id} cannot be performed because there is no linked CDS instance or the CDS instance version is not supported.`,
        ),
      );
    }
  }
  if (sku !== "Production") {
    for (const id of ["Promote", "ForceFailover"]) {
      disallowed.push(
        because(id, "EnvironmentSkuType", `${id} cannot be performed on environment of type ${sku}.`),
      );
    }
  }
  disallowed.push(because("RotateCustomerManagedKey", "EnvironmentCmkLinked"));
  disallowed.push(because("RevertToMicrosoftKey", "EnvironmentCmkLinked"));
  if (managed) disallowed.push(governanceReason("EnableGovernanceConfiguration"));
  return { allowedOperations: allowed, disallowedOperations: disallowed };
}

export interface NewEnvironment {
  id: string;
  location: string;
  azureRegion: string;
  displayName: string;
  description: string;
  sku: string;
  tenantId: string;
  updateCadence?: string;
  parentEnvironmentGroupId?: string;
  cluster?: string;
  usedBy?: JsonObject;
  bingChatEnabled?: boolean;
  m365Enabled?: boolean;
  dataverse?: DataverseRequest;
}

/**
 * A full environment object as a GET returns it (TF internal/services/environment), with every generated
 * property filled in.
 */
export function buildEnvironment(spec: NewEnvironment, now: Date): WireEnvironment {
  const geo = geoOf(spec.location);
  const created = timestamp(now);
  const host = spec.location;
  const properties: JsonObject = {
    tenantId: spec.tenantId,
    azureRegion: spec.azureRegion,
    displayName: spec.displayName,
    description: spec.description,
    createdTime: created,
    createdBy: emulatorPrincipal(spec.tenantId),
    lastModifiedTime: created,
    lastModifiedBy: emulatorPrincipal(spec.tenantId),
    provisioningState: "Succeeded",
    creationType: spec.sku === "Developer" ? "Developer" : "User",
    environmentSku: spec.sku,
    isDefault: false,
    addons: [],
    clientUris: {
      admin: `https://admin.powerplatform.microsoft.com/environments/environment/${spec.id}/hub`,
      maker: `https://make.powerapps.com/environments/${spec.id}/home`,
    },
    runtimeEndpoints: {
      "microsoft.BusinessAppPlatform": `https://${host}.api.bap.microsoft.com`,
      "microsoft.CommonDataModel": `https://${host}.api.cds.microsoft.com`,
      "microsoft.PowerApps": `https://${host}.api.powerapps.com`,
      "microsoft.PowerAppsAdvisor": `https://${host}.api.advisor.powerapps.com`,
      "microsoft.PowerVirtualAgents": `https://powervamg.${geo.shortName.toLowerCase()}-il101.gateway.prod.island.powerapps.com`,
      "microsoft.ApiManagement": `https://management.${host.toUpperCase()}.azure-apihub.net`,
      "microsoft.Flow": `https://${geo.flow}.api.flow.microsoft.com`,
    },
    // The service reports CommonDataService even without a database; metadata is then null
    // (test/contract/fixtures/tf-provider/environment).
    databaseType: "CommonDataService",
    linkedEnvironmentMetadata: spec.dataverse ? linkedMetadata(spec.location, spec.dataverse, now) : null,
    trialScenarioType: "None",
    notificationMetadata: { state: "NotSpecified", branding: "NotSpecific" },
    retentionPeriod: "P7D",
    states: {
      management: { id: "Ready" },
      runtime: {
        runtimeReasonCode: "NotSpecified",
        requestedBy: { displayName: "SYSTEM", type: "NotSpecified" },
        id: "Enabled",
      },
    },
    updateCadence: { id: spec.updateCadence ?? "Frequent" },
    retentionDetails: { retentionPeriod: "P7D", backupsAvailableFromDateTime: created },
    protectionStatus: { keyManagedBy: "Microsoft" },
    cluster: {
      category: spec.cluster ?? "Prod",
      number: "101",
      uriSuffix: `${geo.shortName.toLowerCase()}-il101.gateway.prod.island`,
      geoShortName: geo.shortName,
      environment: "Prod",
    },
    connectedGroups: [],
    governanceConfiguration: { protectionLevel: "Basic" },
    bingChatEnabled: spec.bingChatEnabled ?? true,
  };
  properties.lifecycleOperationsEnforcement = lifecycleEnforcement(properties);
  if (spec.parentEnvironmentGroupId)
    properties.parentEnvironmentGroup = { id: spec.parentEnvironmentGroupId };
  if (spec.usedBy) properties.usedBy = spec.usedBy;
  if (spec.m365Enabled !== undefined) properties.m365Enabled = spec.m365Enabled;
  return {
    id: environmentResourceId(spec.id),
    type: ENVIRONMENT_TYPE,
    location: spec.location,
    name: spec.id,
    properties,
  };
}

/** Per-environment storage consumption, returned with `$expand=properties.capacity`. */
export function capacityOf(env: WireEnvironment): JsonObject[] {
  const hasDataverse = isRecord(env.properties.linkedEnvironmentMetadata);
  const updatedOn = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const usage: [string, number][] = [
    ["Database", hasDataverse ? 1024.5 : 0],
    ["File", hasDataverse ? 312.25 : 0],
    ["Log", hasDataverse ? 12.0 : 0],
    ["FinOpsDatabase", 0],
    ["FinOpsFile", 0],
  ];
  return usage.map(([capacityType, mb]) => ({
    capacityType,
    actualConsumption: mb,
    ratedConsumption: mb,
    capacityUnit: "MB",
    updatedOn,
  }));
}
