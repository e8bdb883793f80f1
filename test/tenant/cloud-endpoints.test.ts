import { describe, expect, it } from "vitest";
import {
  CLOUD_NAMES,
  CLOUDS,
  EndpointResolver,
  type CloudName,
} from "../../src/adapters/tenant/endpoints.js";

/**
 * The national-cloud endpoint table, as docs/authentication.md ("Sovereign clouds") settles it from the
 * sources: the Terraform provider's internal/constants/constants.go, the PowerApps admin PowerShell
 * module's audience map (Get-AudienceForHostName), Learn and Graph's "National cloud deployments".
 */
const EXPECTED: Record<
  CloudName,
  { hosts: Record<string, string>; scopes: Record<string, string>; authority: string }
> = {
  public: {
    hosts: {
      bap: "https://api.bap.microsoft.com",
      powerapps: "https://api.powerapps.com",
      ppapi: "https://api.powerplatform.com",
      graph: "https://graph.microsoft.com",
      flow: "https://api.flow.microsoft.com",
    },
    scopes: {
      bap: "https://service.powerapps.com/.default",
      powerapps: "https://service.powerapps.com/.default",
      ppapi: "https://api.powerplatform.com/.default",
      graph: "https://graph.microsoft.com/.default",
      flow: "https://service.flow.microsoft.com/.default",
    },
    authority: "https://login.microsoftonline.com",
  },
  gcc: {
    hosts: {
      bap: "https://gov.api.bap.microsoft.us",
      powerapps: "https://gov.api.powerapps.us",
      ppapi: "https://api.gov.powerplatform.microsoft.us",
      graph: "https://graph.microsoft.com",
      flow: "https://gov.api.flow.microsoft.us",
    },
    scopes: {
      // The PowerShell module and Learn, not the Terraform provider's https://service.powerapps.us/.
      bap: "https://gov.service.powerapps.us/.default",
      powerapps: "https://gov.service.powerapps.us/.default",
      ppapi: "https://api.gov.powerplatform.microsoft.us/.default",
      graph: "https://graph.microsoft.com/.default",
      flow: "https://gov.service.flow.microsoft.us/.default",
    },
    authority: "https://login.microsoftonline.com",
  },
  gcchigh: {
    hosts: {
      bap: "https://high.api.bap.microsoft.us",
      powerapps: "https://high.api.powerapps.us",
      // Not the Terraform provider's constant api.appsplatform.us, which is DoD's host.
      ppapi: "https://api.high.powerplatform.microsoft.us",
      graph: "https://graph.microsoft.us",
      flow: "https://high.api.flow.microsoft.us",
    },
    scopes: {
      bap: "https://high.service.powerapps.us/.default",
      powerapps: "https://high.service.powerapps.us/.default",
      ppapi: "https://api.high.powerplatform.microsoft.us/.default",
      graph: "https://graph.microsoft.us/.default",
      flow: "https://high.service.flow.microsoft.us/.default",
    },
    authority: "https://login.microsoftonline.us",
  },
  dod: {
    hosts: {
      bap: "https://api.bap.appsplatform.us",
      powerapps: "https://api.apps.appsplatform.us",
      ppapi: "https://api.appsplatform.us",
      graph: "https://dod-graph.microsoft.us",
      flow: "https://api.flow.appsplatform.us",
    },
    scopes: {
      bap: "https://service.apps.appsplatform.us/.default",
      powerapps: "https://service.apps.appsplatform.us/.default",
      ppapi: "https://api.appsplatform.us/.default",
      graph: "https://dod-graph.microsoft.us/.default",
      flow: "https://service.flow.appsplatform.us/.default",
    },
    authority: "https://login.microsoftonline.us",
  },
  china: {
    hosts: {
      bap: "https://api.bap.partner.microsoftonline.cn",
      powerapps: "https://api.powerapps.cn",
      ppapi: "https://api.powerplatform.partner.microsoftonline.cn",
      graph: "https://microsoftgraph.chinacloudapi.cn",
      flow: "https://api.powerautomate.cn",
    },
    scopes: {
      bap: "https://service.powerapps.cn/.default",
      powerapps: "https://service.powerapps.cn/.default",
      ppapi: "https://api.powerplatform.partner.microsoftonline.cn/.default",
      graph: "https://microsoftgraph.chinacloudapi.cn/.default",
      flow: "https://service.powerautomate.cn/.default",
    },
    authority: "https://login.chinacloudapi.cn",
  },
};

const TENANT = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9";

describe("the national-cloud endpoint table", () => {
  it("has exactly the hosts, scopes and authority the sources settle, for every cloud", () => {
    expect(Object.keys(CLOUDS).sort()).toEqual([...CLOUD_NAMES].sort());
    for (const cloud of CLOUD_NAMES) {
      const profile = CLOUDS[cloud];
      expect(profile.hosts, cloud).toEqual(EXPECTED[cloud].hosts);
      expect(profile.scopes, cloud).toEqual(EXPECTED[cloud].scopes);
      expect(profile.authorityHost, cloud).toBe(EXPECTED[cloud].authority);
    }
  });

  it("builds the tenant-sharded Power Platform API host on each cloud's own Power Platform API host", () => {
    for (const cloud of CLOUD_NAMES) {
      const resolver = new EndpointResolver({ cloud });
      const url = resolver.tenantUrl(TENANT, "/governance/ruleSets?api-version=1");
      const ppapi = new URL(EXPECTED[cloud].hosts.ppapi!).hostname;
      expect(url.hostname, cloud).toBe(`0f1e2d3c4b5a69788695a4b3c2d1e0.f9.tenant.${ppapi}`);
      expect(resolver.scopeFor(url), cloud).toBe(EXPECTED[cloud].scopes.ppapi);
    }
  });

  it("follows links only to its own cloud's hosts: another cloud's hosts get no token", () => {
    for (const cloud of CLOUD_NAMES) {
      const resolver = new EndpointResolver({ cloud });
      const own = new URL(`${EXPECTED[cloud].hosts.bap!}/providers/Microsoft.BusinessAppPlatform/x`);
      expect(resolver.follow(own.href, own).href, cloud).toBe(own.href);
      for (const other of CLOUD_NAMES.filter(
        (candidate) => EXPECTED[candidate].hosts.bap !== EXPECTED[cloud].hosts.bap,
      )) {
        const foreign = `${EXPECTED[other].hosts.bap!}/providers/Microsoft.BusinessAppPlatform/x`;
        expect(() => resolver.follow(foreign, own), `${cloud} → ${other}`).toThrow(
          /refusing to send a token there/,
        );
      }
    }
  });

  it("uses one token audience for BAP and PowerApps in every cloud, as every source does", () => {
    for (const cloud of CLOUD_NAMES)
      expect(CLOUDS[cloud].scopes.bap, cloud).toBe(CLOUDS[cloud].scopes.powerapps);
  });
});
