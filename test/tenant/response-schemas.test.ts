import { describe, expect, it } from "vitest";
import { RESPONSE_SCHEMAS, type ResponseSchemaName } from "../../src/adapters/tenant/schemas.js";
import { ResponseValidator } from "../../src/adapters/tenant/validator.js";

describe("response schemas", () => {
  it("pass the meta-schema and strict mode (a run skips that check)", () => {
    const checked = new ResponseValidator({ checkSchemas: true });
    const names = Object.keys(RESPONSE_SCHEMAS) as ResponseSchemaName[];
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(() => checked.check(name, null)).not.toThrow();
  });

  it("judge a body the same with and without the meta-schema check", () => {
    const checked = new ResponseValidator({ checkSchemas: true });
    const plain = new ResponseValidator();
    for (const name of Object.keys(RESPONSE_SCHEMAS) as ResponseSchemaName[])
      for (const body of [null, {}, { value: [] }, { value: [{}] }, [], "text"])
        expect(plain.check(name, body)).toEqual(checked.check(name, body));
  });
});
