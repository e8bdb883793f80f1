import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PpgovError } from "../core/errors.js";
import { packageRoot } from "../adapters/fs/package-root.js";
import type { EmulatorSeed, EmulatorState, JsonObject, WireConnectorMetadata } from "./types.js";

/** fixtures/ sits two levels above both src/emulator and dist/emulator. */
const fixturesRoot = pathToFileURL(`${packageRoot()}/fixtures/seeds/`);

/** Absolute path of the shipped sample tenant (Contoso). */
export const sampleSeedPath = fileURLToPath(new URL("sample-tenant.json", fixturesRoot));

/** Reference lists recorded from the real service (see fixtures/seeds/reference/README.md). */
export function referencePath(name: string): string {
  return fileURLToPath(new URL(`reference/${name}`, fixturesRoot));
}

export function readReferenceJson<T>(name: string): T {
  return JSON.parse(readFileSync(referencePath(name), "utf8")) as T;
}

type KeyKind = "array" | "object" | "string";
const SEED_KEYS: Record<keyof EmulatorSeed, KeyKind> = {
  environments: "array",
  environmentGroups: "array",
  dlpPolicies: "array",
  connectors: "array",
  unblockableConnectors: "array",
  billingPolicies: "array",
  allocations: "object",
  currencyPool: "object",
  subscribedSkus: "array",
  groups: "array",
  billingPolicyEnvironments: "object",
  virtualConnectors: "array",
  tenantId: "string",
  tenantSettings: "object",
  tenantCapacity: "object",
  tenantIsolationPolicy: "object",
  ruleSets: "array",
  groupMemberCounts: "object",
  tenantDomains: "object",
  apps: "object",
  flows: "object",
  lifecycleOperations: "array",
};

/** Fields each array element must carry, so a typo fails at load time rather than mid-request. */
const REQUIRED_ELEMENT_FIELDS: Partial<Record<keyof EmulatorSeed, string[]>> = {
  environments: ["name", "location", "properties"],
  environmentGroups: ["id", "displayName"],
  dlpPolicies: ["policyDefinition"],
  connectors: ["name"],
  unblockableConnectors: ["id"],
  billingPolicies: ["id", "name"],
  subscribedSkus: ["skuId", "skuPartNumber"],
  groups: ["id"],
  virtualConnectors: ["id"],
  ruleSets: ["id", "parameters"],
  lifecycleOperations: ["id", "environmentId", "type"],
};

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** Checks the top-level layout of a seed; `source` names the file in error messages. */
export function validateSeed(value: unknown, source: string): EmulatorSeed {
  if (kindOf(value) !== "object") {
    throw new PpgovError("SEED_INVALID", `${source}: a seed must be a JSON object, found ${kindOf(value)}`);
  }
  const record = value as Record<string, unknown>;
  for (const [key, actual] of Object.entries(record)) {
    const expected = SEED_KEYS[key as keyof EmulatorSeed];
    if (expected === undefined) {
      const known = Object.keys(SEED_KEYS).join(", ");
      throw new PpgovError(
        "SEED_INVALID",
        `${source}: unknown top-level key "${key}" (known keys: ${known})`,
      );
    }
    if (kindOf(actual) !== expected) {
      throw new PpgovError(
        "SEED_INVALID",
        `${source}: "${key}" must be a JSON ${expected}, found ${kindOf(actual)}`,
      );
    }
    const required = REQUIRED_ELEMENT_FIELDS[key as keyof EmulatorSeed];
    if (required && Array.isArray(actual)) {
      actual.forEach((element: unknown, index) => {
        if (kindOf(element) !== "object") {
          throw new PpgovError("SEED_INVALID", `${source}: ${key}[${index}] must be an object`);
        }
        for (const field of required) {
          const value = (element as Record<string, unknown>)[field];
          if (value === undefined) {
            throw new PpgovError("SEED_INVALID", `${source}: ${key}[${index}] is missing "${field}"`);
          }
          const expected =
            field === "properties" || field === "policyDefinition"
              ? "object"
              : field === "parameters"
                ? "array"
                : "string";
          if (kindOf(value) !== expected) {
            throw new PpgovError(
              "SEED_INVALID",
              `${source}: ${key}[${index}].${field} must be a JSON ${expected}, found ${kindOf(value)}`,
            );
          }
        }
      });
    }
  }
  const pool = record.currencyPool as Record<string, unknown> | undefined;
  for (const [type, owned] of Object.entries(pool ?? {})) {
    if (typeof owned !== "number" || !Number.isInteger(owned) || owned < 0) {
      throw new PpgovError("SEED_INVALID", `${source}: currencyPool.${type} must be a non-negative integer`);
    }
  }
  const allocations = record.allocations as Record<string, unknown> | undefined;
  const counts = record.groupMemberCounts as Record<string, unknown> | undefined;
  for (const [groupId, count] of Object.entries(counts ?? {})) {
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
      throw new PpgovError(
        "SEED_INVALID",
        `${source}: groupMemberCounts.${groupId} must be a non-negative integer`,
      );
    }
  }
  for (const [envId, list] of Object.entries(allocations ?? {})) {
    if (!Array.isArray(list)) {
      throw new PpgovError("SEED_INVALID", `${source}: allocations.${envId} must be an array`);
    }
  }
  return record;
}

