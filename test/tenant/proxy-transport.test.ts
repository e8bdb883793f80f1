import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { proxySettingsFrom } from "../../src/adapters/http/proxy.js";
import { createNodeTransport } from "../../src/adapters/tenant/node-transport.js";
import { proxiedFetch } from "../../src/adapters/tenant/proxied-fetch.js";
import type { FetchLike } from "../../src/adapters/tenant/transport.js";
import { startForwardProxy, startTlsRelay, type ForwardProxy } from "../helpers/forward-proxy.js";
import { makeTestCertificate } from "../helpers/test-certificate.js";
import { transportGet } from "../helpers/transport-request.js";

/** Host names that resolve nowhere: only the proxy can reach them (it sends them to 127.0.0.1). */
const TENANT_HOST = "tenant.ppgov.test";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A plain HTTP server answering JSON with the path it saw. */
async function backend(): Promise<{ port: number; paths: string[] }> {
  const paths: string[] = [];
  const server: Server = createServer((request, response) => {
    paths.push(request.url ?? "");
    response.writeHead(200, { "Content-Type": "application/json", "X-Backend": "yes" });
    response.end(JSON.stringify({ path: request.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, paths };
}

async function proxyTo(port: number, credentials?: string): Promise<ForwardProxy> {
  const proxy = await startForwardProxy(() => port, credentials);
  cleanup.push(() => proxy.close());
  return proxy;
}

describe("node transport through a proxy", () => {
  it("sends http requests to HTTP_PROXY in absolute form, on one kept-alive connection", async () => {
    const server = await backend();
    const proxy = await proxyTo(server.port);
    const transport = createNodeTransport({ proxy: proxySettingsFrom({ HTTP_PROXY: proxy.url }) });
    for (const path of ["/a", "/b?x=1", "/c"]) {
      const answer = await transport(transportGet(`http://${TENANT_HOST}:8080${path}`));
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ path });
    }
    expect(proxy.requests).toEqual([
      `http://${TENANT_HOST}:8080/a`,
      `http://${TENANT_HOST}:8080/b?x=1`,
      `http://${TENANT_HOST}:8080/c`,
    ]);
    expect(server.paths).toEqual(["/a", "/b?x=1", "/c"]);
    expect(proxy.connections).toBe(1);
  });

  it("sends the proxy's credentials from the URL as Proxy-Authorization", async () => {
    const server = await backend();
    const proxy = await proxyTo(server.port, "me:s3cret pass");
    const transport = createNodeTransport({
      proxy: proxySettingsFrom({ HTTP_PROXY: proxy.url.replace("//", "//me:s3cret%20pass@") }),
    });
    expect((await transport(transportGet(`http://${TENANT_HOST}/x`))).status).toBe(200);
    expect(proxy.authorizations).toEqual([`Basic ${Buffer.from("me:s3cret pass").toString("base64")}`]);
  });

  it("returns the proxy's 407 as the answer when it wants credentials", async () => {
    const server = await backend();
    const proxy = await proxyTo(server.port, "me:right");
    const transport = createNodeTransport({ proxy: proxySettingsFrom({ HTTPS_PROXY: proxy.url }) });
    const answer = await transport(transportGet(`https://${TENANT_HOST}/x`));
    expect(answer.status).toBe(407);
    expect(proxy.connects).toEqual([`${TENANT_HOST}:443`]);
    expect(server.paths).toEqual([]);
  });

  it("tunnels https with CONNECT and checks the target's certificate through the tunnel", async () => {
    const server = await backend();
    const dir = mkdtempSync(join(tmpdir(), "ppgov-proxy-tls-"));
    const certificate = makeTestCertificate(dir, "tenant", [TENANT_HOST]);
    const relay = await startTlsRelay(
      readFileSync(certificate.keyPath, "utf8"),
      certificate.certificatePem,
      server.port,
    );
    cleanup.push(() => relay.close());
    const proxy = await proxyTo(relay.port);
    const transport = createNodeTransport({ proxy: proxySettingsFrom({ HTTPS_PROXY: proxy.url }) });
    // Self-signed and not trusted by this process (the CLI test trusts it with NODE_EXTRA_CA_CERTS):
    // the TLS handshake ran end to end with the target, not with the proxy.
    const error = await transport(transportGet(`https://${TENANT_HOST}/x`)).then(
      () => undefined,
      (caught: unknown) => caught as { code?: string },
    );
    expect(error?.code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
    expect(proxy.connects).toEqual([`${TENANT_HOST}:443`]);
    expect(server.paths).toEqual([]);
  });

  it("says so when the proxy cannot be reached, keeping the system code", async () => {
    const unused = await backend();
    // A port that was just free: nothing listens there once the backend's listener is gone.
    const closed = await startForwardProxy(() => unused.port);
    await closed.close();
    const transport = createNodeTransport({
      proxy: proxySettingsFrom({ HTTPS_PROXY: closed.url.replace("//", "//me:pw-Secret1@") }),
    });
    const error = await transport(transportGet(`https://${TENANT_HOST}/x`)).then(
      () => undefined,
      (caught: unknown) => caught as Error & { code?: string },
    );
    expect(error?.code).toBe("ECONNREFUSED");
    expect(error?.message).toContain(`(through the proxy ${closed.url})`);
    expect(error?.message).not.toContain("pw-Secret1");
  });

  it("connects directly to loopback and NO_PROXY hosts", async () => {
    const server = await backend();
    const proxy = await proxyTo(server.port);
    const transport = createNodeTransport({
      proxy: proxySettingsFrom({ HTTP_PROXY: proxy.url, NO_PROXY: "unused.example" }),
    });
    expect((await transport(transportGet(`http://127.0.0.1:${server.port}/direct`))).status).toBe(200);
    expect(server.paths).toEqual(["/direct"]);
    expect(proxy.connections).toBe(0);
  });
});

describe("proxiedFetch", () => {
  it("sends what the proxy settings route through the proxy over the transport, the rest to fetch", async () => {
    const server = await backend();
    const proxy = await proxyTo(server.port);
    const settings = proxySettingsFrom({ HTTP_PROXY: proxy.url });
    const directCalls: string[] = [];
    const direct: FetchLike = (input) => {
      directCalls.push(input.href);
      return Promise.resolve(new Response("{}", { status: 200 }));
    };
    const fetchVia = proxiedFetch(settings, createNodeTransport({ proxy: settings }), direct);

    const proxied = await fetchVia(new URL(`http://github.ppgov.test/token?audience=x`), {
      method: "POST",
      headers: { Authorization: "bearer abc" },
      body: "{}",
    });
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get("x-backend")).toBe("yes");
    expect(await proxied.json()).toEqual({ path: "/token?audience=x" });
    expect(proxy.requests).toEqual(["http://github.ppgov.test/token?audience=x"]);

    await fetchVia(new URL(`http://127.0.0.1:${server.port}/local`), { method: "GET" });
    expect(directCalls).toEqual([`http://127.0.0.1:${server.port}/local`]);
  });
});
