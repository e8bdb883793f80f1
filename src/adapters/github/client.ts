import { PpgovError } from "../../core/errors.js";

/** The subset of `fetch` the client uses, so tests and callers can inject their own. */
export type GithubFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface GithubClientOptions {
  /** GITHUB_API_URL, e.g. https://api.github.com (no trailing slash needed). */
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
  fetch?: GithubFetch;
  userAgent?: string;
  /**
   * The slug of the GitHub App whose installation token this is, when it is one (GET /user is not
   * open to installation tokens): its comments are authored by `<slug>[bot]`. Default `github-actions`,
   * the app behind Actions' GITHUB_TOKEN.
   */
  appSlug?: string;
  /** Per attempt, headers and body included. Default 30 s. */
  timeoutMs?: number;
  /** For one call, every attempt and wait included. Default 120 s. */
  deadlineMs?: number;
  /** The most bytes of one response body read; a longer body fails the call. Default 16 MiB. */
  maxResponseBytes?: number;
  /** Attempts of a GET that failed without an answer, or with 500/502/503/504. Default 3. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export const GITHUB_DEFAULT_TIMEOUT_MS = 30_000;
export const GITHUB_DEFAULT_DEADLINE_MS = 120_000;
/** A page of 100 comments of 65,536 characters is 6.5 MB (26 MB if every character took 4 bytes). */
export const GITHUB_DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** Same-host redirects followed for one call (a renamed repository answers 301/307). */
const MAX_REDIRECTS = 3;
const RETRIED_STATUSES = new Set([500, 502, 503, 504]);

/** The author of a comment or issue (`nullable-simple-user` in GitHub's OpenAPI description). */
export interface GithubUser {
  login: string;
  type?: string;
}

export interface IssueComment {
  id: number;
  body?: string;
  html_url?: string;
  user?: GithubUser | null;
}

export interface Issue {
  number: number;
  state: "open" | "closed";
  title: string;
  body?: string | null;
  html_url?: string;
  pull_request?: unknown;
  user?: GithubUser | null;
  labels: ({ name?: string } | string)[];
}

export interface PullRequestRef {
  number: number;
  state: string;
  merged_at?: string | null;
}

/** A GitHub REST call that did not succeed: status and GitHub's message, never the token. */
export class GithubApiError extends PpgovError {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    detail: string,
  ) {
    super("GITHUB_API", `GitHub API ${method} ${path} answered ${status}: ${detail}`);
  }
}

/**
 * A GitHub REST call that got no usable answer: timed out, cut off, too large, not JSON, or
 * redirected to another host. Names GitHub and the call, never the token.
 */
export class GithubRequestError extends PpgovError {
  constructor(
    readonly method: string,
    readonly path: string,
    detail: string,
  ) {
    super("GITHUB_API", `GitHub API ${method} ${path}: ${detail}`);
  }
}

class BodyTooLarge extends Error {}

/**
 * A minimal GitHub REST client over fetch: only the handful of issue/comment/label/pull calls ppgov
 * makes, so every request is easy to check against GitHub's OpenAPI description.
 */
export class GithubClient {
  readonly owner: string;
  readonly repo: string;
  private readonly base: string;
  private readonly fetch: GithubFetch;
  /** Number of REST calls made, for logs and metrics. */
  calls = 0;
  private login?: Promise<string>;

