import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, formatLogLine, resolveLogFormat, type LogFormat } from "../src/adapters/log/logger.js";
import { SecretRegistry } from "../src/adapters/log/secrets.js";

/** Log lines on stderr (issue 20 item 2): human lines on a terminal, JSON otherwise; never a secret. */

function capture(format: LogFormat, secrets: SecretRegistry) {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const logger = createLogger({ level: "info", secrets, destination: stream, format });
  return { logger, output: () => text };
}

describe("formatLogLine", () => {
  it("level, message, then the fields the message does not already say", () => {
    const line = JSON.stringify({
      level: 40,
      time: "2026-12-07T23:24:11.915Z",
      name: "ppgov",
      correlationId: "684b3cac",
      method: "GET",
      path: "/providers/Microsoft.BusinessAppPlatform/tenant",
      attempt: 1,
      delayMs: 166,
      msg: "retrying after connection failed on GET /providers/Microsoft.BusinessAppPlatform/tenant",
    });
    expect(formatLogLine(line)).toBe(
      "warn  retrying after connection failed on GET /providers/Microsoft.BusinessAppPlatform/tenant correlationId=684b3cac attempt=1 delayMs=166\n",
    );
  });

  it("quotes values with spaces, shows an error's message, passes non-JSON through", () => {
    expect(
      formatLogLine(JSON.stringify({ level: 30, msg: "done", note: "a b", err: { message: "boom" } })),
    ).toBe('info  done note="a b" err="boom"\n');
    expect(formatLogLine("plain text\n")).toBe("plain text\n");
  });
});

describe("resolveLogFormat", () => {
  it("flag, then PPGOV_LOG_FORMAT, then text on a terminal and json otherwise", () => {
    expect(resolveLogFormat(undefined, {}, true)).toBe("text");
    expect(resolveLogFormat(undefined, {}, false)).toBe("json");
    expect(resolveLogFormat("json", { PPGOV_LOG_FORMAT: "text" }, true)).toBe("json");
    expect(resolveLogFormat(undefined, { PPGOV_LOG_FORMAT: "TEXT" }, false)).toBe("text");
  });
});

describe("secrets stay redacted in both formats", () => {
  it.each(["text", "json"] as const)("%s", (format) => {
    const secrets = new SecretRegistry();
    secrets.addFromEnv({ PPGOV_TOKEN: "registered-secret-123", AZURE_CLIENT_SECRET: "client-secret-456" });
    const { logger, output } = capture(format, secrets);
    logger.info(
      {
        token: "path-redacted-789",
        headers: { authorization: "Bearer minted-abc.def" },
        detail: "sent client-secret-456 to the token endpoint",
      },
      "token refreshed with registered-secret-123",
    );
    logger.warn({ url: "https://x/?q=1" }, "retry with Authorization: Bearer eyJminted.token.value");
    const text = output();
    expect(text).toContain("token refreshed with [redacted]");
    expect(text).toContain("[redacted]");
    for (const secret of [
      "registered-secret-123",
      "client-secret-456",
      "path-redacted-789",
      "minted-abc.def",
      "eyJminted.token.value",
    ])
      expect(text).not.toContain(secret);
    if (format === "text") expect(text).toMatch(/^info {2}token refreshed with \[redacted\] /m);
    else expect(text).toMatch(/^\{"level":30,/m);
  });
});
