/** The PowerApps connector catalogue (TF internal/services/connectors), used to check DLP connector names. */
import type { WireConnector } from "../../core/wire/types.js";
import type { HttpClient } from "./http-client.js";
import { collectAll } from "./paging.js";
import { queryString } from "./query.js";

export class PowerAppsApi {
  constructor(private readonly http: HttpClient) {}

  /**
   * Every DLP-enforceable connector visible in an environment (default: the tenant's default
   * environment, "~Default"), following `nextLink`.
   */
  listConnectors(environment = "~Default"): Promise<WireConnector[]> {
    return collectAll<WireConnector>(this.http, {
      method: "GET",
      api: "powerapps",
      path: `/providers/Microsoft.PowerApps/apis${queryString({
        $filter: `environment eq '${environment}'`,
        "api-version": "2019-05-01",
        showApisWithToS: true,
        hideDlpExemptApis: true,
        showAllDlpEnforceableApis: true,
      })}`,
      // Source: TF provider internal/services/connectors/api_connectors.go
      endpoint: "GET /providers/Microsoft.PowerApps/apis",
      expect: [200],
      schema: "connectorList",
    });
  }
}
