import { mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import type { JsonObject } from "../../src/emulator/types.js";
import { runCli, withoutProgress } from "../helpers/run-cli.js";
import { POLLED_LIFECYCLE_MS } from "../helpers/scratch-tenant.js";

/**
 * The adoption loop a governance team lives in: export the tenant (the plan is empty), edit the YAML
 * (one edit per field kind of every resource kind), plan exactly those changes, apply, plan empty again,
 * and the emulated tenant holds the new values.
 */

interface Edit {
  file: string;
  from: string;
  to: string;
}

const EDITS: Edit[] = [
  // EnvironmentGroup: a string field.
  {
    file: "environment-groups/finance.yaml",
    from: "description: Finance department environments",
    to: "description: Finance reporting and month-end close",
  },
  // Environment: a number, an enum and a boolean of the managed settings; a string and an enum at the top.
  { file: "environments/contoso-production.yaml", from: "maxShareLimit: 20", to: "maxShareLimit: 25" },
  {
    file: "environments/contoso-production.yaml",
    from: "solutionCheckerMode: warn",
    to: "solutionCheckerMode: block",
  },
  { file: "environments/contoso-production.yaml", from: "usageInsights: true", to: "usageInsights: false" },
  {
    file: "environments/marketing-sandbox.yaml",
    from: "description: Campaign prototypes",
    to: "description: Campaign prototypes and A/B tests",
  },
  {
    file: "environments/marketing-sandbox.yaml",
    from: "updateCadence: Frequent",
    to: "updateCadence: Moderate",
  },
  // DlpPolicy: scope list, connector set, action rules, endpoint rules (ordered), URL patterns (ordered).
  {
    file: "dlp/production-strict.yaml",
    from: "      - finance-production\n",
    to: "      - finance-production\n      - contoso-integration\n",
  },
  {
    file: "dlp/production-strict.yaml",
    from: "      - shared_approvals # Approvals\n",
    to: "      - shared_approvals # Approvals\n      - shared_azureblob\n",
  },
  {
    file: "dlp/production-strict.yaml",
    from: "          - ExecutePassThroughNativeQuery_V2\n",
    to: "          - ExecutePassThroughNativeQuery_V2\n          - ExecuteProcedure_V2\n",
  },
  {
    file: "dlp/production-strict.yaml",
    from: "        - allow: contoso-finance-sql.database.windows.net\n",
    to: "        - allow: contoso-finance-sql.database.windows.net\n        - allow: contoso-reporting.database.windows.net\n",
  },
  {
    file: "dlp/production-strict.yaml",
    from: "  customConnectorUrlPatterns:\n",
    to: "  customConnectorUrlPatterns:\n    - pattern: https://api.contoso.com/*\n      group: business\n",
  },
  // LicenseAllocation: an amount of one currency.
  { file: "licensing/allocations/contoso-production.yaml", from: "AppPass: 20", to: "AppPass: 15" },
  // LicenseAssignment: a disabled service plan removed.
  {
    file: "licensing/assignments/power-platform-makers.yaml",
    from: "      disabledPlans:\n        - DYN365_CDS_P2\n",
    to: "",
  },
  // BillingPolicy: its status.
  { file: "licensing/billing/contoso-pay-as-you-go.yaml", from: "status: Enabled", to: "status: Disabled" },
  // Tenant: prune allocations; the copilot-studio-lab allocation's file is deleted below.
  { file: "tenant.yaml", from: "LicenseAllocation: false", to: "LicenseAllocation: true" },
];

const NEW_GROUP = `apiVersion: ppgov/v1
kind: EnvironmentGroup
metadata:
  name: research
spec:
  displayName: Research
  description: Long-running research environments
`;

interface ConnectorGroup {
  classification: string;
  connectors: { id: string }[];
}

interface JsonPlan {
  steps: { address: string; label: string }[];
  summary: { add: number; change: number; replace: number; destroy: number };
}

describe("YAML edits of every resource kind, planned and applied", () => {
  let emulator: RunningEmulator;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const repo = (): string => join(cwd, "repo");

  beforeAll(async () => {
    emulator = await startEmulator({
      seed: await loadSeedFile(sampleSeedPath),
      lifecycleDelayMs: POLLED_LIFECYCLE_MS,
    });
    cwd = await mkdtemp(join(tmpdir(), "ppgov-edits-e2e-"));
    env = {
      PPGOV_ENDPOINT: emulator.url,
      PPGOV_TOKEN: "ppgov-dev",
      PPGOV_CACHE_DIR: join(cwd, "cache"),
      PPGOV_JOURNAL: join(cwd, "journal.jsonl"),
      PPGOV_LOCK_DIR: join(cwd, "locks"),
    };
  });
  afterAll(async () => {
    await emulator.close();
    await rm(cwd, { recursive: true, force: true });
  });

  it("plans exactly the edits, applies them, and the tenant holds the new values", async () => {
    const exported = await runCli(["export", "-o", "repo"], { cwd, env });
    expect(exported.code).toBe(0);
    const baseline = await runCli(["plan", "-d", "repo", "--detailed-exitcode"], { cwd, env });
    expect(baseline.stdout).toContain("No changes.");
    expect(baseline.code).toBe(0);

    for (const edit of EDITS) {
      const path = join(repo(), edit.file);
      const text = await readFile(path, "utf8");
      expect(text, `${edit.file} holds ${JSON.stringify(edit.from)}`).toContain(edit.from);
      await writeFile(path, text.replace(edit.from, edit.to));
    }
    await writeFile(join(repo(), "environment-groups/research.yaml"), NEW_GROUP);
    await unlink(join(repo(), "licensing/allocations/copilot-studio-lab.yaml"));
    // Pruned live objects no document names are addressed by id.
    const labId = emulator
      .state()
      .environments?.find((e) => e.properties.displayName === "Copilot Studio Lab")?.name;
    expect(labId).toBeDefined();
    const pruned = `LicenseAllocation/id:${labId ?? ""}`;

    const planned = await runCli(["plan", "-d", "repo", "-o", "plan.json", "--detailed-exitcode"], {
      cwd,
      env,
    });
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(2);
    const text = planned.stdout;
    expect(text).toMatch(/^Plan: 1 to add, 7 to change, 1 to destroy\.$/m);
    for (const line of [
      "+ EnvironmentGroup/research",
      '~ description: "Finance department environments" → "Finance reporting and month-end close"',
      "~ managed.maxShareLimit: 20 → 25",
      '~ managed.solutionCheckerMode: "warn" → "block"',
      "~ managed.usageInsights: true → false",
      '~ description: "Campaign prototypes" → "Campaign prototypes and A/B tests"',
      '~ updateCadence: "Frequent" → "Moderate"',
      "~ allocations.AppPass: 20 → 15",
      '~ status: "Enabled" → "Disabled"',
      `- ${pruned} ("Copilot Studio Lab", ${labId})`,
    ])
      expect(text).toContain(line);
    expect(text).toMatch(/~ connectors\.shared_azureblob: \w+ → business/);
    expect(text).toContain("contoso-reporting.database.windows.net");
    expect(text).toContain("ExecuteProcedure_V2");
    expect(text).toContain("https://api.contoso.com/*");

    const plan = JSON.parse(await readFile(join(cwd, "plan.json"), "utf8")) as JsonPlan;
    expect(new Set(plan.steps.map((step) => step.address))).toEqual(
      new Set([
        "EnvironmentGroup/research",
        "EnvironmentGroup/finance",
        "Environment/contoso-production",
        "Environment/marketing-sandbox",
        "DlpPolicy/production-strict",
        "LicenseAllocation/contoso-production",
        pruned,
        "LicenseAssignment/power-platform-makers",
        "BillingPolicy/contoso-pay-as-you-go",
      ]),
    );

    const applied = await runCli(["apply", "plan.json", "-d", "repo", "--auto-approve"], { cwd, env });
    expect(withoutProgress(applied.stderr)).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("Apply complete! Resources: 1 added, 7 changed, 1 destroyed.");

    const replanned = await runCli(["plan", "-d", "repo", "--detailed-exitcode"], { cwd, env });
    expect(replanned.stdout).toContain("No changes.");
    expect(replanned.code).toBe(0);

    const state = emulator.state();
    const groups = state.environmentGroups ?? [];
    expect(groups.find((g) => g.displayName === "Finance")?.description).toBe(
      "Finance reporting and month-end close",
    );
    expect(groups.filter((g) => g.displayName === "Research")).toHaveLength(1);

    const environment = (displayName: string): JsonObject | undefined =>
      state.environments?.find((e) => e.properties.displayName === displayName)?.properties;
    const production = environment("Contoso Production");
    expect(production?.governanceConfiguration).toMatchObject({
      settings: {
        extendedSettings: {
          maxLimitUserSharing: "25",
          solutionCheckerMode: "block",
          excludeEnvironmentFromAnalysis: "true",
        },
      },
    });
    const sandbox = environment("Marketing Sandbox");
    expect(sandbox?.description).toBe("Campaign prototypes and A/B tests");
    expect(sandbox?.updateCadence).toEqual({ id: "Moderate" });

    const strict = state.dlpPolicies?.find((p) => p.policyDefinition.displayName === "Production - strict");
    expect(strict).toBeDefined();
    const environmentIds = (strict?.policyDefinition.environments as unknown as { name: string }[]).map(
      (e) => e.name,
    );
    const integrationId = state.environments?.find(
      (e) => e.properties.displayName === "Contoso Integration",
    )?.name;
    expect(environmentIds).toContain(integrationId);
    const business = (strict?.policyDefinition.connectorGroups as unknown as ConnectorGroup[]).find(
      (group) => group.classification === "Confidential",
    );
    expect(business?.connectors.map((c) => c.id)).toContain(
      "/providers/Microsoft.PowerApps/apis/shared_azureblob",
    );
    expect(strict?.connectorConfigurationsDefinition).toMatchObject({
      connectorActionConfigurations: [
        {
          connectorId: "/providers/Microsoft.PowerApps/apis/shared_sql",
          actionRules: expect.arrayContaining([
            { actionId: "ExecuteProcedure_V2", behavior: "Block" },
          ]) as unknown,
        },
      ],
      endpointConfigurations: expect.arrayContaining([
        {
          connectorId: "/providers/Microsoft.PowerApps/apis/shared_sql",
          endpointRules: [
            { order: 1, behavior: "Allow", endPoint: "contoso-sql.database.windows.net" },
            { order: 2, behavior: "Allow", endPoint: "contoso-finance-sql.database.windows.net" },
            { order: 3, behavior: "Allow", endPoint: "contoso-reporting.database.windows.net" },
            { order: 4, behavior: "Deny", endPoint: "*" },
          ],
        },
      ]) as unknown,
    });
    expect(strict?.customConnectorUrlPatternsDefinition).toEqual({
      rules: [
        { order: 1, customConnectorRuleClassification: "Confidential", pattern: "https://api.contoso.com/*" },
        { order: 2, customConnectorRuleClassification: "Confidential", pattern: "https://*.contoso.com" },
        { order: 3, customConnectorRuleClassification: "Blocked", pattern: "*" },
      ],
    });

    const productionId = state.environments?.find(
      (e) => e.properties.displayName === "Contoso Production",
    )?.name;
    expect(state.allocations?.[productionId ?? ""]).toContainEqual({
      currencyType: "AppPass",
      allocated: 15,
    });
    // The pruned allocation is released; the lab's Copilot credits are allocationsV2's and stay.
    expect((state.allocations?.[labId ?? ""] ?? []).filter((a) => a.allocated !== 0)).toEqual([
      { currencyType: "MCSMessages", allocated: 10000 },
    ]);

    const makers = state.groups?.find((g) => g.displayName === "Power Platform Makers");
    expect(makers?.assignedLicenses?.map((license) => license.disabledPlans)).toEqual([[], []]);
    expect(state.billingPolicies?.find((b) => b.name === "Contoso pay-as-you-go")?.status).toBe("Disabled");
  }, 60_000);
});
