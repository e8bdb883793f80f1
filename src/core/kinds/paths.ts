/** Request paths and api-versions (sources in the `// Source:` comments below), in one place. */
// Source: TF provider internal/services/environment/api_environment.go (host api.bap.microsoft.com)
export const BAP = "/providers/Microsoft.BusinessAppPlatform";
// Source: TF provider internal/constants/constants.go (BAP_API_VERSION)
export const BAP_API_VERSION = "2023-06-01";
// Source: TF provider internal/constants/constants.go (BAP_2021_API_VERSION)
export const BAP_PATCH_API_VERSION = "2021-04-01";
// Source: TF provider internal/services/dlp_policy/api_dlp_policy.go
export const DLP_V2 = "/providers/PowerPlatform.Governance/v2/policies";
// Source: TF provider internal/services/licensing/api_licensing.go (Learn's "Billing Policy" and "Currency Allocation" pages: 2024-10-01)
export const LICENSING_API_VERSION = "2022-03-01-preview";
