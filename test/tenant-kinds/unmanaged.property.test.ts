import { readFileSync } from "node:fs";
import fc from "fast-check";
import { TF_FIXTURES } from "../helpers/tf-fixtures.js";
import { describe, expect, it } from "vitest";
import { valueAt, type Json, type JsonObject } from "../../src/core/kinds/json.js";
import { settingLeaves, TENANT_SETTING_PATHS } from "../../src/core/kinds/tenant-settings.js";
import { buildDesiredState } from "../../src/core/plan/desired-state.js";
import { emptyLiveTenant } from "../../src/core/plan/live-tenant.js";
import { buildPlan } from "../../src/core/plan/plan.js";
import { loaded } from "../core/builders.js";

const TENANT = "00000000-0000-0000-0000-000000000001";
const recorded = JSON.parse(
  readFileSync(TF_FIXTURES + "tenant_settings/datasource/post_list_tenant_settings.json", "utf8"),
) as JsonObject;

function setAt(target: JsonObject, path: string, value: Json): void {
  const segments = path.slice(1).split("/");
  let node = target;
  for (const segment of segments.slice(0, -1)) {
    const child = node[segment];
    node =
      typeof child === "object" && child !== null && !Array.isArray(child) ? child : (node[segment] = {});
  }
  node[segments.at(-1)!] = value;
}

/** A different value of the same type, so the setting really moved. */
function flipped(value: Json | undefined): Json {
  if (typeof value === "boolean") return !value;
  if (typeof value === "number") return value + 7;
  return `${JSON.stringify(value)}-changed`;
}

describe("TenantSettings property: settings a document does not name never show as changes", () => {
  it("whatever is named, desired or live, the changes are exactly the named settings that differ", () => {
    const leaves = settingLeaves(recorded).filter((path) => TENANT_SETTING_PATHS.includes(path));
    fc.assert(
      fc.property(
        fc.subarray(leaves),
        fc.subarray(leaves),
        fc.subarray(leaves),
        (named, changedInDocument, changedLive) => {
          const spec: JsonObject = {};
          for (const path of named)
            setAt(
              spec,
              path,
              changedInDocument.includes(path) ? flipped(valueAt(recorded, path)) : valueAt(recorded, path)!,
            );
          const live = structuredClone(recorded);
          for (const path of changedLive) setAt(live, path, flipped(valueAt(recorded, path)));
          const { plan } = buildPlan(
            buildDesiredState([
              loaded({
                apiVersion: "ppgov/v1",
                kind: "TenantSettings",
                metadata: { name: "settings" },
                spec: spec,
              }),
            ]),
            {
              ...emptyLiveTenant(),
              tenantSettings: { tenantId: TENANT, settings: live },
            },
            { createdAt: "2026-01-01T00:00:00.000Z" },
          );
          const expected = named
            .filter((path) => JSON.stringify(valueAt(spec, path)) !== JSON.stringify(valueAt(live, path)))
            .sort();
          const changed = plan.resources[0]!.changedPaths.map((entry) => entry.path);
          expect(changed).toEqual(expected);
          for (const path of changed) expect(named).toContain(path);
          // The one step sends exactly the changed settings.
          const body = plan.steps[0]?.body;
          expect(body === undefined ? [] : settingLeaves(body).sort()).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
