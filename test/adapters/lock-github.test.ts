import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GithubClient } from "../../src/adapters/github/client.js";
import { GithubLockBackend } from "../../src/adapters/lock/github-lock.js";
import type { LockRequest } from "../../src/core/ports/lock.js";
import { FakeGithub } from "../helpers/fake-github.js";

/** The github lock backend against the fake GitHub, which checks every request against GitHub's OpenAPI description. */
const github = new FakeGithub();
beforeAll(() => github.start(), 60_000);
afterAll(() => github.stop());
beforeEach(() => {
  github.requests.length = 0;
  github.violations.length = 0;
  github.git.refs.clear();
});

const request = (pid: number, host = "runner-a"): LockRequest => ({
  host,
  pid,
  command: "apply",
  runId: "contoso/policies run 42 attempt 1",
  actor: "octocat",
});

function backend(
  now: () => Date = () => new Date(),
  ttlMs = 600_000,
  heartbeatMs = 60_000,
): GithubLockBackend {
  const client = new GithubClient({
    apiUrl: github.url,
    token: "ghs_fake_token",
    owner: "contoso",
    repo: "policies",
  });
  return new GithubLockBackend({ client, ttlMs, heartbeatMs, now });
}

const NAME = "0123456789abcdef0123456789abcdef";

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("github lock backend", () => {
  it("is exclusive across runners: a ref created atomically, the holder named, freed on release", async () => {
    const a = backend();
    const held = await a.acquire(NAME, request(101));
    expect([...github.git.refs.keys()]).toEqual([`refs/ppgov-locks/${NAME}`]);
    const holder = await a.read(NAME);
    expect(holder).toMatchObject({ id: held.id, host: "runner-a", pid: 101, actor: "octocat" });
    expect(holder?.runId).toBe("contoso/policies run 42 attempt 1");

    const b = backend();
    const refused = b.acquire(NAME, request(202, "runner-b"));
    await expect(refused).rejects.toThrow(
      /another ppgov apply \(pid 101 on runner-a, contoso\/policies run 42 attempt 1 by octocat/,
    );
    await expect(refused).rejects.toThrow(`ppgov force-unlock ${held.id}`);

    await held.release();
    expect(github.git.refs.size).toBe(0);
    const next = await b.acquire(NAME, request(202, "runner-b"));
    expect((await b.read(NAME))?.pid).toBe(202);
    await next.release();
    expect(github.violations).toEqual([]);
    expect(new Set(github.requests.map((r) => r.operationId))).toEqual(
      new Set([
        "git/create-tree",
        "git/create-commit",
        "git/create-ref",
        "git/get-ref",
        "git/get-commit",
        "git/delete-ref",
      ]),
    );
  });

  it("takes over a hold whose heartbeat is older than its TTL; the old holder's late release frees nothing", async () => {
    let clock = Date.parse("2026-12-07T10:00:00Z");
    const now = (): Date => new Date(clock);
    // A hung holder: its next heartbeat is far away.
    const old = await backend(now, 60_000, 3_600_000).acquire(NAME, request(101));
    const oldRef = github.git.refs.get(`refs/ppgov-locks/${NAME}`)!;
    clock += 61_000;
    const fresh = backend(now);
    expect(await fresh.read(NAME)).toBeUndefined(); // stale counts as free
    const taken = await fresh.acquire(NAME, request(202, "runner-b"));
    const newRef = github.git.refs.get(`refs/ppgov-locks/${NAME}`)!;
    expect(newRef).not.toBe(oldRef);
    expect(github.git.commits.get(newRef)?.parents).toEqual([oldRef]); // moved by fast-forward from the stale commit
    expect((await fresh.read(NAME))?.id).toBe(taken.id);
    await old.release();
    expect((await fresh.read(NAME))?.id).toBe(taken.id);
    await taken.release();
    expect(github.violations).toEqual([]);
  });

  it("renews while held: the ref moves to a child commit carrying a new heartbeat", async () => {
    let clock = Date.parse("2026-12-07T10:00:00Z");
    const held = await backend(() => new Date(clock), 60_000, 20).acquire(NAME, request(101));
    const first = github.git.refs.get(`refs/ppgov-locks/${NAME}`)!;
    clock += 30_000;
    await until(() => github.git.refs.get(`refs/ppgov-locks/${NAME}`) !== first);
    const second = github.git.refs.get(`refs/ppgov-locks/${NAME}`)!;
    expect(github.git.commits.get(second)?.parents).toContain(first);
    const holder = await backend(() => new Date(clock)).read(NAME);
    expect(holder?.heartbeatAt).toBe(new Date(clock).toISOString());
    expect(held.lost()).toBeUndefined();
    await held.release();
    expect(github.violations).toEqual([]);
  });

  it("lets one of two runs that race for a stale lock win (the ref moves only by fast-forward)", async () => {
    let clock = Date.parse("2026-12-07T10:00:00Z");
    const now = (): Date => new Date(clock);
    await backend(now, 60_000).acquire(NAME, request(101));
    clock += 120_000;
    const results = await Promise.allSettled([
      backend(now).acquire(NAME, request(202, "runner-b")),
      backend(now).acquire(NAME, request(303, "runner-c")),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected");
    expect(String((lost as PromiseRejectedResult).reason)).toMatch(
      /took over the stale lock|another ppgov apply/,
    );
    expect(github.violations).toEqual([]);
  });

  it("force-unlock removes only the named hold, and the holder finds its lock lost at its next heartbeat", async () => {
    const a = backend(() => new Date(), 600_000, 20);
    const held = await a.acquire(NAME, request(101));
    expect(await a.forceUnlock(NAME, `${NAME}.000000000000`)).toMatchObject({ status: "other-holder" });
    expect(github.git.refs.size).toBe(1);
    expect(await a.forceUnlock(NAME, held.id)).toMatchObject({ status: "removed", holder: { pid: 101 } });
    expect(github.git.refs.size).toBe(0);
    await until(() => held.lost() !== undefined);
    expect(held.lost()).toMatch(/broken or taken over/);
    expect(await a.forceUnlock(NAME, held.id)).toEqual({ status: "free" });
    await held.release();
    expect(github.violations).toEqual([]);
  });
});
