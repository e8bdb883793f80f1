import { randomUUID } from "node:crypto";
import { isRecord, json, ppError, type Reply } from "../http.js";
import { route, type EmulatorContext, type Route, type RouteRequest } from "../routing.js";
import type { JsonObject, WireRuleSet } from "../types.js";

/** The environment groups a rule set applies to (its `environmentFilter`). */
export function ruleSetGroupIds(ruleSet: WireRuleSet): string[] {
  const filter = ruleSet.environmentFilter;
  const values = isRecord(filter) && Array.isArray(filter.values) ? filter.values : [];
  return values
    .map((value) => (isRecord(value) && typeof value.id === "string" ? value.id.toLowerCase() : ""))
    .filter((id) => id !== "");
}

function forGroup(context: EmulatorContext, groupId: string): WireRuleSet[] {
  return context.store.state.ruleSets.filter((ruleSet) =>
    ruleSetGroupIds(ruleSet).includes(groupId.toLowerCase()),
  );
}

function groupExists(context: EmulatorContext, id: string): boolean {
  return context.store.state.environmentGroups.some((group) => group.id.toLowerCase() === id.toLowerCase());
}

/** Validates `parameters`; every value is a string, as in the recordings. */
function parameters(body: unknown): JsonObject[] | Reply {
  const list = isRecord(body) && Array.isArray(body.parameters) ? body.parameters : undefined;
  if (!list) return ppError(400, "InvalidRuleSet", "The rule set must contain a 'parameters' array.");
  const result: JsonObject[] = [];
  for (const parameter of list) {
    if (!isRecord(parameter) || typeof parameter.type !== "string" || !Array.isArray(parameter.value)) {
      return ppError(400, "InvalidRuleSet", "Every parameter needs a 'type' and a 'value' array.");
    }
    const values: JsonObject[] = [];
    for (const entry of parameter.value) {
      if (!isRecord(entry) || typeof entry.id !== "string" || typeof entry.value !== "string") {
        return ppError(
          400,
          "InvalidRuleSet",
          `Every value of the ${parameter.type} rule needs a string 'id' and 'value'.`,
        );
      }
      values.push({ id: entry.id, value: entry.value });
    }
    result.push({
      type: parameter.type,
      resourceType: typeof parameter.resourceType === "string" ? parameter.resourceType : "NotSpecified",
      value: values,
      hasStagedChanges: true,
    });
  }
  return result;
}

function isReply(value: unknown): value is Reply {
  return isRecord(value) && typeof value.status === "number";
}

/** 200 `{value: [ruleSet]}`, or 204 with no body when the group has none (as recorded). */
function listRuleSets(request: RouteRequest, context: EmulatorContext): Reply {
  const groupId = request.params[0] ?? "";
  const ruleSets = forGroup(context, groupId);
  return ruleSets.length === 0 ? json(204) : json(200, { value: ruleSets });
}

function createRuleSet(request: RouteRequest, context: EmulatorContext): Reply {
  const groupId = request.params[0] ?? "";
  if (!groupExists(context, groupId)) {
    return ppError(404, "EnvironmentGroupNotFound", `The environment group '${groupId}' could not be found.`);
  }
  if (forGroup(context, groupId).length > 0) {
    return ppError(409, "RuleSetAlreadyExists", `The environment group '${groupId}' already has a rule set.`);
  }
  const parsed = parameters(request.body);
  if (isReply(parsed)) return parsed;
  const ruleSet: WireRuleSet = {
    parameters: parsed,
    id: randomUUID(),
    lastModified: new Date().toISOString(),
    environmentFilter: { type: "Include", values: [{ id: groupId.toLowerCase(), type: "EnvironmentGroup" }] },
  };
  context.store.state.ruleSets.push(ruleSet);
  return json(201, ruleSet);
}

function findRuleSet(context: EmulatorContext, id: string): WireRuleSet | undefined {
  return context.store.state.ruleSets.find((ruleSet) => ruleSet.id.toLowerCase() === id.toLowerCase());
}

function updateRuleSet(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const ruleSet = findRuleSet(context, id);
  if (!ruleSet) return ppError(404, "RuleSetNotFound", `The rule set '${id}' could not be found.`);
  const parsed = parameters(request.body);
  if (isReply(parsed)) return parsed;
  ruleSet.parameters = parsed;
  ruleSet.lastModified = new Date().toISOString();
  return json(200, ruleSet);
}

function deleteRuleSet(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const ruleSet = findRuleSet(context, id);
  if (!ruleSet) return ppError(404, "RuleSetNotFound", `The rule set '${id}' could not be found.`);
  context.store.state.ruleSets = context.store.state.ruleSets.filter((candidate) => candidate !== ruleSet);
  return json(200);
}

/**
 * Legacy environment-group rule sets (TF internal/services/environment_group_rule_set), served on the one
 * emulator host.
 */
export function ruleSetRoutes(): Route[] {
  return [
    // Source: TF provider internal/services/environment_group_rule_set/api_environment_group_rule_set.go
    route("GET", "/governance/environmentGroups/{group}/ruleSets", "ppapi", listRuleSets),
    // Source: TF provider internal/services/environment_group_rule_set/api_environment_group_rule_set.go
    route("POST", "/governance/environmentGroups/{group}/ruleSets", "ppapi", createRuleSet),
    // Source: TF provider internal/services/environment_group_rule_set/api_environment_group_rule_set.go
    route("PUT", "/governance/ruleSets/{id}", "ppapi", updateRuleSet),
    // Source: TF provider internal/services/environment_group_rule_set/api_environment_group_rule_set.go
    route("DELETE", "/governance/ruleSets/{id}", "ppapi", deleteRuleSet),
  ];
}
