import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy answers instead of the emulator for one request; undefined passes it through. */
export type Reshape = (request: {
  method: string;
  path: string;
}) => { status: number; body: string } | undefined;

export interface ReshapingProxy {
  url: string;
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A server in front of an emulator that answers some requests itself (a route in a shape the client
 * does not expect, a 403) and forwards every other one unchanged: a tenant whose one endpoint differs.
 */
export async function startReshapingProxy(target: string, reshape: Reshape): Promise<ReshapingProxy> {
  const server = createServer((request, response) => {
    void (async () => {
      const method = request.method ?? "GET";
      const path = request.url ?? "/";
      const body = await bodyOf(request);
      const own = reshape({ method, path });
      if (own !== undefined) {
        response.writeHead(own.status, { "Content-Type": "application/json" });
        response.end(own.body);
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(request.headers).flatMap(([name, value]) =>
          typeof value === "string" && name !== "host" && name !== "content-length" ? [[name, value]] : [],
        ),
      );
      const answer = await fetch(new URL(path, target), {
        method,
        headers,
        ...(body.length === 0 ? {} : { body }),
      });
      const text = await answer.text();
      response.writeHead(answer.status, {
        "Content-Type": answer.headers.get("content-type") ?? "application/json",
      });
      response.end(text);
    })().catch((error: unknown) => {
      response.writeHead(502);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
