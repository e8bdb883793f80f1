/** Request paths and api-versions (wire-formats §4–§8), in one place. */
export const BAP = "/providers/Microsoft.BusinessAppPlatform";
export const BAP_API_VERSION = "2023-06-01";
export const BAP_PATCH_API_VERSION = "2021-04-01";
export const DLP_V2 = "/providers/PowerPlatform.Governance/v2/policies";
export const LICENSING_API_VERSION = "2022-03-01-preview";
