import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { UsageError } from "../../core/errors.js";

export interface MetricsServerHandlers {
  healthy(): boolean;
  /** JSON-able status for /healthz. */
  status(): unknown;
  /** Prometheus text exposition. */
  metrics(): string;
}

export interface RunningMetricsServer {
  url: string;
  close(): Promise<void>;
}

/** "127.0.0.1:9464" → host and port; port 0 picks a free one. */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match?.[1] || !Number.isInteger(port) || port > 65535)
    throw new UsageError(`--listen must be HOST:PORT, e.g. 127.0.0.1:9464 (got "${text}")`);
  return { host: match[1].replace(/^\[|\]$/g, ""), port };
}

/** Serves GET /healthz and GET /metrics for the controller. */
export async function startMetricsServer(
  listen: { host: string; port: number },
  handlers: MetricsServerHandlers,
): Promise<RunningMetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET") {
      response.writeHead(405, { allow: "GET" }).end();
      return;
    }
    if (path === "/metrics") {
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      response.end(handlers.metrics());
      return;
    }
    if (path === "/healthz") {
      const healthy = handlers.healthy();
      response.writeHead(healthy ? 200 : 503, { "content-type": "application/json" });
      response.end(JSON.stringify({ healthy, ...(handlers.status() as object) }));
      return;
    }
    response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new UsageError(`--listen ${listen.host}:${listen.port}: the address is in use`)
          : error,
      ),
    );
    server.listen(listen.port, listen.host, resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
