import type { ServerResponse } from "node:http";

/**
 * Writes `total` bytes of spaces as an unannounced (chunked) body, respecting back-pressure. The
 * returned probe tells how much was written and whether the client closed the connection before the end.
 */
export function writeChunkedBody(
  response: ServerResponse,
  total: number,
): { written(): number; closedEarly(): boolean } {
  let written = 0;
  let closedEarly = false;
  response.writeHead(200, { "content-type": "application/json" });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  response.on("close", () => (closedEarly = written < total));
  const pump = (): void => {
    while (written < total) {
      written += chunk.length;
      if (!response.write(chunk)) return void response.once("drain", pump);
    }
    response.end();
  };
  pump();
  return { written: () => written, closedEarly: () => closedEarly };
}
