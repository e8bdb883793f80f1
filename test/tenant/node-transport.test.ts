import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { createNodeTransport } from "../../src/adapters/tenant/node-transport.js";
import { writeChunkedBody } from "../helpers/chunked-body.js";
import { repoRoot } from "../helpers/run-cli.js";
import { makeTestCertificate } from "../helpers/test-certificate.js";
import { transportGet } from "../helpers/transport-request.js";
import {
  ResponseDecodingError,
  ResponseTooLargeError,
  type Transport,
} from "../../src/adapters/tenant/transport.js";

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

interface TestServer {
  url: string;
  connections: number;
  received: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[];
}

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: Handler, configure?: (server: Server) => void): Promise<TestServer> {
  const state: TestServer = { url: "", connections: 0, received: [] };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      state.received.push({
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body,
      });
      handler(request, response, body);
    });
  });
  server.on("connection", () => (state.connections += 1));
  configure?.(server);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected the request to fail");
    },
    (error: unknown) => error as Error,
  );
}

describe("node transport", () => {
  let transport: Transport;

  it("sends the method, headers and body, and returns status, headers and text", async () => {
    transport = createNodeTransport();
    const server = await serve((_request, response) => {
      response.setHeader("Set-Cookie", ["a=1", "b=2"]);
      response.writeHead(201, { "Content-Type": "application/json", Location: "/ops/1" });
      response.end('{"ok":true,"name":"café"}');
    });
    const answer = await transport({
      ...transportGet(`${server.url}/things?api-version=1`),
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Custom": "yes" },
      body: '{"name":"café"}',
    });
    expect(answer.status).toBe(201);
    expect(answer.text).toBe('{"ok":true,"name":"café"}');
    expect(answer.headers.get("LOCATION")).toBe("/ops/1");
    expect(answer.headers.get("set-cookie")).toBe("a=1, b=2");
    expect(answer.headers.get("retry-after")).toBeNull();
    const [received] = server.received;
    expect(received?.method).toBe("POST");
    expect(received?.url).toBe("/things?api-version=1");
    expect(received?.body).toBe('{"name":"café"}');
    expect(received?.headers["x-custom"]).toBe("yes");
    expect(received?.headers["content-length"]).toBe(String(Buffer.byteLength('{"name":"café"}')));
    expect(received?.headers["accept-encoding"]).toBe("gzip, deflate, br");
  });

  it("returns error statuses as answers, with their bodies", async () => {
    transport = createNodeTransport();
    const server = await serve((_request, response) => {
      response.writeHead(404, { "Content-Type": "application/json" });
      response.end('{"error":{"code":"NotFound"}}');
    });
    const answer = await transport(transportGet(`${server.url}/missing`));
    expect(answer.status).toBe(404);
    expect(answer.text).toContain("NotFound");
  });

  it.each([
    ["gzip", gzipSync],
    ["x-gzip", gzipSync],
    ["deflate", deflateSync],
    ["br", brotliCompressSync],
  ] as const)("decodes a %s body", async (encoding, compress) => {
    transport = createNodeTransport();
    const json = JSON.stringify({ value: Array.from({ length: 200 }, (_, i) => ({ id: i })) });
    const server = await serve((_request, response) => {
      response.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": encoding });
      response.end(compress(json));
    });
    expect((await transport(transportGet(server.url))).text).toBe(json);
  });

  it("reads an empty body labelled gzip as empty, and a cut-off gzip body as the part that arrived", async () => {
    transport = createNodeTransport();
    const whole = gzipSync('{"value":[1,2,3]}');
    const bodies = [Buffer.alloc(0), whole.subarray(0, 20)];
    const server = await serve((_request, response) => {
      response.writeHead(202, { "Content-Encoding": "gzip" });
      response.end(bodies.shift());
    });
    expect(await transport(transportGet(server.url))).toMatchObject({ status: 202, text: "" });
    const cut = await transport(transportGet(server.url));
    expect(cut.text.length).toBeGreaterThan(0);
    expect('{"value":[1,2,3]}'.startsWith(cut.text)).toBe(true);
    expect(cut.text).not.toBe('{"value":[1,2,3]}');
  });

  it("drops a leading byte-order mark, as Response.text() does", async () => {
    transport = createNodeTransport();
    const server = await serve((_request, response) => {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]));
    });
    expect((await transport(transportGet(server.url))).text).toBe('{"a":1}');
  });

  it("refuses a body announced over the limit without reading it", async () => {
    transport = createNodeTransport();
    const server = await serve((_request, response) => {
      response.writeHead(200, { "Content-Length": String(4096) });
      response.end(Buffer.alloc(4096, 0x20));
    });
    const error = await failure(transport(transportGet(server.url, { maxResponseBytes: 1000 })));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).announcedBytes).toBe(4096);
    expect((error as ResponseTooLargeError).status).toBe(200);
  });

  it("stops an unannounced (chunked) body at the limit and closes the connection", async () => {
    transport = createNodeTransport();
    const total = 8 * 1024 * 1024;
    let body: ReturnType<typeof writeChunkedBody> | undefined;
    const server = await serve((_request, response) => (body = writeChunkedBody(response, total)));
    const error = await failure(transport(transportGet(server.url, { maxResponseBytes: 256 * 1024 })));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).announcedBytes).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(body?.closedEarly()).toBe(true);
  });

  it("counts decoded bytes: a small gzip body that inflates past the limit is refused", async () => {
    transport = createNodeTransport();
    const compressed = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20));
    expect(compressed.length).toBeLessThan(64 * 1024);
    const server = await serve((_request, response) => {
      response.writeHead(200, { "Content-Encoding": "gzip", "Content-Length": String(compressed.length) });
      response.end(compressed);
    });
    const error = await failure(transport(transportGet(server.url, { maxResponseBytes: 1024 * 1024 })));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
  });

  it("fails a body labelled gzip that is not gzip, naming the encoding", async () => {
    transport = createNodeTransport();
    const server = await serve((_request, response) => {
      response.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
      response.end('{"value":[]}');
    });
    const error = await failure(transport(transportGet(server.url)));
    expect(error).toBeInstanceOf(ResponseDecodingError);
    expect(error.message).toMatch(/^the gzip body could not be decoded: /);
  });

  it("rejects with the signal's reason when aborted mid-body, and at once when aborted before", async () => {
    transport = createNodeTransport();
    const server = await serve((_request, response) => {
      response.writeHead(200, { "Content-Type": "application/json", "Content-Length": "1000" });
      response.write('{"value":[');
    });
    const controller = new AbortController();
    const reason = new DOMException("the attempt timed out", "TimeoutError");
    setTimeout(() => controller.abort(reason), 150);
    expect(await failure(transport(transportGet(server.url, { signal: controller.signal })))).toBe(reason);
    expect(await failure(transport(transportGet(server.url, { signal: controller.signal })))).toBe(reason);
    expect(server.received).toHaveLength(1);
  });

  it("fails with ECONNRESET when the connection drops mid-body", async () => {
    transport = createNodeTransport();
    const server = await serve((_request, response) => {
      response.writeHead(200, { "Content-Type": "application/json", "Content-Length": "1000" });
      response.write('{"value":[', () => response.socket?.destroy());
    });
    const error = await failure(transport(transportGet(server.url)));
    expect((error as { code?: string }).code).toBe("ECONNRESET");
  });

  it("fails with ECONNREFUSED when nothing listens", async () => {
    transport = createNodeTransport();
    const server = await serve(() => undefined);
    const url = server.url;
    const [closing] = servers.splice(0);
    await new Promise((resolve) => closing?.close(resolve));
    const error = await failure(transport(transportGet(url)));
    expect((error as { code?: string }).code).toBe("ECONNREFUSED");
  });

  it("reuses one connection for requests one after another", async () => {
    transport = createNodeTransport();
    const server = await serve((_request, response) => response.end("{}"));
    for (let i = 0; i < 5; i++) expect((await transport(transportGet(server.url))).status).toBe(200);
    expect(server.connections).toBe(1);
  });

  it("lets an idle connection go before the server's Keep-Alive timeout, so the next request is not reset", async () => {
    transport = createNodeTransport();
    // Node announces "Keep-Alive: timeout=2"; the transport keeps the connection at most 1 s.
    const server = await serve(
      (_request, response) => response.end("{}"),
      (http) => (http.keepAliveTimeout = 2500),
    );
    expect((await transport(transportGet(server.url))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect((await transport(transportGet(server.url))).status).toBe(200);
    expect(server.connections).toBe(2);
  });

  it("does not time out a request whose answer takes longer than the idle limit", async () => {
    transport = createNodeTransport({ idleSocketMs: 100 });
    const server = await serve((_request, response) => setTimeout(() => response.end('{"slow":true}'), 400));
    expect((await transport(transportGet(server.url))).text).toBe('{"slow":true}');
  });

  it("refuses a protocol other than http and https", async () => {
    transport = createNodeTransport();
    const error = await failure(transport(transportGet("ftp://127.0.0.1/")));
    expect(error.message).toMatch(/unsupported protocol ftp:/);
  });
});

