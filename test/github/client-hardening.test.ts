/**
 * The GitHub client against hostile servers on localhost: a body that trickles, a body far over the cap,
 * a 200 that is not JSON, redirects to another host, a 503 before the answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { GithubApiError, GithubClient, GithubRequestError } from "../../src/adapters/github/client.js";

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

const servers: Server[] = [];

async function serve(handler: Handler): Promise<{ url: string; received: string[] }> {
  const received: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push(`${request.method} ${request.url} ${body}`);
      handler(request, response, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

function client(apiUrl: string, options: Partial<ConstructorParameters<typeof GithubClient>[0]> = {}) {
  return new GithubClient({
    apiUrl,
    token: "ghs_secret_token_value",
    owner: "acme",
    repo: "gov",
    sleep: () => Promise.resolve(),
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe("GitHub client limits", () => {
  it("gives up on a body that trickles, with a timeout that names GitHub and the call", async () => {
    const { url } = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write("[");
      const timer = setInterval(() => response.write(" "), 50);
      response.on("close", () => clearInterval(timer));
    });
    const error = await failure(client(url, { timeoutMs: 300, maxAttempts: 2 }).listIssueComments(7));
    expect(error).toBeInstanceOf(GithubRequestError);
    expect(error.message).toMatch(
      /^GitHub API GET \/repos\/acme\/gov\/issues\/7\/comments: no complete answer within 300 ms \(timeout\) after 2 attempts$/,
    );
    expect(error.message).not.toContain("ghs_secret_token_value");
  });

  it("stops at the deadline for the call across attempts", async () => {
    let clock = 0;
    const { url, received } = await serve((_request, response) => {
      clock += 70_000;
      response.writeHead(503).end("busy");
    });
    const error = await failure(
      client(url, { now: () => clock, maxAttempts: 10, deadlineMs: 120_000 }).listIssueComments(7),
    );
    expect(error).toBeInstanceOf(GithubApiError);
    expect(error.message).toMatch(/answered 503: busy/);
    expect(received).toHaveLength(2);
  });

  it("refuses a body over the cap without reading it all, and does not retry", async () => {
    const { url, received } = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(`[${'"x",'.repeat(600_000)}"x"]`);
    });
    const error = await failure(client(url, { maxResponseBytes: 1024 * 1024 }).listIssueComments(7));
    expect(error.message).toMatch(
      /GitHub API GET .*comments: the answer is over 1 MiB \(the cap on a GitHub answer\)/,
    );
    expect(received).toHaveLength(1);
  });

  it("says a 200 that is not JSON is not JSON, naming GitHub, not a bug in ppgov", async () => {
    const { url } = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<html><body>Captive portal</body></html>");
    });
    const error = await failure(client(url).listIssueComments(7));
    expect(error).toBeInstanceOf(GithubRequestError);
    expect(error.message).toBe(
      'GitHub API GET /repos/acme/gov/issues/7/comments: answered 200 with a body that is not JSON (starts "<html><body>Captive portal</body></html>")',
    );
  });

  it("does not follow a redirect to another host: the comment body and token stay home", async () => {
    const elsewhere = await serve((_request, response) => response.writeHead(201).end("{}"));
    const { url } = await serve((_request, response) => {
      response.writeHead(307, { location: `${elsewhere.url.replace("127.0.0.1", "localhost")}/steal` });
      response.end();
    });
    const error = await failure(client(url).createIssueComment(7, "the plan"));
    expect(error.message).toMatch(
      /^GitHub API POST \/repos\/acme\/gov\/issues\/7\/comments: answered 307 redirecting to another host \(localhost:\d+\); not followed/,
    );
    expect(elsewhere.received).toEqual([]);
  });

  it("follows a same-host redirect (a renamed repository) and retries a GET after a 503", async () => {
    let calls = 0;
    const { url, received } = await serve((request, response) => {
      calls += 1;
      if (request.url?.startsWith("/repos/acme/gov/")) {
        response.writeHead(301, { location: request.url.replace("/gov/", "/governance/") }).end();
      } else if (calls === 2) {
        response.writeHead(503).end();
      } else {
        response.writeHead(200, { "content-type": "application/json" }).end('[{"id":1,"body":"hi"}]');
      }
    });
    expect(await client(url).listIssueComments(7)).toEqual([{ id: 1, body: "hi" }]);
    expect(received.map((line) => line.split(" ")[1]?.split("?")[0])).toEqual([
      "/repos/acme/gov/issues/7/comments",
      "/repos/acme/governance/issues/7/comments",
      "/repos/acme/gov/issues/7/comments",
      "/repos/acme/governance/issues/7/comments",
    ]);
  });

  it("does not send a write twice when it got no answer", async () => {
    const { url, received } = await serve((request) => request.socket.destroy());
    const error = await failure(client(url).createIssueComment(7, "x"));
    expect(error.message).toMatch(/^GitHub API POST .*: no answer \(/);
    expect(received).toHaveLength(1);
  });
});
