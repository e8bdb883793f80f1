import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { startForwardProxy, startTlsRelay, type ForwardProxy } from "../helpers/forward-proxy.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";
import { makeTestCertificate } from "../helpers/test-certificate.js";

/**
 * `ppgov plan` behind a corporate proxy, as a self-hosted runner would run it: every tenant request
 * tunnelled with CONNECT to an https endpoint whose certificate the process trusts through
 * NODE_EXTRA_CA_CERTS. The endpoint's host name resolves nowhere; only the proxy reaches it.
 */
const HOST = "tenant.ppgov.test";
const PASSWORD = "proxy-pass-7Yq";

describe("ppgov behind an HTTPS proxy", () => {
  let emulator: RunningEmulator;
  let proxy: ForwardProxy;
  let closeRelay: () => Promise<void>;
  let work: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath) });
    work = await mkdtemp(join(tmpdir(), "ppgov-proxy-e2e-"));
    await cp(join(repoRoot, "policies"), join(work, "policies"), { recursive: true });
    const certificate = makeTestCertificate(work, "tenant", [HOST]);
    const relay = await startTlsRelay(
      await readFile(certificate.keyPath, "utf8"),
      certificate.certificatePem,
      Number(new URL(emulator.url).port),
    );
    closeRelay = relay.close;
    proxy = await startForwardProxy(() => relay.port, `me:${PASSWORD}`);
    env = {
      PPGOV_ENDPOINT: `https://${HOST}`,
      PPGOV_TOKEN: "ppgov-dev",
      PPGOV_CACHE_DIR: join(work, "cache"),
      PPGOV_LOG_LEVEL: "debug",
      NODE_EXTRA_CA_CERTS: certificate.certificatePath,
    };
  });
  afterAll(async () => {
    await proxy.close();
    await closeRelay();
    await emulator.close();
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    emulator.resetRequests();
    proxy.connects.length = 0;
    proxy.authorizations.length = 0;
  });

  it("plans through the proxy with the credentials of HTTPS_PROXY, which no output shows", async () => {
    const proxyUrl = proxy.url.replace("//", `//me:${PASSWORD}@`);
    const planned = await runCli(["plan", "-d", "policies", "--no-cache"], {
      cwd: work,
      env: { ...env, HTTPS_PROXY: proxyUrl },
    });
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toContain("Plan: 3 to add, 11 to change, 0 to destroy.");
    const calls = Number(/^(\d+) API calls/m.exec(planned.stdout)?.[1]);
    expect(emulator.requests()).toHaveLength(calls);
    // Every connection went through the proxy, with its credentials, and connections were reused.
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(proxy.connects.length).toBeLessThan(calls);
    expect(new Set(proxy.connects)).toEqual(new Set([`${HOST}:443`]));
    expect(new Set(proxy.authorizations)).toEqual(
      new Set([`Basic ${Buffer.from(`me:${PASSWORD}`).toString("base64")}`]),
    );
    expect(planned.stdout + planned.stderr).not.toContain(PASSWORD);
  });

  it("exports the tenant through the proxy too", async () => {
    const exported = await runCli(["export", "-o", "exported"], {
      cwd: work,
      env: { ...env, HTTPS_PROXY: proxy.url.replace("//", `//me:${PASSWORD}@`) },
    });
    expect(exported.code, exported.stderr).toBe(0);
    expect(emulator.requests().length).toBeGreaterThan(0);
    expect(new Set(proxy.connects)).toEqual(new Set([`${HOST}:443`]));
    expect(exported.stdout + exported.stderr).not.toContain(PASSWORD);
  });

  it("stops with a clear message when the proxy refuses the credentials, and does not print them", async () => {
    const planned = await runCli(["plan", "-d", "policies", "--no-cache"], {
      cwd: work,
      env: { ...env, HTTPS_PROXY: proxy.url.replace("//", "//me:wrong-pass-Zz9@") },
    });
    expect(planned.code).toBe(1);
    expect(planned.stderr).toContain(
      "the proxy wants credentials it did not get or did not accept (407 Proxy Authentication Required)",
    );
    expect(planned.stdout + planned.stderr).not.toContain("wrong-pass-Zz9");
    expect(emulator.requests()).toEqual([]);
  });

  it("refuses a proxy variable it cannot use before sending anything", async () => {
    const planned = await runCli(["plan", "-d", "policies"], {
      cwd: work,
      env: { ...env, HTTPS_PROXY: "socks5://me:socks-pass-Qq1@127.0.0.1:1080" },
    });
    expect(planned.code).toBe(1);
    expect(planned.stderr).toContain("HTTPS_PROXY uses socks5://, which ppgov does not support");
    expect(planned.stdout + planned.stderr).not.toContain("socks-pass-Qq1");
    expect(proxy.connects).toEqual([]);
    expect(emulator.requests()).toEqual([]);
  });
});
