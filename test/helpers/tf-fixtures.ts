import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The Terraform provider's recorded responses, kept in this repository (test/contract/fixtures/tf-provider/README.md). */
export const TF_FIXTURES = fileURLToPath(new URL("../contract/fixtures/tf-provider/", import.meta.url));

/** One recorded response body, parsed; `path` is relative to TF_FIXTURES. */
export function tfFixture(path: string): unknown {
  return JSON.parse(readFileSync(`${TF_FIXTURES}${path}`, "utf8")) as unknown;
}
