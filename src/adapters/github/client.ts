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
}

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

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    this.calls += 1;
    const headers: Record<string, string> = {
      accept: "application/vnd.github+json",
      authorization: `Bearer ${this.options.token}`,
      "x-github-api-version": "2022-11-28",
      "user-agent": this.options.userAgent ?? "ppgov",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await this.fetch(`${this.base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) {
      let detail = text.slice(0, 300);
      try {
        detail = (JSON.parse(text) as { message?: string }).message ?? detail;
      } catch {
        // Not JSON: keep the raw text (already cut short).
      }
      throw new GithubApiError(response.status, method, path.split("?")[0] ?? path, detail);
    }
    return (text === "" ? undefined : JSON.parse(text)) as T;
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