  constructor(private readonly options: GithubClientOptions) {
    this.owner = options.owner;
    this.repo = options.repo;
    this.base = options.apiUrl.replace(/\/+$/, "");
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  private repoPath(suffix: string): string {
    return `/repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.repo)}${suffix}`;
  }

  /**
   * One REST call, under the same rules as the tenant client: a timeout per attempt (headers and body),
   * a deadline for the call, a cap on the body, JSON checked, redirects followed only to the API's own
   * origin (a 307 would otherwise re-send a comment's body, with the token, to another host). A GET that
   * got no answer or a 5xx is tried again; a write is not, since it may have taken effect.
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    this.calls += 1;
    const shownPath = path.split("?")[0] ?? path;
    const now = this.options.now ?? Date.now;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
    const timeoutMs = this.options.timeoutMs ?? GITHUB_DEFAULT_TIMEOUT_MS;
    const deadlineMs = this.options.deadlineMs ?? GITHUB_DEFAULT_DEADLINE_MS;
    const maxAttempts = method === "GET" ? (this.options.maxAttempts ?? 3) : 1;
    const deadline = now() + deadlineMs;
    const fail = (detail: string): GithubRequestError => new GithubRequestError(method, shownPath, detail);
    for (let attempt = 1; ; attempt += 1) {
      const remaining = deadline - now();
      if (remaining <= 0) throw fail(`no answer within the ${duration(deadlineMs)} deadline for the call`);
      let answer: { status: number; text: string };
      try {
        answer = await this.attempt(method, path, body, Math.min(timeoutMs, remaining));
      } catch (error: unknown) {
        if (error instanceof GithubRequestError) throw error;
        const detail =
          error instanceof BodyTooLarge
            ? `the answer is over ${formatMiB(this.maxResponseBytes())} (the cap on a GitHub answer); not read further`
            : isTimeout(error)
              ? `no complete answer within ${duration(Math.min(timeoutMs, remaining))} (timeout)`
              : `no answer (${describeNetworkError(error)})`;
        if (error instanceof BodyTooLarge || attempt >= maxAttempts || now() + 1000 * attempt >= deadline)
          throw fail(`${detail}${attempt > 1 ? ` after ${attempt} attempts` : ""}`);
        await sleep(1000 * attempt);
        continue;
      }
      const { status, text } = answer;
      if (status >= 200 && status < 300) {
        if (text === "") return undefined as T;
        try {
          return JSON.parse(text) as T;
        } catch {
          throw fail(`answered ${status} with a body that is not JSON (starts "${preview(text)}")`);
        }
      }
      if (RETRIED_STATUSES.has(status) && attempt < maxAttempts && now() + 1000 * attempt < deadline) {
        await sleep(1000 * attempt);
        continue;
      }
      let detail = preview(text, 300);
      try {
        const message = (JSON.parse(text) as { message?: unknown } | null)?.message;
        if (typeof message === "string") detail = message;
      } catch {
        // Not JSON (an HTML error page from a proxy): keep the raw text, cut short.
      }
      throw new GithubApiError(status, method, shownPath, detail);
    }
  }

  private maxResponseBytes(): number {
    return this.options.maxResponseBytes ?? GITHUB_DEFAULT_MAX_RESPONSE_BYTES;
  }

  /** One attempt, redirects to the same origin included, under one timeout. */
  private async attempt(
    method: string,
    path: string,
    body: unknown,
    timeoutMs: number,
  ): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = {
      accept: "application/vnd.github+json",
      authorization: `Bearer ${this.options.token}`,
      "x-github-api-version": "2022-11-28",
      "user-agent": this.options.userAgent ?? "ppgov",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    const shownPath = path.split("?")[0] ?? path;
    // A timer of our own (AbortSignal.timeout does not keep the process alive while a body trickles).
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException("the attempt timed out", "TimeoutError")),
      timeoutMs,
    );
    try {
      let url = new URL(`${this.base}${path}`);
      const origin = url.origin;
      for (let redirects = 0; ; redirects += 1) {
        const response = await this.fetch(url.href, {
          method,
          headers,
          redirect: "manual",
          signal: controller.signal,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const location = response.headers.get("location");
        if (response.status >= 300 && response.status < 400 && location !== null) {
          await response.body?.cancel().catch(() => undefined);
          const target = new URL(location, url);
          if (target.origin !== origin)
            throw new GithubRequestError(
              method,
              shownPath,
              `answered ${response.status} redirecting to another host (${target.host}); not followed, since the request carries the token${body === undefined ? "" : " and a body"}`,
            );
          // 301/302/303 turn a write into a GET in fetch's rules: refuse rather than guess.
          if (method !== "GET" && response.status !== 307 && response.status !== 308)
            throw new GithubRequestError(
              method,
              shownPath,
              `answered ${response.status} redirecting a ${method}; not followed`,
            );
          if (redirects >= MAX_REDIRECTS)
            throw new GithubRequestError(method, shownPath, `more than ${MAX_REDIRECTS} redirects`);
          url = target;
          continue;
        }
        return { status: response.status, text: await readCapped(response, this.maxResponseBytes()) };
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Pages through a list endpoint (100 per page) until a short page. */
  private async all<T>(path: string, maxPages = 50): Promise<T[]> {
    const out: T[] = [];
    const separator = path.includes("?") ? "&" : "?";
    for (let page = 1; page <= maxPages; page += 1) {
      const items = await this.request<T[]>("GET", `${path}${separator}per_page=100&page=${page}`);
      out.push(...items);
      if (items.length < 100) break;
    }
    return out;
  }

  /**
   * The login that authors what this token writes: `GET /user` (users/get-authenticated) for a user's
   * token; an app installation token is refused there with 403 (the operation is not
   * `enabledForGitHubApps` in GitHub's OpenAPI description), and writes as `<app slug>[bot]`.
   * Asked once per client.
   */
  authenticatedLogin(): Promise<string> {
    this.login ??= this.request<{ login?: unknown }>("GET", "/user").then(
      (user) => {
        if (typeof user?.login !== "string" || user.login === "")
          throw new GithubApiError(200, "GET", "/user", "the answer has no login");
        return user.login;
      },
      (error: unknown) => {
        if (error instanceof GithubApiError && error.status === 403)
          return `${this.options.appSlug ?? "github-actions"}[bot]`;
        throw error;
      },
    );
    return this.login;
  }

  /** Whether this token's identity wrote a comment or issue: only those are ever edited or deleted. */
  async isOwn(item: { user?: GithubUser | null }): Promise<boolean> {
    const login = await this.authenticatedLogin();
    return item.user?.login !== undefined && item.user.login.toLowerCase() === login.toLowerCase();
  }

  listIssueComments(issue: number): Promise<IssueComment[]> {
    return this.all<IssueComment>(this.repoPath(`/issues/${issue}/comments`));
  }

  createIssueComment(issue: number, body: string): Promise<IssueComment> {
    return this.request("POST", this.repoPath(`/issues/${issue}/comments`), { body });
  }

  updateIssueComment(commentId: number, body: string): Promise<IssueComment> {
    return this.request("PATCH", this.repoPath(`/issues/comments/${commentId}`), { body });
  }

  async deleteIssueComment(commentId: number): Promise<void> {
    await this.request<undefined>("DELETE", this.repoPath(`/issues/comments/${commentId}`));
  }

  async listLabelsOnIssue(issue: number): Promise<string[]> {
    const labels = await this.all<{ name: string }>(this.repoPath(`/issues/${issue}/labels`));
    return labels.map((label) => label.name);
  }

  async addLabels(issue: number, labels: string[]): Promise<void> {
    await this.request("POST", this.repoPath(`/issues/${issue}/labels`), { labels });
  }

  async removeLabel(issue: number, label: string): Promise<void> {
    await this.request("DELETE", this.repoPath(`/issues/${issue}/labels/${encodeURIComponent(label)}`));
  }

  /** Issues (not pull requests) carrying a label, open and closed. */
  async listIssuesWithLabel(label: string): Promise<Issue[]> {
    const issues = await this.all<Issue>(
      this.repoPath(`/issues?state=all&labels=${encodeURIComponent(label)}`),
    );
    return issues.filter((issue) => issue.pull_request === undefined);
  }

  createIssue(title: string, body: string, labels: string[]): Promise<Issue> {
    return this.request("POST", this.repoPath("/issues"), { title, body, labels });
  }

  updateIssue(
    issue: number,
    fields: {
      title?: string;
      body?: string;
      state?: "open" | "closed";
      state_reason?: "completed" | "reopened";
    },
  ): Promise<Issue> {
    return this.request("PATCH", this.repoPath(`/issues/${issue}`), fields);
  }

  /** Pull requests associated with a commit (the merged PR of a push to main). */
  listPullsForCommit(sha: string): Promise<PullRequestRef[]> {
    return this.request("GET", this.repoPath(`/commits/${encodeURIComponent(sha)}/pulls`));
  }
}

/** Reads a body as UTF-8 text, failing as soon as it passes `maxBytes` (never buffering more). */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLarge();
  }
  if (response.body === null) return "";
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let length = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** The start of a body, one line, for a message. */
function preview(text: string, length = 60): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > length ? `${line.slice(0, length)}…` : line;
}

function formatMiB(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}
