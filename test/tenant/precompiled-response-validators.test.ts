import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { precompiledResponseValidatorsSource } from "../../src/adapters/tenant/response-precompile.js";
import { createResponseValidator } from "../../src/adapters/tenant/response-validators.js";
import { RESPONSE_SCHEMAS, type ResponseSchemaName } from "../../src/adapters/tenant/schemas.js";
import { moduleScratchDir } from "../helpers/module-scratch-dir.js";
import { TF_FIXTURES } from "../helpers/tf-fixtures.js";

const work = moduleScratchDir("ppgov-response-validators-");

const precompiledPath = join(work, "response-validators.cjs");
writeFileSync(precompiledPath, precompiledResponseValidatorsSource());
const precompiled = createResponseValidator({ precompiledPath });
const compiled = createResponseValidator({ precompiledPath: false });
const names = Object.keys(RESPONSE_SCHEMAS) as ResponseSchemaName[];

/** Every recorded real response body (test/contract/fixtures/tf-provider), parsed. */
function recordedBodies(): unknown[] {
  const dir = TF_FIXTURES;
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(dir, name), "utf8")) as unknown);
}

describe("response validators precompiled at build time", () => {
  it("are used when built from the same schemas, and compiled otherwise", () => {
    expect(precompiled.origin).toBe("precompiled");
    expect(compiled.origin).toBe("compiled");
    // The build's own file (test/global-setup.ts runs the build step) matches the schemas in src/.
    expect(createResponseValidator().origin).toBe("precompiled");
  });

  it("judge every recorded response against every schema as compiling does", () => {
    const bodies = recordedBodies();
    expect(bodies.length).toBeGreaterThan(20);
    let accepted = 0;
    let refused = 0;
    for (const body of bodies)
      for (const name of names) {
        const verdict = precompiled.check(name, body);
        expect(verdict, name).toBe(compiled.check(name, body));
        if (verdict === undefined) accepted += 1;
        else refused += 1;
      }
    // Both outcomes occur, so the comparison compares messages as well as acceptances.
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(100);
  });

  it("give the same message for any body (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.jsonValue(), (name, body) => {
        expect(precompiled.check(name, body)).toBe(compiled.check(name, body));
      }),
      { numRuns: 500 },
    );
  });

  it("are not used when the file is from other schemas, broken or missing", () => {
    const stale = join(work, "stale.cjs");
    writeFileSync(
      stale,
      precompiledResponseValidatorsSource().replace(
        /exports\.schemaDigest = "[0-9a-f]+"/,
        'exports.schemaDigest = "0"',
      ),
    );
    const broken = join(work, "broken.cjs");
    writeFileSync(broken, "this is not JavaScript (");
    for (const path of [stale, broken, join(work, "missing.cjs")]) {
      const validator = createResponseValidator({ precompiledPath: path });
      expect(validator.origin, path).toBe("compiled");
      expect(validator.check("tenant", { tenantId: 1 })).toBe("tenantId must be a string (got a number)");
    }
  });
});
