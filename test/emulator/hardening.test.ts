import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_FAULT_MS, parseFaultConfig } from "../../src/emulator/faults.js";
import { MAX_REQUEST_BODY_BYTES } from "../../src/emulator/http.js";
import type { RunningEmulator } from "../../src/emulator/server.js";
import { BAP, call, closeAll, DEV, withEmulator } from "./helpers.js";

const started: RunningEmulator[] = [];
afterEach(async () => {
  await closeAll(started);
});

const SETTINGS = `${BAP}/scopes/admin/updateTenantSettings?api-version=2020-10-01`;
const LIST_SETTINGS = `${BAP}/listTenantSettings?api-version=2020-10-01`;

/** A request with a body written as given (raw text, or chunks streamed without Content-Length). */
function raw(
  emulator: RunningEmulator,
  method: string,
  path: string,
  body: { text: string } | { chunks: number; chunkBytes: number } | { announce: number },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${DEV}`,
      "Content-Type": "application/json",
    };
    if ("announce" in body) headers["Content-Length"] = String(body.announce);
    const outgoing = request(`${emulator.url}${path}`, { method, headers }, (response) => {
      let text = "";
      response.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
    });
    outgoing.on("error", reject);
    if ("text" in body) outgoing.end(body.text);
    else if ("announce" in body)
      outgoing.write("{"); // the rest never follows: the header is enough
    else {
      const chunk = Buffer.alloc(body.chunkBytes, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < body.chunks) {
          sent += 1;
          if (!outgoing.write(chunk)) {
            outgoing.once("drain", pump);
            return;
          }
        }
        outgoing.end("{}");
      };
      pump();
    }
  });
}

describe("prototype keys in request bodies", () => {
  it("updateTenantSettings with __proto__, constructor and prototype keys pollutes nothing", async () => {
    const emulator = await withEmulator(started);
    const body =
      '{"__proto__":{"pollutedByProto":"yes"},"constructor":{"prototype":{"pollutedByConstructor":"yes"}},' +
      '"powerPlatform":{"__proto__":{"pollutedDeep":"yes"},"search":{"disableDocsSearch":true}}}';
    const answer = await raw(emulator, "POST", SETTINGS, { text: body });
    expect(answer.status, answer.text).toBe(200);
    const probe: Record<string, unknown> = {};
    expect(probe.pollutedByProto).toBeUndefined();
    expect(probe.pollutedByConstructor).toBeUndefined();
    expect(probe.pollutedDeep).toBeUndefined();
    expect(Object.getPrototypeOf(emulator.state().tenantSettings)).toBe(Object.prototype);
    // The rest of the body still took effect, and no prototype key was stored.
    const settings = await call<Record<string, unknown>>(emulator, "POST", LIST_SETTINGS, { body: {} });
    expect(settings.body.powerPlatform).toMatchObject({ search: { disableDocsSearch: true } });
    const stored = JSON.stringify(emulator.state().tenantSettings);
    expect(stored).not.toContain("__proto__");
    expect(stored).not.toContain("polluted");
  });
});

describe("request body limit", () => {
  it(`a chunked body over ${MAX_REQUEST_BODY_BYTES / 1024 / 1024} MiB is answered 413 once the limit is passed, the rest dropped`, async () => {
    const emulator = await withEmulator(started);
    // 64 MiB of whitespace in 1 MiB chunks; the answer comes once 10 MiB have arrived.
    const answer = await raw(emulator, "POST", SETTINGS, { chunks: 64, chunkBytes: 1024 * 1024 });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: "RequestBodyTooLarge" } });
    expect(emulator.requests().at(-1)?.status).toBe(413);
  });

  it("a body announced over the limit by Content-Length is refused before it is sent", async () => {
    const emulator = await withEmulator(started);
    const answer = await raw(emulator, "POST", SETTINGS, { announce: MAX_REQUEST_BODY_BYTES + 1 });
    expect(answer.status).toBe(413);
    expect(answer.text).toContain("exceeds the maximum permissible limit of 10485760 bytes");
  });

  it("a body just under the limit is read", async () => {
    const emulator = await withEmulator(started);
    const padding = " ".repeat(MAX_REQUEST_BODY_BYTES - 100);
    const answer = await raw(emulator, "POST", SETTINGS, {
      text: `{"powerPlatform":{"search":{"disableDocsSearch":true}}}${padding}`,
    });
    expect(answer.status, answer.text).toBe(200);
  });

  it("a faults document over the limit is answered 413", async () => {
    const emulator = await withEmulator(started);
    const answer = await raw(emulator, "PUT", "/_emulator/faults", { chunks: 12, chunkBytes: 1024 * 1024 });
    expect(answer.status).toBe(413);
  });
});

describe("fault settings", () => {
  it("a faults body that is not JSON is a 400 naming the problem, not a 500", async () => {
    const emulator = await withEmulator(started);
    const answer = await raw(emulator, "PUT", "/_emulator/faults", { text: "latencyMs=5" });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({
      error: { code: "InvalidFaults", message: "faults: The request body is not valid JSON." },
    });
  });

  it.each([
    ["latencyMs", 2 ** 31],
    ["latencyMs", 1e300],
    ["consistencyLagMs", 2 ** 32],
    ["isolationAsyncMs", 2 ** 31],
    ["retryAfterSeconds", 2 ** 31 / 1000 + 1],
    ["deleteFailures", 2 ** 31],
  ])("%s = %d (beyond what a timer holds) is a 400, not a 1 ms delay", async (key, value) => {
    const emulator = await withEmulator(started);
    const answer = await raw(emulator, "PUT", "/_emulator/faults", {
      text: JSON.stringify({ [key]: value }),
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({
      error: { code: "InvalidFaults", message: expect.stringContaining(`${key} must be at most`) as string },
    });
    expect(() => emulator.setFaults({ [key]: value })).toThrow(`${key} must be at most`);
  });

  it("the largest latency a timer holds is accepted", () => {
    expect(parseFaultConfig({ latencyMs: MAX_FAULT_MS })).toEqual({ latencyMs: MAX_FAULT_MS });
    expect(parseFaultConfig({ latencyMs: MAX_FAULT_MS + 1 })).toBe(
      `latencyMs must be at most ${MAX_FAULT_MS} (got ${MAX_FAULT_MS + 1})`,
    );
  });
});
