import { readFile } from "node:fs/promises";
import { UsageError } from "../../core/errors.js";

/** What a pull_request event says about the PR (the parts ppgov uses). */
export interface PullRequestInfo {
  number: number;
  baseSha: string;
  headSha: string;
  baseRef: string;
  /** The head lives in another repository: the run gets no secrets. */
  fromFork: boolean;
}

/** The standard Actions variables (docs/github.md), read once. */
export interface GithubContext {
  apiUrl: string;
  serverUrl: string;
  token?: string;
  owner: string;
  repo: string;
  sha?: string;
  runId?: string;
  eventName?: string;
  pullRequest?: PullRequestInfo;
  stepSummaryPath?: string;
  outputPath?: string;
  /** Link to the workflow run, when the variables say it. */
  runUrl?: string;
}

/** Reads the Actions variables and the event payload. Throws a usage error when the repository is unknown. */
export async function readGithubContext(env: NodeJS.ProcessEnv): Promise<GithubContext> {
  const repository = env.GITHUB_REPOSITORY?.trim() ?? "";
  const [owner, repo, extra] = repository.split("/");
  if (!owner || !repo || extra !== undefined)
    throw new UsageError(
      `GITHUB_REPOSITORY must be "owner/repo" (got "${repository}"); --github-comment and --github-issue run inside GitHub Actions`,
    );
  const serverUrl = (env.GITHUB_SERVER_URL?.trim() || "https://github.com").replace(/\/+$/, "");
  const context: GithubContext = {
    apiUrl: (env.GITHUB_API_URL?.trim() || "https://api.github.com").replace(/\/+$/, ""),
    serverUrl,
    owner,
    repo,
    ...optional("token", env.GITHUB_TOKEN),
    ...optional("sha", env.GITHUB_SHA),
    ...optional("runId", env.GITHUB_RUN_ID),
    ...optional("eventName", env.GITHUB_EVENT_NAME),
    ...optional("stepSummaryPath", env.GITHUB_STEP_SUMMARY),
    ...optional("outputPath", env.GITHUB_OUTPUT),
  };
  if (context.runId) context.runUrl = `${serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;
  const eventPath = env.GITHUB_EVENT_PATH?.trim();
  if (eventPath) {
    const pullRequest = parsePullRequestEvent(await readEvent(eventPath), `${owner}/${repo}`);
    if (pullRequest) context.pullRequest = pullRequest;
  }
  return context;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  const trimmed = value?.trim();
  return trimmed ? ({ [key]: trimmed } as Record<K, string>) : {};
}

async function readEvent(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error: unknown) {
    throw new UsageError(`cannot read GITHUB_EVENT_PATH ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`GITHUB_EVENT_PATH ${path} is not JSON`);
  }
}

/** The pull request of a pull_request event payload, or undefined for other events. */
export function parsePullRequestEvent(event: unknown, repository: string): PullRequestInfo | undefined {
  const pr = (event as { pull_request?: unknown } | null)?.pull_request as
    | {
        number?: unknown;
        base?: { sha?: unknown; ref?: unknown };
        head?: { sha?: unknown; repo?: { full_name?: unknown } | null };
      }
    | undefined;
  if (!pr || typeof pr.number !== "number") return undefined;
  const baseSha = typeof pr.base?.sha === "string" ? pr.base.sha : "";
  const headSha = typeof pr.head?.sha === "string" ? pr.head.sha : "";
  const headRepo = pr.head?.repo?.full_name;
  return {
    number: pr.number,
    baseSha,
    headSha,
    baseRef: typeof pr.base?.ref === "string" ? pr.base.ref : "",
    fromFork: typeof headRepo === "string" && headRepo.toLowerCase() !== repository.toLowerCase(),
  };
}
