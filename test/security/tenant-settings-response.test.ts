/**
 * The tenant-settings response schema types every setting the policy language knows, as the policy
 * schema does: a mistyped live setting is refused at the client instead of read as a difference.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NON_BOOLEAN_TENANT_SETTINGS } from "../../src/adapters/tenant/schemas.js";
import { TENANT_SETTING_PATHS } from "../../src/core/kinds/tenant-settings.js";
import { repoRoot } from "../helpers/run-cli.js";

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
}

const policySchema = JSON.parse(
  readFileSync(join(repoRoot, "schemas/tenant-settings.schema.json"), "utf8"),
) as { properties: { spec: SchemaNode } };

function policyTypeAt(path: string): string | undefined {
  let node: SchemaNode | undefined = policySchema.properties.spec;
  for (const segment of path.split("/").slice(1)) node = node?.properties?.[segment];
  return node?.type;
}

describe("tenant settings response schema", () => {
  it.each(TENANT_SETTING_PATHS)("%s has the policy schema's type", (path) => {
    const expected = (NON_BOOLEAN_TENANT_SETTINGS[path]?.type as string | undefined) ?? "boolean";
    expect(policyTypeAt(path)).toBe(expected);
  });
});
