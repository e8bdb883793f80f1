/**
 * The reads `ppgov doctor` sends: one per read that `plan`, `export` and `plan --impact` make, each
 * through the same TenantClient method (so the same request builder and response decoder). A probe
 * that needs an object of the tenant (an environment, a group) takes the first one an earlier probe
 * listed, and is skipped when the tenant has none.
 */
import { CURRENCY_TYPES } from "../../core/wire/types.js";
import type { ApiName } from "./endpoints.js";
import type { TenantClient } from "./index.js";
import { InventoryApi } from "./inventory-api.js";
import { getTenantIsolationPolicy } from "./tenant-isolation-api.js";

/** Ids earlier probes found, for the probes that read one object. */
export interface ProbeFindings {
  tenantId?: string;
  environmentId?: string;
  environmentGroupId?: string;
  dlpPolicyName?: string;
  billingPolicyId?: string;
  licensedGroupId?: string;
}

export type Finding = keyof ProbeFindings;

export interface ReadProbe {
  /** Short name for the table ("environments"). */
  name: string;
  api: ApiName;
  /** The commands that make this read. */
  usedBy: readonly ("plan" | "export" | "plan --impact")[];
  /** The finding the probe reads one object of; without it the probe is skipped. */
  requires?: Finding;
  /** What the identity needs for this read (docs/authentication.md, "Least-privilege permissions"). */
  needs: string;
  /** Sends the read through the client and notes what later probes need. */
  run(client: TenantClient, found: ProbeFindings): Promise<void>;
}

const MANAGEMENT_APP =
  "registration as a Power Platform management application (pac admin application register), or the Power Platform Administrator role for a user";
const GRAPH_SKUS = "Graph application permission Organization.Read.All (or LicenseAssignment.Read.All)";
const GRAPH_GROUPS = "Graph application permission GroupMember.Read.All (or Group.Read.All)";

/** The finding a probe requires, known to be there when it runs. */
function required(found: ProbeFindings, finding: Finding): string {
  const value = found[finding];
  if (value === undefined) throw new Error(`doctor probe ran without ${finding}`);
  return value;
}

