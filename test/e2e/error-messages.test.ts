import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../helpers/run-cli.js";

/** Issue 20 item 11: errors a newcomer meets first say what to do (the built CLI). */

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
  server = undefined;
});

describe("error messages", () => {
  it("a 404 from a wrong PPGOV_ENDPOINT names the host and what to check", async () => {
    // Any web server that is not a tenant: every path is 404 with a page of its own.
    server = createServer((_request, response) => {
      response.writeHead(404, { "content-type": "text/html" });
      response.end("<html><head><title>Not Found</title></head><body>nothing here</body></html>");
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const result = await runCli(["plan", "-d", join(repoRoot, "policies")], {
      env: { PPGOV_ENDPOINT: `http://${host}`, PPGOV_TOKEN: "ppgov-dev" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`failed with HTTP 404 from ${host} (an HTML page ("Not Found"))`);
    expect(result.stderr).toContain(`${host} has no such API; check PPGOV_ENDPOINT`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("without credentials, points to PPGOV_ENDPOINT and the emulator", async () => {
    const result = await runCli(["plan", "-d", join(repoRoot, "policies")], {
      env: { AZURE_CONFIG_DIR: join(repoRoot, "nonexistent-azure-config") },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no credentials: set PPGOV_TOKEN");
    expect(result.stderr).toContain(
      "start the emulator (ppgov emulator --seed sample) and set PPGOV_ENDPOINT to the URL it prints and PPGOV_TOKEN=ppgov-dev (or run ppgov demo)",
    );
  });
});
