import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";

export interface ForwardProxy {
  /** http://127.0.0.1:PORT */
  url: string;
  /** CONNECT targets (`host:port`), in order. */
  connects: string[];
  /** Absolute-form request targets (`http://host:port/path`), in order. */
  requests: string[];
  /** The Proxy-Authorization header of each CONNECT or request ("" when absent). */
  authorizations: string[];
  /** Connections clients opened to the proxy. */
  connections: number;
  close(): Promise<void>;
}

/**
 * A forward proxy as corporate networks run them: CONNECT tunnels for https and absolute-form
 * requests for http. Every target is sent to 127.0.0.1 on the port `portFor` gives, so tests can use
 * host names that do not resolve (only the proxy needs to reach them). With `credentials`
 * ("user:password"), requests without them get 407.
 */
export async function startForwardProxy(
  portFor: (host: string, port: number) => number,
  credentials?: string,
): Promise<ForwardProxy> {
  const connects: string[] = [];
  const requests: string[] = [];
  const authorizations: string[] = [];
  const expected =
    credentials === undefined ? undefined : `Basic ${Buffer.from(credentials).toString("base64")}`;
  const authorized = (request: http.IncomingMessage): boolean => {
    const header = request.headers["proxy-authorization"] ?? "";
    authorizations.push(header);
    return expected === undefined || header === expected;
  };

  const server = http.createServer((request, response) => {
    requests.push(request.url ?? "");
    if (!authorized(request)) {
      response.writeHead(407, { "Proxy-Authenticate": 'Basic realm="test"', "Content-Length": "0" }).end();
      return;
    }
    const target = new URL(request.url ?? "");
    const headers = { ...request.headers };
    delete headers["proxy-authorization"];
    delete headers["proxy-connection"];
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: portFor(target.hostname, Number(target.port || 80)),
        method: request.method,
        path: `${target.pathname}${target.search}`,
        headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });

  server.on("connect", (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    connects.push(request.url ?? "");
    if (!authorized(request)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const [host = "", port = "443"] = (request.url ?? "").split(/:(?=\d+$)/);
    const upstream = net.connect(portFor(host, Number(port)), "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n"));
    client.on("error", () => upstream.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const proxy: ForwardProxy = {
    url: `http://127.0.0.1:${port}`,
    connects,
    requests,
    authorizations,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on("connection", () => (proxy.connections += 1));
  return proxy;
}

/** A TLS front for a plain HTTP server on 127.0.0.1: what the proxy tunnels https requests to. */
export async function startTlsRelay(
  key: string,
  cert: string,
  backendPort: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key, cert }, (secure) => {
    const backend = net.connect(backendPort, "127.0.0.1");
    sockets.add(secure).add(backend);
    secure.pipe(backend).pipe(secure);
    secure.on("error", () => backend.destroy());
    backend.on("error", () => secure.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