/** Every read probe, in the order they run (later ones use what earlier ones found). */
export const READ_PROBES: readonly ReadProbe[] = [
  {
    name: "tenant",
    api: "bap",
    usedBy: ["plan", "export"],
    needs: MANAGEMENT_APP,
    run: async (client, found) => {
      found.tenantId = (await client.admin.getTenant()).tenantId;
    },
  },
  {
    name: "environments",
    api: "bap",
    usedBy: ["plan", "export"],
    needs: MANAGEMENT_APP,
    run: async (client, found) => {
      const [first] = await client.admin.listEnvironments();
      if (first !== undefined) found.environmentId = first.name;
    },
  },
  {
    name: "environment groups",
    api: "bap",
    usedBy: ["plan", "export"],
    needs: MANAGEMENT_APP,
    run: async (client, found) => {
      const [first] = await client.admin.listEnvironmentGroups();
      if (first !== undefined) found.environmentGroupId = first.id;
    },
  },
  {
    name: "environment group rule set",
    api: "ppapi",
    usedBy: ["plan", "export"],
    requires: "environmentGroupId",
    needs: MANAGEMENT_APP,
    run: async (client, found) => {
      await client.admin.getEnvironmentGroupRuleSet(
        required(found, "tenantId"),
        required(found, "environmentGroupId"),
      );
    },
  },
  {
    name: "DLP policies",
    api: "bap",
    usedBy: ["plan", "export"],
    needs: MANAGEMENT_APP,
    run: async (client, found) => {
      const [first] = await client.governance.listPolicySummaries();
      if (first !== undefined) found.dlpPolicyName = first.policyDefinition.name;
    },
  },
  {
    name: "DLP policy",
    api: "bap",
    usedBy: ["plan", "export"],
    requires: "dlpPolicyName",
    needs: MANAGEMENT_APP,
    run: async (client, found) => {
      await client.governance.getPolicy(required(found, "dlpPolicyName"));
    },
  },
  {
    name: "connectors",
    api: "powerapps",
    usedBy: ["plan"],
    needs: MANAGEMENT_APP,
    run: async (client) => {
      await client.powerApps.listConnectors();
    },
  },
  {
    name: "unblockable connectors",
    api: "bap",
    usedBy: ["plan"],
    needs: MANAGEMENT_APP,
    run: async (client) => {
      await client.governance.listUnblockableConnectors();
    },
  },
  {
    name: "virtual connectors",
    api: "bap",
    usedBy: ["plan"],
    needs: MANAGEMENT_APP,
    run: async (client) => {
      await client.governance.listVirtualConnectors();
    },
  },
  {
    name: "tenant settings",
    api: "bap",
    usedBy: ["plan", "export"],
    needs: MANAGEMENT_APP,
    run: async (client) => {
      await client.admin.listTenantSettings();
    },
  },
  {
    name: "tenant isolation policy",
    api: "bap",
    usedBy: ["plan", "export"],
    requires: "tenantId",
    needs: MANAGEMENT_APP,
    run: async (client, found) => {
      await getTenantIsolationPolicy(client.http, required(found, "tenantId"));
    },
  },
  {
    name: "billing policies",
    api: "ppapi",
    usedBy: ["plan", "export"],
    needs: MANAGEMENT_APP,
    run: async (client, found) => {
      const [first] = await client.licensing.listBillingPolicies();
      if (first !== undefined) found.billingPolicyId = first.id;
    },
  },
  {
    name: "billing policy environments",
    api: "ppapi",
    usedBy: ["plan", "export"],
    requires: "billingPolicyId",
    needs: MANAGEMENT_APP,
    run: async (client, found) => {
      await client.licensing.listBillingPolicyEnvironments(required(found, "billingPolicyId"));
    },
  },
  {
    name: "environment allocations",
    api: "ppapi",
    usedBy: ["plan", "export"],
    requires: "environmentId",
    needs: MANAGEMENT_APP,
    run: async (client, found) => {
      await client.licensing.getEnvironmentAllocations(required(found, "environmentId"));
    },
  },
  {
    name: "allocation availability",
    api: "ppapi",
    usedBy: ["plan"],
    requires: "environmentId",
    needs: MANAGEMENT_APP,
    run: async (client, found) => {
      await client.licensing.getAllocationAvailability(required(found, "environmentId"), CURRENCY_TYPES);
    },
  },
  {
    name: "subscribed SKUs",
    api: "graph",
    usedBy: ["plan", "export"],
    needs: GRAPH_SKUS,
    run: async (client) => {
      await client.graph.listSubscribedSkus();
    },
  },
  {
    name: "licensed groups",
    api: "graph",
    usedBy: ["plan", "export"],
    needs: GRAPH_GROUPS,
    run: async (client, found) => {
      const [first] = await client.graph.listLicensedGroups();
      if (first !== undefined) found.licensedGroupId = first.id;
    },
  },
  {
    name: "group",
    api: "graph",
    usedBy: ["plan", "export"],
    requires: "licensedGroupId",
    needs: GRAPH_GROUPS,
    run: async (client, found) => {
      await client.graph.getGroup(required(found, "licensedGroupId"));
    },
  },
  {
    name: "group member count",
    api: "graph",
    usedBy: ["plan"],
    requires: "licensedGroupId",
    needs: GRAPH_GROUPS,
    run: async (client, found) => {
      await client.graph.countGroupMembers(required(found, "licensedGroupId"));
    },
  },
  {
    name: "apps and flows",
    api: "flow",
    usedBy: ["plan --impact"],
    requires: "environmentId",
    needs: MANAGEMENT_APP,
    run: async (client, found) => {
      // The inventory reader keeps going past a failed environment (plan must not fail on it); here
      // the failure is the answer.
      const inventory = await new InventoryApi(client.http).read([required(found, "environmentId")], {
        concurrency: 1,
        budgetMs: 60_000,
      });
      const [notRead] = inventory.environmentsNotRead;
      if (notRead !== undefined) throw new Error(notRead.reason);
    },
  },
];
