import { DLP_GROUPS, type DlpGroup } from "../types.js";
import { ofKind, type Rule } from "./context.js";

/** PPG305: a connector belongs to exactly one group of a policy. */
export const connectorInOneGroup: Rule = (context) => {
  for (const loaded of ofKind(context.documents, "DlpPolicy")) {
    const connectors = loaded.document.spec.connectors ?? {};
    const groupOf = new Map<string, DlpGroup>();
    for (const group of DLP_GROUPS) {
      (connectors[group] ?? []).forEach((connector, index) => {
        const key = connector.toLowerCase();
        const earlier = groupOf.get(key);
        if (earlier === undefined) {
          groupOf.set(key, group);
          return;
        }
        if (earlier === group) return; // A repeat inside one list is the schema's uniqueItems finding.
        context.report(
          loaded,
          "PPG305",
          `/spec/connectors/${group}/${index}`,
          `connector '${connector}' is listed in both ${earlier} and ${group}; a connector belongs to one group`,
        );
      });
    }
  }
};

/** PPG306: endpoint rules are evaluated in order; without a final "*" rule the fallback is undefined. */
export const endpointRulesEndWithCatchAll: Rule = (context) => {
  for (const loaded of ofKind(context.documents, "DlpPolicy")) {
    for (const [connector, rule] of Object.entries(loaded.document.spec.connectorRules ?? {})) {
      const endpoints = rule.endpoints ?? [];
      const last = endpoints[endpoints.length - 1];
      if (last === undefined) continue;
      const pattern = "allow" in last ? last.allow : last.deny;
      if (pattern === "*") continue;
      context.report(
        loaded,
        "PPG306",
        `/spec/connectorRules/${connector.replace(/~/g, "~0").replace(/\//g, "~1")}/endpoints/${endpoints.length - 1}`,
        `the endpoint rules of ${connector} must end with the catch-all "*" (add '- deny: "*"' or '- allow: "*"' as the last rule); the last rule matches '${pattern}'`,
      );
    }
  }
};

/** PPG307: custom connector URL patterns likewise need a final "*" rule. */
export const urlPatternsEndWithCatchAll: Rule = (context) => {
  for (const loaded of ofKind(context.documents, "DlpPolicy")) {
    const patterns = loaded.document.spec.customConnectorUrlPatterns ?? [];
    const last = patterns[patterns.length - 1];
    if (last === undefined || last.pattern === "*") continue;
    context.report(
      loaded,
      "PPG307",
      `/spec/customConnectorUrlPatterns/${patterns.length - 1}/pattern`,
      `spec.customConnectorUrlPatterns must end with the catch-all pattern "*" (e.g. '- pattern: "*"' with group blocked); the last pattern is '${last.pattern}'`,
    );
  }
};
