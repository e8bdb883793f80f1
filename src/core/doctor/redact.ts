/**
 * Redaction of recorded responses (`ppgov doctor --record`): what a user attaches to a bug report
 * must not name their tenant. GUIDs become stable hashes of the same shape (the same id is the same
 * hash everywhere, across runs, so references between files survive); names, emails and host names
 * become numbered placeholders. Microsoft's own catalogue ids (SKUs, service plans), connector names
 * and the services' public hosts are kept: they say nothing about the tenant and fixtures need them.
 */
import { createHash } from "node:crypto";

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
const HAS_EMAIL = new RegExp(EMAIL.source);
const GUID_OR_DEFAULT = new RegExp(`^(?:default-)?${GUID.source}$`, "i");
/** Dotted host names with a common top-level domain, wildcards included (`*.contoso.com`). */
const HOST =
  /(?<![A-Za-z0-9.-])(?:\*\.)?(?:[A-Za-z0-9_-]+\.)+(?:com|net|org|us|cn|io|co|uk|de|fr|eu|gov|edu|info|biz|local|internal|corp)(?![A-Za-z0-9-])/gi;

/** A name segment of an Azure resource id (`/resourceGroups/rg-x`, `/accounts/Contoso pay-as-you-go`). */
const ARM_NAME = /\/(resourceGroups|accounts|[A-Za-z]+s)\/([^/]+)(?=\/|$)/g;

/** Keys whose string values name something of the tenant (compared lower-case). */
const NAME_KEYS = new Set([
  "displayname",
  "friendlyname",
  "description",
  "uniquename",
  "domainname",
  "accountname",
  "resourcegroup",
  "tenantdisplayname",
  "givenname",
  "surname",
  "mailnickname",
  "userprincipalname",
  "mail",
  "email",
  "name",
]);

/** Keys holding Microsoft's public licensing catalogue ids, the same in every tenant. */
const CATALOGUE_ID_KEYS = new Set(["skuid", "serviceplanid", "disabledplans"]);

/** Connector names of Microsoft's catalogue (`shared_sharepointonline`). */
const CATALOGUE_NAME = /^shared_[a-z0-9_-]+$/i;

/** Host suffixes of Microsoft's public services (not the tenant's own hosts such as *.crm.dynamics.com). */
const PUBLIC_HOST_SUFFIXES = [
  "microsoft.com",
  "microsoft.us",
  "microsoftonline.com",
  "microsoftonline.us",
  "microsoftonline.cn",
  "chinacloudapi.cn",
  "powerapps.com",
  "powerapps.us",
  "powerapps.cn",
  "powerplatform.com",
  "appsplatform.us",
  "powerautomate.cn",
  "azureedge.net",
  "azure-apim.net",
  "azure-apihub.net",
];

export interface Redactor {
  /** A JSON value with every tenant-identifying string replaced. */
  json(value: unknown): unknown;
  /** A string (a path and query, a non-JSON body) with ids, emails and host names replaced. */
  text(value: string): string;
}

/** A stable GUID-shaped stand-in for a GUID: the first 128 bits of its sha256. */
export function hashGuid(guid: string): string {
  const hex = createHash("sha256").update(guid.toLowerCase()).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function isPublicHost(host: string): boolean {
  const lower = host.toLowerCase();
  return PUBLIC_HOST_SUFFIXES.some((suffix) => lower === suffix || lower.endsWith(`.${suffix}`));
}

/** One redactor per recording, so the same name gets the same placeholder in every file. */
export function createRedactor(): Redactor {
  const placeholders = new Map<string, string>();
  const counters = new Map<string, number>();
  const placeholder = (kind: string, original: string, format: (n: number) => string): string => {
    const key = `${kind}\u0000${original.toLowerCase()}`;
    const known = placeholders.get(key);
    if (known !== undefined) return known;
    const next = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, next);
    const made = format(next);
    placeholders.set(key, made);
    return made;
  };

  // Azure resource ids name the tenant's resource group and resources in their path.
  const armNames = (value: string): string =>
    !value.toLowerCase().startsWith("/subscriptions/")
      ? value
      : value.replace(ARM_NAME, (match: string, type: string, name: string) =>
          type.toLowerCase() === "providers"
            ? match
            : GUID_OR_DEFAULT.test(name)
              ? `/${type}/${name}`
              : `/${type}/${placeholder("name", name, (n) => `redacted-${n}`)}`,
        );

  const text = (value: string): string =>
    armNames(value)
      .replace(GUID, (guid) => hashGuid(guid))
      .replace(EMAIL, (email) => placeholder("email", email, (n) => `user${n}@example.invalid`))
      .replace(HOST, (host) =>
        isPublicHost(host) ? host : placeholder("host", host, (n) => `host${n}.example.invalid`),
      );

  const redactString = (key: string | undefined, value: string): string => {
    const lower = key?.toLowerCase();
    if (lower !== undefined && CATALOGUE_ID_KEYS.has(lower)) return value;
    if (lower !== undefined && NAME_KEYS.has(lower) && value !== "") {
      if (lower === "name" && (CATALOGUE_NAME.test(value) || GUID_OR_DEFAULT.test(value))) return text(value);
      if (HAS_EMAIL.test(value)) return text(value);
      return placeholder("name", value, (n) => `redacted-${n}`);
    }
    return text(value);
  };

  const json = (value: unknown, key?: string): unknown => {
    if (typeof value === "string") return redactString(key, value);
    if (Array.isArray(value)) return value.map((item) => json(item, key));
    if (typeof value === "object" && value !== null)
      return Object.fromEntries(
        Object.entries(value).map(([entryKey, entry]) => [text(entryKey), json(entry, entryKey)]),
      );
    return value;
  };

  return { json: (value) => json(value), text };
}
