/**
 * The value constraints of the policy schemas (schemas/common.schema.json) that live values can break.
 * A live value that does not fit is either left out (when leaving it out means "unmanaged") or makes
 * the whole object inexpressible.
 */
export const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const GEOGRAPHY = /^[a-z]+$/;
const AZURE_REGION = /^[a-z][a-z0-9]*$/;
const CONNECTOR_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const DATAVERSE_DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const CURRENCY_CODE = /^[A-Z]{3}$/;
const RESOURCE_GROUP = /^[-A-Za-z0-9_.()]*[-A-Za-z0-9_()]$/;
const LICENSE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const SOLUTION_CHECKER_RULE = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

const fits = (pattern: RegExp, max: number) => (value: string) =>
  value.length >= 1 && value.length <= max && pattern.test(value);

export const isGuid = (value: string): boolean => GUID_PATTERN.test(value);
export const isGeography = fits(GEOGRAPHY, 40);
export const isAzureRegion = fits(AZURE_REGION, 40);
export const isConnectorName = fits(CONNECTOR_NAME, 200);
export const isDataverseDomain = fits(DATAVERSE_DOMAIN, 63);
export const isCurrencyCode = (value: string): boolean => CURRENCY_CODE.test(value);
export const isResourceGroup = fits(RESOURCE_GROUP, 90);
export const isLicenseName = fits(LICENSE_NAME, 100);
export const isSolutionCheckerRule = (value: string): boolean => SOLUTION_CHECKER_RULE.test(value);
export const isWholeNumber = (value: unknown, min: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min;

/** A comment must stay on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
