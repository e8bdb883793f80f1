import { randomUUID } from "node:crypto";
import { bapError, isRecord, json, ppError, timestamp, type Reply } from "../http.js";
import { route, type EmulatorContext, type Route, type RouteRequest } from "../routing.js";
import type { WireEnvironment, WireEnvironmentGroup } from "../types.js";
import { findEnvironment } from "./environment-common.js";
import { ruleSetGroupIds } from "./rulesets.js";

const GROUPS = "/providers/Microsoft.BusinessAppPlatform/environmentGroups";

function findGroup(context: EmulatorContext, id: string): WireEnvironmentGroup | undefined {
  return context.store.state.environmentGroups.find((group) => group.id.toLowerCase() === id.toLowerCase());
}

function groupNotFound(id: string): Reply {
  return bapError(404, "EnvironmentGroupNotFound", `The environment group '${id}' could not be found.`);
}

function members(context: EmulatorContext, groupId: string): WireEnvironment[] {
  return context.store.state.environments.filter((env) => {
    const parent = env.properties.parentEnvironmentGroup;
    return (
      isRecord(parent) && typeof parent.id === "string" && parent.id.toLowerCase() === groupId.toLowerCase()
    );
  });
}

function readFields(body: unknown): { displayName: string; description: string } | Reply {
  const record = isRecord(body) ? body : {};
  const displayName = typeof record.displayName === "string" ? record.displayName.trim() : "";
  if (displayName === "") return bapError(400, "InvalidEnvironmentGroup", "displayName is required.");
  const description = typeof record.description === "string" ? record.description : "";
  return { displayName, description };
}

function nameTaken(context: EmulatorContext, displayName: string, exceptId?: string): boolean {
  return context.store.state.environmentGroups.some(
    (group) => group.displayName.toLowerCase() === displayName.toLowerCase() && group.id !== exceptId,
  );
}

function createGroup(request: RouteRequest, context: EmulatorContext): Reply {
  const fields = readFields(request.body);
  if ("status" in fields) return fields;
  if (nameTaken(context, fields.displayName)) {
    return bapError(
      409,
      "EnvironmentGroupAlreadyExists",
      `An environment group named '${fields.displayName}' already exists.`,
    );
  }
  const group: WireEnvironmentGroup = {
    id: randomUUID(),
    displayName: fields.displayName,
    description: fields.description,
    createdTime: timestamp(),
    createdBy: { id: "5c8f7d2e-6a1b-4c3d-9e0f-1a2b3c4d5e6f", type: "User" },
  };
  context.store.state.environmentGroups.push(group);
  return json(201, group);
}

function updateGroup(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const group = findGroup(context, id);
  if (!group) return groupNotFound(id);
  const fields = readFields(request.body);
  if ("status" in fields) return fields;
  if (nameTaken(context, fields.displayName, group.id)) {
    return bapError(
      409,
      "EnvironmentGroupAlreadyExists",
      `An environment group named '${fields.displayName}' already exists.`,
    );
  }
  group.displayName = fields.displayName;
  group.description = fields.description;
  return json(200, group);
}

function deleteGroup(request: RouteRequest, context: EmulatorContext): Reply {
  const id = request.params[0] ?? "";
  const group = findGroup(context, id);
  if (!group) return groupNotFound(id);
  const count = members(context, group.id).length;
  if (count > 0) {
    return bapError(
      409,
      "EnvironmentsInEnvironmentGroup",
      `The environment group '${group.id}' cannot be deleted because it contains ${count} environment(s).`,
    );
  }
  if (
    context.store.state.ruleSets.some((ruleSet) => ruleSetGroupIds(ruleSet).includes(group.id.toLowerCase()))
  ) {
    return bapError(
      409,
      "PolicyAssignedToEnvironmentGroup",
      `The environment group '${group.id}' cannot be deleted because a rule set is assigned to it.`,
    );
  }
  context.store.state.environmentGroups = context.store.state.environmentGroups.filter((g) => g !== group);
  return json(200);
}

/**
 * PP API membership shortcuts (removeEnvironment: TF internal/services/environment_groups; addEnvironment:
 * docs/emulator.md, Unverified): applied at once, answered 202.
 */
function membership(mode: "add" | "remove") {
  return (request: RouteRequest, context: EmulatorContext): Reply => {
    const [groupId = "", envId = ""] = request.params;
    const group = findGroup(context, groupId);
    if (!group)
      return ppError(
        404,
        "EnvironmentGroupNotFound",
        `The environment group '${groupId}' could not be found.`,
      );
    const env = findEnvironment(context, envId);
    if (!env) return ppError(404, "EnvironmentNotFound", `The environment '${envId}' could not be found.`);
    if (mode === "add") env.properties.parentEnvironmentGroup = { id: group.id };
    else delete env.properties.parentEnvironmentGroup;
    return json(202);
  };
}

export function groupRoutes(): Route[] {
  const pp = "/environmentmanagement/environmentGroups";
  return [
    // Source: TF provider internal/services/environment_groups/api_environment_group.go
    route("GET", GROUPS, "bap", (_r, context) => json(200, { value: context.store.state.environmentGroups })),
    // Source: TF provider internal/services/environment_groups/api_environment_group.go
    route("POST", GROUPS, "bap", createGroup),
    // Source: TF provider internal/services/environment_groups/api_environment_group.go
    route("GET", `${GROUPS}/{id}`, "bap", (request, context) => {
      const group = findGroup(context, request.params[0] ?? "");
      return group ? json(200, group) : groupNotFound(request.params[0] ?? "");
    }),
    // Source: TF provider internal/services/environment_groups/api_environment_group.go
    route("PUT", `${GROUPS}/{id}`, "bap", updateGroup),
    // Source: TF provider internal/services/environment_groups/api_environment_group.go
    route("DELETE", `${GROUPS}/{id}`, "bap", deleteGroup),
    // Source: unverified: removeEnvironment's counterpart, not in the provider (docs/emulator.md)
    route("POST", `${pp}/{group}/addEnvironment/{env}`, "ppapi", membership("add")),
    // Source: TF provider internal/services/environment_groups/api_environment_group.go
    route("POST", `${pp}/{group}/removeEnvironment/{env}`, "ppapi", membership("remove")),
  ];
}
