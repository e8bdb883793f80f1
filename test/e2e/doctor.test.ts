import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DoctorReport } from "../../src/core/doctor/report.js";
import {
  loadSeedFile,
  sampleSeedPath,
  startEmulator,
  type RunningEmulator,
} from "../../src/emulator/server.js";
import { startReshapingProxy, type ReshapingProxy } from "../helpers/reshaping-proxy.js";
import { runCli } from "../helpers/run-cli.js";
import { tenantWrites } from "../helpers/tenant-writes.js";

/** The built CLI's `ppgov doctor` against the sample tenant, directly and behind a proxy that reshapes one route. */
describe("ppgov doctor", () => {
  let emulator: RunningEmulator;
  let proxy: ReshapingProxy;
  let scratch: string;
  let stateBefore: string;
  const direct = (): NodeJS.ProcessEnv => ({ PPGOV_ENDPOINT: emulator.url, PPGOV_TOKEN: "ppgov-dev" });
  const proxied = (): NodeJS.ProcessEnv => ({ PPGOV_ENDPOINT: proxy.url, PPGOV_TOKEN: "ppgov-dev" });

  beforeAll(async () => {
    emulator = await startEmulator({ seed: await loadSeedFile(sampleSeedPath) });
    stateBefore = JSON.stringify(emulator.state());
    proxy = await startReshapingProxy(emulator.url, ({ path }) => {
      // subscribedSkus in a shape nobody documents: seat counts as strings.
      if (path.startsWith("/v1.0/subscribedSkus"))
        return { status: 200, body: JSON.stringify({ value: [{ skuId: 42, prepaidUnits: "many" }] }) };
      // The licensed-groups list refused as Graph refuses an app without the permission.
      if (path.startsWith("/v1.0/groups?"))
        return {
          status: 403,
          body: JSON.stringify({
            error: {
              code: "Authorization_RequestDenied",
              message: "Insufficient privileges to complete the operation.",
            },
          }),
        };
      return undefined;
    });
    scratch = await mkdtemp(join(tmpdir(), "ppgov-doctor-e2e-"));
  });
  afterAll(async () => {
    await proxy.close();
    await emulator.close();
    await rm(scratch, { recursive: true, force: true });
  });
  beforeEach(() => emulator.resetRequests());

  it("passes every read of the emulator, exit 0, and writes nothing", async () => {
    const result = await runCli(["doctor"], { env: direct() });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("ppgov can read this tenant.");
    expect(result.stdout).toMatch(/^ {2}pass {2}https:\/\/graph\.microsoft\.com\/\.default \(graph\)$/m);
    expect(result.stdout).toMatch(/\d+ passed, 0 failed, 0 skipped; 4 of 4 tokens issued\./);
    expect(result.stdout).not.toContain("FAIL");
    expect(tenantWrites(emulator)).toEqual([]);
    expect(emulator.requests().some((request) => request.method === "GET")).toBe(true);
    expect(JSON.stringify(emulator.state())).toBe(stateBefore);
  });

  it("reads first pages only", async () => {
    const paged = await startEmulator({ seed: await loadSeedFile(sampleSeedPath), pageSize: 2 });
    try {
      const result = await runCli(["doctor", "--format", "json"], {
        env: { PPGOV_ENDPOINT: paged.url, PPGOV_TOKEN: "ppgov-dev" },
      });
      expect(result.code).toBe(0);
      const environmentLists = paged.requests().filter((r) => /\/scopes\/admin\/environments\?/.test(r.path));
      expect(environmentLists).toHaveLength(1);
    } finally {
      await paged.close();
    }
  });

  it("names the endpoint answered in an unexpected shape and the permission a 403 lacks; exit 1, nothing written", async () => {
    const result = await runCli(["doctor", "--format", "json"], { env: proxied() });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(report.passed).toBe(false);
    const failed = report.probes.filter((probe) => probe.verdict === "fail");
    expect(failed.map((probe) => probe.endpoint)).toEqual(["GET /v1.0/subscribedSkus", "GET /v1.0/groups"]);
    expect(failed[0]?.status).toBe(200);
    expect(failed[0]?.detail).toMatch(
      /unexpected response from GET \/v1\.0\/subscribedSkus: value\[0\]\.id is missing/,
    );
    expect(failed[1]?.status).toBe(403);
    expect(failed[1]?.detail).toContain("Authorization_RequestDenied");
    expect(failed[1]?.detail).toContain("GroupMember.Read.All");
    // The group probes depend on a licensed group: skipped, not failed.
    expect(report.probes.filter((p) => p.verdict === "skip").map((p) => p.name)).toEqual([
      "group",
      "group member count",
    ]);
    expect(report.probes.filter((p) => p.verdict === "pass").length).toBe(report.probes.length - 4);
    expect(tenantWrites(emulator)).toEqual([]);
    expect(JSON.stringify(emulator.state())).toBe(stateBefore);

    const text = await runCli(["doctor"], { env: proxied() });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /^ {2}subscribed SKUs +GET \/v1\.0\/subscribedSkus +200 +FAIL +unexpected response/m,
    );
    expect(text.stdout).toContain("see FAIL above");
  });

  it("--record writes every answer redacted: no id, name, email, domain or tenant id of the seed, no credentials", async () => {
    const dir = join(scratch, "recorded");
    const result = await runCli(["doctor", "--record", dir], { env: direct() });
    expect(result.code).toBe(0);
    const files = (await readdir(dir)).sort();
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(result.stdout).toContain(`Recorded ${files.length} responses, redacted`);
    const recorded = await Promise.all(files.map((file) => readFile(join(dir, file), "utf8")));
    for (const text of recorded) JSON.parse(text);
    const all = recorded.join("\n").toLowerCase();

    const secrets = tenantStrings(JSON.parse(await readFile(sampleSeedPath, "utf8")));
    expect(secrets.length).toBeGreaterThan(50);
    const leaked = secrets.filter((value) => all.includes(value.toLowerCase()));
    expect(leaked).toEqual([]);
    for (const credential of ["authorization", "bearer", "ppgov-dev", "x-ms-client-request-id"])
      expect(all).not.toContain(credential);
    // Still useful as fixtures: the bodies keep their shape.
    const environments = JSON.parse(recorded[files.indexOf("02-environments.json")] ?? "{}") as {
      endpoint: string;
      body: { value: unknown[] };
    };
    expect(environments.endpoint).toBe(
      "GET /providers/Microsoft.BusinessAppPlatform/scopes/admin/environments",
    );
    expect(environments.body.value.length).toBeGreaterThan(0);
  });
});

