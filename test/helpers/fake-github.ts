/**
 * A local fake of the GitHub REST API for the calls ppgov makes. Every request is checked against
 * GitHub's official OpenAPI description (@octokit/openapi): the method and path must match a documented
 * operation, query parameters must be documented for it, and a JSON body must validate against the
 * operation's requestBody schema and use only documented top-level fields. Anything else answers 500
 * and is recorded in `violations`, which tests assert to be empty.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { FakeGitDatabase } from "./fake-github-git.js";

type Json = Record<string, unknown>;

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  operationId: string;
  queryNames: Set<string>;
  validateBody?: ValidateFunction;
  bodyProperties?: Set<string>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  operationId: string;
  body?: unknown;
  authorization?: string;
}

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: { login: string };
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason?: string | null;
  labels: string[];
  isPullRequest: boolean;
  /** Who opened it; ppgov's own issues are opened by `fake.login`. */
  user?: { login: string };
}

let cachedOperations: Operation[] | undefined;

/** OpenAPI 3.0 `nullable` → JSON Schema: `type: [t, "null"]` (ajv refuses `nullable` without `type`). */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== "object" || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) if (key !== "nullable") out[key] = toJsonSchema(value);
  const source = node as Json;
  if (source.nullable === true && typeof source.type === "string") out.type = [source.type, "null"];
  else if (source.nullable === true && source.type === undefined && Array.isArray(out.oneOf))
    out.oneOf = [...(out.oneOf as unknown[]), { type: "null" }];
  return out;
}

function loadOperations(): Operation[] {
  if (cachedOperations) return cachedOperations;
  const require = createRequire(import.meta.url);
  const specPath = require.resolve("@octokit/openapi/generated/api.github.com.json");
  const spec = JSON.parse(readFileSync(specPath, "utf8")) as {
    paths: Record<string, Record<string, Json>>;
    components: Json;
  };
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
  const addFormats = addFormatsModule as unknown as (instance: Ajv) => void;
  addFormats(ajv);
  ajv.addSchema({ components: toJsonSchema(spec.components) }, "gh");
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!["get", "post", "patch", "put", "delete"].includes(method)) continue;
      const operation = raw as {
        operationId: string;
        parameters?: { in?: string; name?: string; $ref?: string; "x-multi-segment"?: boolean }[];
        requestBody?: { content?: Record<string, { schema?: Json }> };
      };
      // A path parameter marked x-multi-segment (a Git ref: "heads/main") spans several segments.
      const multiSegment = new Set<string>();
      for (const parameter of operation.parameters ?? []) {
        const resolved = parameter.$ref
          ? (
              spec.components.parameters as Record<
                string,
                { in: string; name: string; "x-multi-segment"?: boolean }
              >
            )[parameter.$ref.split("/").pop() ?? ""]
          : parameter;
        if (resolved?.in === "path" && resolved["x-multi-segment"] === true && resolved.name)
          multiSegment.add(resolved.name);
      }
      const pattern = new RegExp(
        `^${template.replace(/\{([^}]+)\}/g, (_, name: string) => (multiSegment.has(name) ? ".+" : "[^/]+"))}$`,
      );
      const queryNames = new Set<string>();
      for (const parameter of operation.parameters ?? []) {
        const resolved = parameter.$ref
          ? ((spec.components.parameters as Record<string, { in: string; name: string }>)[
              parameter.$ref.split("/").pop() ?? ""
            ] ?? { in: "", name: "" })
          : parameter;
        if (resolved.in === "query" && resolved.name) queryNames.add(resolved.name);
      }
      const schema = operation.requestBody?.content?.["application/json"]?.schema;
      const entry: Operation = {
        method: method.toUpperCase(),
        template,
        pattern,
        operationId: operation.operationId,
        queryNames,
      };
      if (schema) {
        const rewritten = JSON.parse(
          JSON.stringify(toJsonSchema(schema)).replaceAll('"#/components/', '"gh#/components/'),
        ) as Json;
        // Compiled on first use: compiling all ~1,000 operations up front would take seconds.
        let compiled: ValidateFunction | undefined;
        const validate = ((data: unknown) => {
          compiled ??= ajv.compile(rewritten);
          const ok = compiled(data);
          validate.errors = compiled.errors;
          return ok;
        }) as ValidateFunction;
        entry.validateBody = validate;
        const properties = (schema as { properties?: Json }).properties;
        if (properties) entry.bodyProperties = new Set(Object.keys(properties));
      }
      operations.push(entry);
    }
  }
  cachedOperations = operations;
  return operations;
}