/** Reads and validates a seed (or state) file. */
export async function loadSeedFile(path: string): Promise<EmulatorSeed> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : String(error);
    throw new PpgovError("SEED_INVALID", `cannot read seed ${path}: ${reason}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PpgovError("SEED_INVALID", `${path}: not valid JSON (${(error as Error).message})`);
  }
  return validateSeed(parsed, path);
}

const DEFAULT_TENANT_ID = "8a235459-3d2c-415d-8c1e-e2fe133509ad";

/** Fills every missing key; deep-copies so the caller's seed is never mutated. */
export function stateFromSeed(seed: EmulatorSeed): EmulatorState {
  const copy = structuredClone(seed);
  const environments = copy.environments ?? [];
  const billingPolicyEnvironments = copy.billingPolicyEnvironments ?? linksFromProjections(copy);
  const state: EmulatorState = {
    environments,
    environmentGroups: copy.environmentGroups ?? [],
    dlpPolicies: copy.dlpPolicies ?? [],
    connectors: copy.connectors ?? [],
    unblockableConnectors: copy.unblockableConnectors ?? [],
    billingPolicies: copy.billingPolicies ?? [],
    allocations: copy.allocations ?? {},
    currencyPool: copy.currencyPool ?? {},
    subscribedSkus: copy.subscribedSkus ?? [],
    groups: copy.groups ?? [],
    billingPolicyEnvironments,
    virtualConnectors:
      copy.virtualConnectors ?? readReferenceJson<WireConnectorMetadata[]>("virtual-connectors.json"),
    tenantId: copy.tenantId ?? tenantIdFromEnvironments(copy) ?? DEFAULT_TENANT_ID,
    tenantSettings: copy.tenantSettings ?? readReferenceJson<JsonObject>("tenant-settings.json"),
    tenantCapacity: copy.tenantCapacity ?? readReferenceJson<JsonObject>("tenant-capacity.json"),
    ruleSets: copy.ruleSets ?? [],
    groupMemberCounts: copy.groupMemberCounts ?? {},
    tenantDomains: copy.tenantDomains ?? {},
    apps: copy.apps ?? {},
    flows: copy.flows ?? {},
  };
  if (copy.tenantIsolationPolicy) state.tenantIsolationPolicy = copy.tenantIsolationPolicy;
  // The link is owned by the licensing API (TF internal/services/licensing): drop stale projections so there
  // is one truth.
  for (const env of environments) delete env.properties.billingPolicy;
  return state;
}

function tenantIdFromEnvironments(seed: EmulatorSeed): string | undefined {
  const first = seed.environments?.[0]?.properties.tenantId;
  return typeof first === "string" ? first : undefined;
}

/** A seed without explicit links derives them from the environments' `billingPolicy` projections. */
function linksFromProjections(seed: EmulatorSeed): Record<string, string[]> {
  const links: Record<string, string[]> = {};
  for (const env of seed.environments ?? []) {
    const projection = env.properties.billingPolicy as JsonObject | undefined;
    const policyId = typeof projection?.id === "string" ? projection.id : undefined;
    if (!policyId) continue;
    (links[policyId] ??= []).push(env.name.toLowerCase());
  }
  return links;
}