/** Keys whose values identify the tenant: its objects' ids, names, people and hosts. */
const IDENTIFYING =
  /^(id|name|tenantid|displayname|friendlyname|uniquename|domainname|email|userprincipalname|instanceurl|instanceapiurl|accountname|resourcegroup|subscriptionid|securitygroupid|resourceid|etag)$/i;
/** Microsoft's own catalogue: the same in every tenant, kept on purpose. */
const CATALOGUE = /^(\/providers\/microsoft\.powerapps\/apis\/)?shared_[a-z0-9_-]+$|^[a-z]+$/i;

function tenantStrings(seed: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, key: string | undefined, inConnectors: boolean): void => {
    if (typeof value === "string") {
      if (
        key !== undefined &&
        IDENTIFYING.test(key) &&
        value.length >= 6 &&
        !inConnectors &&
        !CATALOGUE.test(value)
      )
        found.add(value);
      for (const guid of value.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? [])
        if (!/^(skuid|serviceplanid|disabledplans)$/i.test(key ?? "") && !inConnectors) found.add(guid);
      for (const email of value.match(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g) ?? []) found.add(email);
      return;
    }
    if (Array.isArray(value)) for (const item of value) walk(item, key, inConnectors);
    else if (typeof value === "object" && value !== null)
      for (const [entryKey, entry] of Object.entries(value))
        walk(entry, entryKey, inConnectors || /^(connectors|unblockableConnectors)$/.test(entryKey));
  };
  walk(seed, undefined, false);
  found.add("contoso");
  // Microsoft's SKU and service plan ids also appear inside the seed's subscribedSkus ids; kept on purpose.
  const catalogue = new Set<string>();
  const collect = (value: unknown, key?: string): void => {
    if (typeof value === "string" && /^(skuid|serviceplanid)$/i.test(key ?? "")) catalogue.add(value);
    else if (Array.isArray(value)) for (const item of value) collect(item, key);
    else if (typeof value === "object" && value !== null)
      for (const [entryKey, entry] of Object.entries(value)) collect(entry, entryKey);
  };
  collect(seed);
  return [...found].filter((value) => !catalogue.has(value));
}