describe("node transport over TLS", () => {
  /** An HTTPS server with a certificate made for the test. */
  async function tlsServer(): Promise<{ url: string; certificatePath: string; server: Server }> {
    const { keyPath, certificatePath, certificatePem } = makeTestCertificate(
      mkdtempSync(join(tmpdir(), "ppgov-tls-")),
    );
    const server = createTlsServer(
      { key: readFileSync(keyPath), cert: certificatePem },
      (_request, response) => {
        response.writeHead(200, { "Content-Type": "application/json" });
        response.end('{"secure":true}');
      },
    );
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`, certificatePath, server };
  }

  it("checks the server's certificate: one it cannot trust fails the request", async () => {
    const { url } = await tlsServer();
    const error = await failure(createNodeTransport()(transportGet(url)));
    expect((error as { code?: string }).code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
  });

  it("trusts what NODE_EXTRA_CA_CERTS adds (a TLS-inspecting proxy's authority)", async () => {
    const { url, certificatePath } = await tlsServer();
    // NODE_EXTRA_CA_CERTS is read when Node starts: run the built transport in a process of its own.
    const script = `
      const { createNodeTransport } = await import(${JSON.stringify(join(repoRoot, "dist/adapters/tenant/node-transport.js"))});
      const answer = await createNodeTransport()({
        url: new URL(${JSON.stringify(url)}), method: "GET", headers: {},
        signal: new AbortController().signal, maxResponseBytes: 1024,
      });
      console.log(answer.status, answer.text);
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
      env: { PATH: process.env.PATH ?? "", NODE_EXTRA_CA_CERTS: certificatePath },
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe('200 {"secure":true}');
  });
});
