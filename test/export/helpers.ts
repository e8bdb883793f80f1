/** Shared by the export tests: the sample tenant as a LiveTenant, writing an export, planning it back. */
import { mkdir, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createPolicyLoaderDeps } from "../../src/adapters/fs/policy-loader.js";
import { loadPolicies } from "../../src/core/policy/load-policies.js";
import type { Diagnostic } from "../../src/core/diagnostics.js";
import type { ExportFile } from "../../src/core/export/index.js";
import {
  buildDesiredState,
  buildPlan,
  type LiveTenant,
  type ResourceChange,
} from "../../src/core/plan/index.js";
import type { WireBillingPolicy } from "../../src/core/wire/types.js";

interface SeedFile {
  tenantId?: string;
  environments?: LiveTenant["environments"];
  environmentGroups?: LiveTenant["environmentGroups"];
  dlpPolicies?: LiveTenant["dlpPolicies"];
  connectors?: LiveTenant["connectors"];
  unblockableConnectors?: { id: string }[];
  virtualConnectors?: LiveTenant["virtualConnectors"];
  billingPolicies?: WireBillingPolicy[];
  billingPolicyEnvironments?: Record<string, string[]>;
  allocations?: LiveTenant["allocations"];
  currencyPool?: Record<string, number>;
  subscribedSkus?: LiveTenant["subscribedSkus"];
  groups?: LiveTenant["licenseGroups"];
}

/** An emulator seed read as the tenant reader presents it. */
export function liveFromSeed(seed: SeedFile): LiveTenant {
  return {
    ...(seed.tenantId === undefined ? {} : { tenantId: seed.tenantId }),
    environments: seed.environments ?? [],
    environmentGroups: seed.environmentGroups ?? [],
    dlpPolicies: seed.dlpPolicies ?? [],
    connectors: seed.connectors ?? [],
    unblockableConnectorIds: (seed.unblockableConnectors ?? []).map((connector) => connector.id),
    virtualConnectors: seed.virtualConnectors ?? [],
    billingPolicies: (seed.billingPolicies ?? []).map((policy) => ({
      policy,
      environmentIds: seed.billingPolicyEnvironments?.[policy.id] ?? [],
    })),
    allocations: seed.allocations ?? {},
    subscribedSkus: seed.subscribedSkus ?? [],
    licenseGroups: (seed.groups ?? []).filter((group) => group.assignedLicenses.length > 0),
  };
}

export const sampleSeedFile = new URL("../../fixtures/seeds/sample-tenant.json", import.meta.url);

export function sampleLiveTenant(): LiveTenant {
  return liveFromSeed(JSON.parse(readFileSync(sampleSeedFile, "utf8")) as SeedFile);
}

export async function writeExportFiles(dir: string, files: readonly ExportFile[]): Promise<void> {
  for (const file of files) {
    const path = join(dir, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.text, "utf8");
  }
}

export interface RoundTrip {
  loadDiagnostics: Diagnostic[];
  planDiagnostics: Diagnostic[];
  /** Every planned change other than no-op. */
  changes: ResourceChange[];
  documentCount: number;
}

const loaderDeps = createPolicyLoaderDeps({ cwd: process.cwd() });

/** Loads a directory through the real loader and plans it against `live`. */
export async function planDirectory(dir: string, live: LiveTenant): Promise<RoundTrip> {
  const loaded = await loadPolicies(dir, loaderDeps);
  const { changes, diagnostics } = buildPlan(buildDesiredState(loaded.documents), live, {
    createdAt: "2026-01-01T00:00:00Z",
  });
  return {
    loadDiagnostics: loaded.diagnostics,
    planDiagnostics: diagnostics,
    changes: changes.filter((change) => change.action !== "no-op"),
    documentCount: loaded.documentCount,
  };
}

/** "Kind/name: action paths" lines, for readable assertion failures. */
export function describeChanges(changes: readonly ResourceChange[]): string[] {
  return changes.map(
    (change) => `${change.address}: ${change.action} ${change.changedPaths.map((p) => p.path).join(",")}`,
  );
}

export function errorsOf(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics
    .filter((diagnostic) => diagnostic.severity === "error")
    .map((diagnostic) => `${diagnostic.code} ${diagnostic.file}: ${diagnostic.message}`);
}
