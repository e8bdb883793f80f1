// Generates a realistic, valid policy repository for benchmarks: every kind, cross-references that
// the semantic rules resolve, documents of realistic size, several documents per file.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const CONNECTORS = [
  "shared_sharepointonline",
  "shared_office365",
  "shared_sql",
  "shared_teams",
  "shared_onedriveforbusiness",
  "shared_excelonlinebusiness",
  "shared_approvals",
  "shared_twitter",
  "shared_dropbox",
  "shared_salesforce",
  "shared_servicebus",
  "shared_azureblob",
];

function guid(seed) {
  const hex = (seed * 2654435761 + 0x9e3779b9).toString(16).padStart(8, "0").slice(-8);
  return `${hex}-1b2c-4d3e-8f40-${String(seed).padStart(12, "0")}`;
}

function environment(team, index, seed) {
  const type = ["Production", "Sandbox", "Developer", "Sandbox"][index % 4];
  return `# ${type} environment ${index} of team ${team}
apiVersion: ppgov/v1
kind: Environment
metadata:
  name: ${team}-env-${index}
  id: ${guid(seed)}
spec:
  displayName: ${team} environment ${index}
  description: Apps and flows of team ${team}, environment ${index}.
  location: europe
  azureRegion: westeurope
  type: ${type}
  group: ${team}
  securityGroupId: ${guid(seed + 7)}
  dataverse:
    domain: ${team}-env-${index}
    language: 1033
    currency: EUR
  managed:
    enabled: true
    maxShareLimit: 20
    limitSharingMode: excludeSharingToSecurityGroups
    solutionCheckerMode: warn
    usageInsights: true
`;
}

function group(team) {
  return `apiVersion: ppgov/v1
kind: EnvironmentGroup
metadata:
  name: ${team}
spec:
  displayName: ${team} group
  description: Environments of team ${team}.
`;
}

function dlp(team, environments) {
  const business = CONNECTORS.slice(0, 7);
  const nonBusiness = CONNECTORS.slice(7, 9);
  const blocked = CONNECTORS.slice(9);
  return `apiVersion: ppgov/v1
kind: DlpPolicy
metadata:
  name: ${team}-policy
spec:
  displayName: ${team} data policy
  scope:
    only: [${environments.join(", ")}]
  defaultGroup: blocked
  connectors:
    business: [${business.join(", ")}]
    nonBusiness: [${nonBusiness.join(", ")}]
    blocked: [${blocked.join(", ")}]
  connectorRules:
    shared_sql:
      actions:
        default: allow
        block: [ExecutePassThroughNativeQuery_V2, DeleteItem_V2]
      endpoints:
        - allow: ${team}.database.windows.net
        - allow: "*.${team}.contoso.com"
        - deny: "*"
    shared_sharepointonline:
      actions:
        default: block
        allow: [GetItems_V2, GetItem_V2, PostItem_V2]
  customConnectorUrlPatterns:
    - pattern: https://*.${team}.contoso.com
      group: business
    - pattern: https://api.contoso.com/*
      group: nonBusiness
    - pattern: "*"
      group: blocked
`;
}

function allocation(team, index) {
  return `apiVersion: ppgov/v1
kind: LicenseAllocation
metadata:
  name: ${team}-env-${index}
spec:
  environment: ${team}-env-${index}
  allocations:
    AppPass: ${index + 1}
    PowerAutomatePerProcess: 1
    AI: ${index * 10}
`;
}

function billing(team, environments) {
  return `apiVersion: ppgov/v1
kind: BillingPolicy
metadata:
  name: ${team}-payg
spec:
  displayName: ${team} pay-as-you-go
  location: europe
  status: Enabled
  billingInstrument:
    subscriptionId: 0f4c7b1e-2d3a-4c5b-9e8f-7a6b5c4d3e2f
    resourceGroup: rg-${team}-billing
  environments: [${environments.join(", ")}]
`;
}

function assignment(team, seed) {
  return `apiVersion: ppgov/v1
kind: LicenseAssignment
metadata:
  name: ${team}-makers
spec:
  group: ${guid(seed)}
  licenses:
    - sku: POWERAPPS_PER_USER
    - sku: FLOW_PER_USER
      disabledPlans: [DYN365_CDS_P2]
`;
}

/**
 * Writes `documents` documents into about `files` files under `dir`. Each team contributes a group,
 * 8 environments, 8 allocations, a DLP policy, a billing policy and a license assignment (20 documents),
 * split over a few files in its own folder. With `broken` (0..1), that share of teams gets mistakes:
 * a misspelt environment type and allocations to environments that do not exist. Returns the counts.
 */
export function generatePolicyRepo(dir, { documents = 10_000, files = 500, broken = 0 } = {}) {
  const perTeam = 20;
  const teams = Math.ceil(documents / perTeam);
  const filesPerTeam = Math.max(1, Math.round(files / teams));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "tenant.yaml"),
    "apiVersion: ppgov/v1\nkind: Tenant\nmetadata:\n  name: bench\nspec:\n  cloud: public\n  prune:\n    DlpPolicy: true\n",
  );
  let written = 1;
  let fileCount = 1;
  let seed = 1;
  for (let t = 0; t < teams && written < documents; t += 1) {
    const team = `team-${String(t).padStart(4, "0")}`;
    const environments = Array.from({ length: 8 }, (_, i) => `${team}-env-${i}`);
    const docs = [group(team)];
    environments.forEach((_, i) => docs.push(environment(team, i, (seed += 1))));
    environments.forEach((_, i) => docs.push(allocation(team, i)));
    docs.push(
      dlp(team, environments),
      billing(team, environments.slice(0, 3)),
      assignment(team, (seed += 1)),
    );
    if (broken > 0 && (t * broken) % 1 >= 1 - broken) {
      for (let i = 0; i < docs.length; i += 1) {
        docs[i] = docs[i]
          .replace("type: Production", "type: Prod")
          .replace(/environment: (team-\d+)-env-/, "environment: $1-nv-");
      }
    }
    const take = docs.slice(0, Math.min(docs.length, documents - written));
    const folder = join(dir, `area-${Math.floor(t / 50)}`, team);
    mkdirSync(folder, { recursive: true });
    const chunk = Math.ceil(take.length / filesPerTeam);
    for (let f = 0; f * chunk < take.length; f += 1) {
      writeFileSync(join(folder, `part-${f}.yaml`), take.slice(f * chunk, (f + 1) * chunk).join("---\n"));
      fileCount += 1;
    }
    written += take.length;
  }
  return { documents: written, files: fileCount };
}