/** Finds the documented operation for a request; literal path segments win over templated ones. */
function matchOperation(method: string, path: string): Operation | undefined {
  const candidates = loadOperations().filter((op) => op.method === method && op.pattern.test(path));
  candidates.sort(
    (a, b) =>
      (b.template.match(/\/[^{/][^/]*/g)?.length ?? 0) - (a.template.match(/\/[^{/][^/]*/g)?.length ?? 0),
  );
  return candidates[0];
}

export class FakeGithub {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  readonly comments: FakeComment[] = [];
  readonly issues = new Map<number, FakeIssue>();
  /** commit sha → PR numbers (for GET /commits/{sha}/pulls). */
  readonly commitPulls = new Map<string, number[]>();
  /** Trees, commits and refs (the github lock backend). */
  readonly git = new FakeGitDatabase(() => this.url);
  /** Answer every write with 403, like the read-only token of a fork's pull_request run. */
  readOnly = false;
  /**
   * Whose token this is: an app installation token (GET /user answers 403, as the operation is not
   * enabledForGitHubApps; it writes as "<slug>[bot]"), or a user's token (GET /user answers its login).
   */
  identity: { app: string } | { user: string } = { app: "github-actions" };
  private nextCommentId = 1000;
  private nextIssue = 1;
  private server?: Server;
  url = "";

  constructor(readonly expectedToken = "ghs_fake_token") {}

  addPullRequest(number: number): void {
    this.issues.set(number, {
      number,
      title: `PR ${number}`,
      body: "",
      state: "open",
      labels: [],
      isPullRequest: true,
    });
    this.nextIssue = Math.max(this.nextIssue, number + 1);
  }

  /** The login the token's writes are authored by. */
  get login(): string {
    return "app" in this.identity ? `${this.identity.app}[bot]` : this.identity.user;
  }

  commentsOn(issue: number): FakeComment[] {
    return this.comments.filter((comment) => comment.issue === issue);
  }

  async start(): Promise<string> {
    loadOperations();
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const address = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${address.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(request.url ?? "/", "http://fake");
    const method = request.method ?? "GET";
    const send = (status: number, payload?: unknown): void => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(payload === undefined ? "" : JSON.stringify(payload));
    };
    const fail = (message: string): void => {
      this.violations.push(`${method} ${url.pathname}: ${message}`);
      send(500, { message });
    };

    const operation = matchOperation(method, url.pathname);
    if (!operation) return fail("no documented operation has this method and path");
    for (const name of url.searchParams.keys())
      if (!operation.queryNames.has(name))
        return fail(`query parameter "${name}" is not documented for ${operation.operationId}`);
    let body: unknown;
    if (raw !== "") {
      if (!operation.validateBody) return fail(`${operation.operationId} takes no request body`);
      try {
        body = JSON.parse(raw);
      } catch {
        return fail("request body is not JSON");
      }
      if (!operation.validateBody(body))
        return fail(
          `body does not match ${operation.operationId}: ${JSON.stringify(operation.validateBody.errors)}`,
        );
      if (operation.bodyProperties && typeof body === "object" && body !== null)
        for (const key of Object.keys(body))
          if (!operation.bodyProperties.has(key))
            return fail(`body field "${key}" is not documented for ${operation.operationId}`);
    }
    const authorization = request.headers.authorization;
    this.requests.push({
      method,
      path: url.pathname,
      operationId: operation.operationId,
      body,
      ...(authorization ? { authorization } : {}),
    });
    if (authorization !== `Bearer ${this.expectedToken}`) return send(401, { message: "Bad credentials" });
    // A fork PR's token: reads work, writes are refused as GitHub refuses them.
    if (this.readOnly && method !== "GET")
      return send(403, { message: "Resource not accessible by integration" });
    this.route(operation.operationId, url, body as Json | undefined, send);
  }

  private route(
    operationId: string,
    url: URL,
    body: Json | undefined,
    send: (status: number, payload?: unknown) => void,
  ): void {
    const segments = url.pathname.split("/").map(decodeURIComponent);
    const page = Number(url.searchParams.get("page") ?? "1");
    const perPage = Number(url.searchParams.get("per_page") ?? "30");
    const paged = <T>(items: T[]): T[] => items.slice((page - 1) * perPage, page * perPage);
    const issueOf = (number: number): FakeIssue | undefined => this.issues.get(number);
    switch (operationId) {
      case "users/get-authenticated": {
        if ("app" in this.identity) return send(403, { message: "Resource not accessible by integration" });
        return send(200, { login: this.identity.user, id: 1, type: "User", user_view_type: "public" });
      }
      case "issues/list-comments": {
        const issue = Number(segments[5]);
        if (!issueOf(issue)) return send(404, { message: "Not Found" });
        return send(
          200,
          paged(this.commentsOn(issue)).map((c) => this.commentJson(c)),
        );
      }
      case "issues/create-comment": {
        const issue = Number(segments[5]);
        if (!issueOf(issue)) return send(404, { message: "Not Found" });
        const comment: FakeComment = {
          id: this.nextCommentId++,
          issue,
          body: String(body?.body),
          user: { login: this.login },
        };
        this.comments.push(comment);
        return send(201, this.commentJson(comment));
      }
      case "issues/update-comment": {
        const comment = this.comments.find((c) => c.id === Number(segments[6]));
        if (!comment) return send(404, { message: "Not Found" });
        comment.body = String(body?.body);
        return send(200, this.commentJson(comment));
      }
      case "issues/delete-comment": {
        const index = this.comments.findIndex((c) => c.id === Number(segments[6]));
        if (index < 0) return send(404, { message: "Not Found" });
        this.comments.splice(index, 1);
        return send(204);
      }
      case "issues/list-labels-on-issue": {
        const issue = issueOf(Number(segments[5]));
        if (!issue) return send(404, { message: "Not Found" });
        return send(
          200,
          paged(issue.labels).map((name) => ({ id: 1, name, color: "ededed" })),
        );
      }
      case "issues/add-labels": {
        const issue = issueOf(Number(segments[5]));
        if (!issue) return send(404, { message: "Not Found" });
        for (const name of (body?.labels as string[] | undefined) ?? [])
          if (!issue.labels.includes(name)) issue.labels.push(name);
        return send(
          200,
          issue.labels.map((name) => ({ id: 1, name })),
        );
      }
      case "issues/remove-label": {
        const issue = issueOf(Number(segments[5]));
        const name = segments[7] ?? "";
        if (!issue?.labels.includes(name)) return send(404, { message: "Label does not exist" });
        issue.labels = issue.labels.filter((label) => label !== name);
        return send(
          200,
          issue.labels.map((label) => ({ id: 1, name: label })),
        );
      }
      case "issues/list-for-repo": {
        const label = url.searchParams.get("labels");
        const state = url.searchParams.get("state") ?? "open";
        const list = [...this.issues.values()].filter(
          (issue) =>
            (state === "all" || issue.state === state) &&
            (!label || label.split(",").every((l) => issue.labels.includes(l))),
        );
        return send(
          200,
          paged(list).map((issue) => this.issueJson(issue)),
        );
      }
      case "issues/create": {
        const issue: FakeIssue = {
          number: this.nextIssue++,
          title: String(body?.title),
          body: typeof body?.body === "string" ? body.body : "",
          state: "open",
          labels: (body?.labels as string[] | undefined) ?? [],
          isPullRequest: false,
          user: { login: this.login },
        };
        this.issues.set(issue.number, issue);
        return send(201, this.issueJson(issue));
      }
      case "issues/update": {
        const issue = issueOf(Number(segments[5]));
        if (!issue) return send(404, { message: "Not Found" });
        if (typeof body?.title === "string") issue.title = body.title;
        if (typeof body?.body === "string") issue.body = body.body;
        if (body?.state === "open" || body?.state === "closed") issue.state = body.state;
        if (body?.state_reason !== undefined) issue.state_reason = body.state_reason as string;
        return send(200, this.issueJson(issue));
      }
      case "repos/list-pull-requests-associated-with-commit": {
        const numbers = this.commitPulls.get(segments[5] ?? "") ?? [];
        return send(
          200,
          numbers.map((number) => ({ number, state: "closed", merged_at: "2026-01-01T00:00:00Z" })),
        );
      }
      default:
        if (this.git.route(operationId, url.pathname, body, send)) return;
        this.violations.push(`${operationId}: documented but the fake does not implement it`);
        return send(501, { message: `fake does not implement ${operationId}` });
    }
  }

  private commentJson(comment: FakeComment): Json {
    return {
      id: comment.id,
      body: comment.body,
      user: comment.user,
      html_url: `https://github.example/c/${comment.id}`,
    };
  }

  private issueJson(issue: FakeIssue): Json {
    return {
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      state_reason: issue.state_reason ?? null,
      labels: issue.labels.map((name) => ({ name })),
      user: { login: issue.user?.login ?? "octocat", type: "User" },
      html_url: `https://github.example/issues/${issue.number}`,
      ...(issue.isPullRequest ? { pull_request: { url: "x" } } : {}),
    };
  }
}
