/**
 * Reference lists (locations, currencies, languages: TF internal/services/locations, currencies,
 * languages) and domain-name validation (TF internal/services/environment/api_environment.go).
 */
import { bapError, isRecord, json, type Reply } from "../http.js";
import { route, type EmulatorContext, type Route, type RouteRequest } from "../routing.js";
import { BAP, DOMAIN_PATTERN, domainInUse, stringField } from "./environment-common.js";

function validateEnvironmentDetails(request: RouteRequest, context: EmulatorContext): Reply {
  const body = isRecord(request.body) ? request.body : {};
  const domainName = stringField(body, "domainName") ?? "";
  if (!DOMAIN_PATTERN.test(domainName)) {
    return bapError(400, "InvalidDomainName", `The domain name '${domainName}' is not valid.`);
  }
  if (domainInUse(context, domainName, stringField(body, "environmentName"))) {
    return bapError(400, "DomainNameAlreadyInUse", `The domain name '${domainName}' is already in use.`);
  }
  return json(200);
}

function referenceList(kind: "currencies" | "languages") {
  return (request: RouteRequest, context: EmulatorContext): Reply => {
    const location = (request.params[0] ?? "").toLowerCase();
    if (!context.reference.locations.some((entry) => entry.name === location)) {
      return bapError(404, "LocationNotFound", `The location '${location}' could not be found.`);
    }
    const segment = kind === "currencies" ? "environmentCurrencies" : "environmentLanguages";
    const value = context.reference[kind].map((entry) => ({
      ...entry,
      id: `${BAP}/locations/${location}/${segment}/${typeof entry.name === "string" ? entry.name : ""}`,
    }));
    return json(200, { value });
  };
}

export function referenceRoutes(): Route[] {
  return [
    // Source: TF provider internal/services/environment/api_environment.go
    route("POST", `${BAP}/validateEnvironmentDetails`, "bap", validateEnvironmentDetails, { mutates: false }),
    // Source: TF provider internal/services/locations/api_locations.go
    route("GET", `${BAP}/locations`, "bap", (_request, context) =>
      json(200, { value: context.reference.locations }),
    ),
    // Source: TF provider internal/services/currencies/api_currencies.go
    route("GET", `${BAP}/locations/{location}/environmentCurrencies`, "bap", referenceList("currencies")),
    // Source: TF provider internal/services/languages/api_languages.go
    route("GET", `${BAP}/locations/{location}/environmentLanguages`, "bap", referenceList("languages")),
  ];
}
