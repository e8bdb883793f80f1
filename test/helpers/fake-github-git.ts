/**
 * The Git database part of the fake GitHub (trees, commits, refs), for the github lock backend. Shapes
 * follow GitHub's OpenAPI description (@octokit/openapi): git/create-tree and git/create-commit answer
 * 201 with `git-tree` / `git-commit`, git/create-ref 201 with `git-ref` or 422 when the ref exists,
 * git/get-ref 200 or 404, git/update-ref 200 or 422 when the update is not a fast-forward (without
 * `force`) or the ref does not exist, git/delete-ref 204 or 422.
 */
import { createHash } from "node:crypto";

type Json = Record<string, unknown>;
type Send = (status: number, payload?: unknown) => void;

interface FakeCommit {
  sha: string;
  message: string;
  tree: string;
  parents: string[];
}

export class FakeGitDatabase {
  readonly trees = new Map<string, Json[]>();
  readonly commits = new Map<string, FakeCommit>();
  /** "refs/…" → commit sha. */
  readonly refs = new Map<string, string>();
  private counter = 0;

  constructor(private readonly base: () => string) {}

  private sha(kind: string, content: unknown): string {
    this.counter += 1;
    return createHash("sha1")
      .update(`${kind}\n${this.counter}\n${JSON.stringify(content)}`)
      .digest("hex");
  }

  private refJson(ref: string, sha: string): Json {
    return {
      ref,
      node_id: `REF_${sha.slice(0, 8)}`,
      url: `${this.base()}/repos/o/r/git/${ref}`,
      object: { type: "commit", sha, url: `${this.base()}/repos/o/r/git/commits/${sha}` },
    };
  }

  private commitJson(commit: FakeCommit): Json {
    const person = { name: "ppgov", email: "ppgov@example.com", date: "2026-01-01T00:00:00Z" };
    return {
      sha: commit.sha,
      node_id: `C_${commit.sha.slice(0, 8)}`,
      url: `${this.base()}/repos/o/r/git/commits/${commit.sha}`,
      html_url: `https://github.example/commit/${commit.sha}`,
      author: person,
      committer: person,
      tree: { sha: commit.tree, url: `${this.base()}/repos/o/r/git/trees/${commit.tree}` },
      message: commit.message,
      parents: commit.parents.map((sha) => ({ sha, url: "x", html_url: "x" })),
      verification: {
        verified: false,
        reason: "unsigned",
        signature: null,
        payload: null,
        verified_at: null,
      },
    };
  }

  /** Is `ancestor` reachable from `sha` through parents (or the same commit)? */
  private reaches(sha: string, ancestor: string): boolean {
    const queue = [sha];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (next === ancestor) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(this.commits.get(next)?.parents ?? []));
    }
    return false;
  }

  /** Handles a git/* operation; false when `operationId` is not one of them. */
  route(operationId: string, path: string, body: Json | undefined, send: Send): boolean {
    // /repos/{owner}/{repo}/git/{refs|ref|commits|trees}/{rest…}: rest is from the 7th segment on
    const rest = path.split("/").slice(6).map(decodeURIComponent).join("/");
    switch (operationId) {
      case "git/create-tree": {
        const tree = (body?.tree as Json[] | undefined) ?? [];
        const sha = this.sha("tree", tree);
        this.trees.set(sha, tree);
        send(201, {
          sha,
          url: `${this.base()}/repos/o/r/git/trees/${sha}`,
          truncated: false,
          tree: tree.map((entry) => ({
            path: entry.path,
            mode: entry.mode,
            type: entry.type,
            sha: this.sha("blob", entry),
          })),
        });
        return true;
      }
      case "git/create-commit": {
        const tree = String(body?.tree);
        if (!this.trees.has(tree)) {
          send(422, { message: "Tree SHA does not exist", documentation_url: "x" });
          return true;
        }
        const parents = (body?.parents as string[] | undefined) ?? [];
        if (parents.some((parent) => !this.commits.has(parent))) {
          send(422, {
            message: "Parent SHA does not exist or is not a commit object",
            documentation_url: "x",
          });
          return true;
        }
        const commit: FakeCommit = {
          sha: this.sha("commit", body),
          message: String(body?.message),
          tree,
          parents,
        };
        this.commits.set(commit.sha, commit);
        send(201, this.commitJson(commit));
        return true;
      }
      case "git/get-commit": {
        const commit = this.commits.get(rest);
        if (!commit) send(404, { message: "Not Found", documentation_url: "x" });
        else send(200, this.commitJson(commit));
        return true;
      }
      case "git/create-ref": {
        const ref = String(body?.ref);
        const sha = String(body?.sha);
        if (!ref.startsWith("refs/") || ref.split("/").length < 3) {
          send(422, { message: "Reference name is invalid", documentation_url: "x" });
        } else if (this.refs.has(ref)) {
          send(422, { message: "Reference already exists", documentation_url: "x" });
        } else if (!this.commits.has(sha)) {
          send(422, { message: "Object does not exist", documentation_url: "x" });
        } else {
          this.refs.set(ref, sha);
          send(201, this.refJson(ref, sha));
        }
        return true;
      }
      case "git/get-ref": {
        const ref = `refs/${rest}`;
        const sha = this.refs.get(ref);
        if (sha === undefined) send(404, { message: "Not Found", documentation_url: "x" });
        else send(200, this.refJson(ref, sha));
        return true;
      }
      case "git/update-ref": {
        const ref = `refs/${rest}`;
        const current = this.refs.get(ref);
        const sha = String(body?.sha);
        if (current === undefined) send(422, { message: "Reference does not exist", documentation_url: "x" });
        else if (!this.commits.has(sha))
          send(422, { message: "Object does not exist", documentation_url: "x" });
        else if (body?.force !== true && !this.reaches(sha, current))
          send(422, { message: "Update is not a fast forward", documentation_url: "x" });
        else {
          this.refs.set(ref, sha);
          send(200, this.refJson(ref, sha));
        }
        return true;
      }
      case "git/delete-ref": {
        const ref = `refs/${rest}`;
        if (!this.refs.delete(ref))
          send(422, { message: "Reference does not exist", documentation_url: "x" });
        else send(204);
        return true;
      }
      default:
        return false;
    }
  }
}
