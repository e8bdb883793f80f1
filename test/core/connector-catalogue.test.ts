import { describe, expect, it } from "vitest";
import { buildConnectorCatalogue } from "../../src/core/kinds/connector-catalogue.js";
import { escapeSegment } from "../../src/core/kinds/json.js";
import { wireConnector } from "./builders.js";

describe("connector catalogue", () => {
  const catalogue = buildConnectorCatalogue(
    [wireConnector("shared_SQL"), wireConnector("shared_twitter")],
    [],
    [],
  );

  it("keys a DLP connector id by the catalogue's spelling, the same on every lookup", () => {
    const id = "/providers/Microsoft.PowerApps/apis/SHARED_sql";
    expect(catalogue.keyForId(id)).toBe("shared_SQL");
    expect(catalogue.keyForId(id)).toBe("shared_SQL");
    expect(catalogue.keyForId("/providers/Microsoft.PowerApps/apis/shared_twitter/")).toBe("shared_twitter");
    expect(catalogue.keyForId("/providers/Microsoft.PowerApps/apis/shared_unknown")).toBe("shared_unknown");
  });

  it("finds names spelled exactly or in another case", () => {
    expect(catalogue.find("shared_SQL")?.name).toBe("shared_SQL");
    expect(catalogue.find("shared_sql")?.name).toBe("shared_SQL");
    expect(catalogue.find("shared_none")).toBeUndefined();
  });

  it("escapes pointer segments only where needed", () => {
    expect(escapeSegment("plain")).toBe("plain");
    expect(escapeSegment("a/b~c")).toBe("a~1b~0c");
  });
});
