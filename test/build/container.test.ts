/**
 * The container image (Dockerfile) and the Kubernetes example (examples/kubernetes/), without a Docker
 * engine: the Dockerfile's final stage is Node 24 slim, runs as a non-root user with `ppgov` as the
 * entrypoint and the controller as the default command; that entrypoint and command are run here with
 * node (what /usr/local/bin/ppgov links to) against the emulator, and /healthz and /metrics answer on
 * the port the image exposes. The Kubernetes manifest's probes, ports, user, arguments and Secret
 * references must match the image and the controller.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { startEmulator, type RunningEmulator } from "../../src/emulator/server.js";
import type { EmulatorSeed } from "../../src/emulator/types.js";
import { policyRepo } from "../helpers/policy-repo.js";
import { cliPath, repoRoot } from "../helpers/run-cli.js";

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** The Dockerfile's instructions (continuation lines joined, comments dropped), split by stage. */
function dockerfileStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const preamble: Instruction[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    const start = i + 1;
    let logical = lines[i] ?? "";
    if (/^\s*(#|$)/.test(logical)) continue;
    while (logical.endsWith("\\") && i + 1 < lines.length) logical = `${logical.slice(0, -1)} ${lines[++i]}`;
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(logical);
    if (match === null) throw new Error(`Dockerfile:${start}: cannot read "${logical}"`);
    const instruction = { keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: start };
    if (instruction.keyword === "FROM") stages.push([instruction]);
    else (stages.at(-1) ?? preamble).push(instruction);
  }
  return [preamble, ...stages];
}

const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
const [preamble, ...stages] = dockerfileStages(dockerfile);
const final = stages.at(-1)!;
const all = (stage: Instruction[], keyword: string): Instruction[] =>
  stage.filter((i) => i.keyword === keyword);
const last = (stage: Instruction[], keyword: string): Instruction | undefined => all(stage, keyword).at(-1);
/** An exec-form (JSON array) instruction's arguments. */
const execForm = (instruction: Instruction | undefined): string[] =>
  JSON.parse(instruction?.args ?? "null") as string[];
const flag = (argv: readonly string[], name: string): string | undefined => argv[argv.indexOf(name) + 1];

const ENTRYPOINT = execForm(last(final, "ENTRYPOINT"));
const CMD = execForm(last(final, "CMD"));
const EXPOSED = Number(last(final, "EXPOSE")?.args);

describe("Dockerfile", () => {
  it("builds on Node 24 slim in every stage", () => {
    const defaults = Object.fromEntries(
      all(preamble!, "ARG").map((arg) => arg.args.split("=") as [string, string]),
    );
    for (const stage of stages) {
      const image = stage[0]!.args
        .split(/\s+/)[0]!
        .replace(/^\$\{(\w+)\}$/, (_, name: string) => defaults[name] ?? "");
      expect(image, `Dockerfile:${stage[0]!.line}`).toMatch(/^node:24-slim(@sha256:[0-9a-f]{64})?$/);
    }
    expect(stages.length).toBeGreaterThanOrEqual(2);
  });

  it("runs as a non-root user, with ppgov as the entrypoint and the controller as the default command", () => {
    const user = last(final, "USER");
    expect(user?.args).toBe("node");
    // Nothing after USER switches back or installs anything as that user.
    const after = final.slice(final.indexOf(user!) + 1).map((i) => i.keyword);
    expect(after).not.toContain("USER");
    expect(after).not.toContain("RUN");
    expect(ENTRYPOINT).toEqual(["ppgov"]);
    expect(
      final.some(
        (i) => i.keyword === "RUN" && i.args.includes("ln -s /opt/ppgov/bin/ppgov.js /usr/local/bin/ppgov"),
      ),
    ).toBe(true);
    expect(CMD[0]).toBe("controller");
    // The work directory the command names is the image's, created for that user.
    expect(flag(CMD, "--work-dir")).toBe(last(final, "WORKDIR")?.args);
    expect(
      final.some((i) => i.keyword === "RUN" && i.args.includes(`chown node:node ${flag(CMD, "--work-dir")}`)),
    ).toBe(true);
  });

  it("exposes the port the controller listens on, and checks /healthz there", () => {
    expect(flag(CMD, "--listen")).toBe(`0.0.0.0:${EXPOSED}`);
    expect(last(final, "HEALTHCHECK")?.args).toContain(`http://127.0.0.1:${EXPOSED}/healthz`);
  });

  it("copies only what .dockerignore lets through, and everything it copies exists", () => {
    const allowed = readFileSync(join(repoRoot, ".dockerignore"), "utf8")
      .split("\n")
      .filter((line) => line.startsWith("!"))
      .map((line) => line.slice(1));
    expect(readFileSync(join(repoRoot, ".dockerignore"), "utf8")).toMatch(/^\*$/m);
    for (const copy of stages.flat().filter((i) => i.keyword === "COPY" && !i.args.startsWith("--from"))) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        expect(allowed, `Dockerfile:${copy.line} ${source}`).toContain(source);
        expect(existsSync(join(repoRoot, source)), source).toBe(true);
      }
    }
  });
});

interface HealthBody {
  healthy?: boolean;
  commit?: string;
}

describe("the image's entrypoint and default command, run with node against the emulator", () => {
  let emulator: RunningEmulator;
  let work: string;

  beforeAll(async () => {
    const seed = JSON.parse(
      readFileSync(join(repoRoot, "fixtures/seeds/sample-tenant.json"), "utf8"),
    ) as EmulatorSeed;
    emulator = await startEmulator({ seed });
    work = mkdtempSync(join(tmpdir(), "ppgov-container-"));
    policyRepo(join(work, "repo"), { name: "Ops", email: "ops@example.com" }, "policies");
  });

  afterAll(async () => {
    await emulator.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("serves /healthz and /metrics after a reconcile of the mounted repository, and stops on SIGTERM", async () => {
    // The image's paths become this machine's: /repo the mounted checkout, the work dir a temporary one,
    // and a free loopback port for 0.0.0.0:9464 (the test must not hold a fixed port).
    const places: Record<string, string> = {
      [flag(CMD, "--repo")!]: join(work, "repo"),
      [flag(CMD, "--work-dir")!]: join(work, "state"),
      [flag(CMD, "--listen")!]: "127.0.0.1:0",
    };
    expect(Object.keys(places)).toEqual(["/repo", "/var/lib/ppgov", "0.0.0.0:9464"]);
    const argv = CMD.map((arg) => places[arg] ?? arg);
    expect(ENTRYPOINT[0]).toBe("ppgov");
    const child = spawn(process.execPath, [cliPath, ...argv], {
      cwd: work,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        PPGOV_ENDPOINT: emulator.url,
        PPGOV_TOKEN: "ppgov-dev",
        PPGOV_LOCK_DIR: join(work, "locks"),
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      const deadline = Date.now() + 60_000;
      let healthz: { status: number; body: HealthBody } | undefined;
      let metrics = "";
      while (Date.now() < deadline) {
        const base = /serving (http:\/\/[\d.:]+)\/metrics/.exec(stdout)?.[1];
        if (base !== undefined) {
          metrics = await (await fetch(`${base}/metrics`)).text();
          if (/ppgov_reconcile_total\{mode="detect",result="[a-z]+"\} [1-9]/.test(metrics)) {
            const response = await fetch(`${base}/healthz`);
            healthz = { status: response.status, body: (await response.json()) as HealthBody };
            break;
          }
        }
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(healthz, `${stdout}\n${stderr}`).toBeDefined();
      expect(healthz?.status).toBe(200);
      expect(healthz?.body.healthy).toBe(true);
      expect(metrics).toMatch(/ppgov_drifted_resources \d+/);
      // The image's HEALTHCHECK command, aimed at this port, passes.
      const port = /serving http:\/\/[\d.]+:(\d+)\/metrics/.exec(stdout)?.[1];
      const check = JSON.parse(
        (last(final, "HEALTHCHECK")?.args ?? "")
          .replace(/^.*?CMD\s+/, "")
          .replace(`:${EXPOSED}/`, `:${port}/`),
      ) as string[];
      expect(check[0]).toBe("node");
      expect(spawnSync(process.execPath, check.slice(1), { timeout: 20_000 }).status).toBe(0);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  }, 90_000);
});

describe("examples/kubernetes/ppgov-controller.yaml", () => {
  type Doc = Record<string, unknown> & { kind: string; metadata: { name: string } };
  const docs = parseAllDocuments(
    readFileSync(join(repoRoot, "examples/kubernetes/ppgov-controller.yaml"), "utf8"),
  ).map((doc) => doc.toJS() as Doc);
  const byKind = (kind: string): Doc => docs.find((doc) => doc.kind === kind)!;
  interface Probe {
    httpGet: { path: string; port: string | number };
  }
  interface Container {
    args: string[];
    env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
    ports: { name: string; containerPort: number }[];
    livenessProbe: Probe;
    readinessProbe: Probe;
    securityContext: Record<string, unknown>;
    volumeMounts: { name: string; mountPath: string }[];
  }
  const deployment = byKind("Deployment") as Doc & {
    spec: {
      replicas: number;
      strategy: { type: string };
      template: {
        spec: {
          securityContext: Record<string, unknown>;
          containers: Container[];
          volumes: { name: string }[];
        };
      };
    };
  };
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0]!;

  it("is one Secret, one Deployment of one replica replaced with Recreate, one metrics Service", () => {
    expect(docs.map((doc) => doc.kind)).toEqual(["Secret", "Deployment", "Service"]);
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy.type).toBe("Recreate");
    expect(pod.containers).toHaveLength(1);
  });

  it("runs the image's controller with arguments the controller accepts", () => {
    expect(container.args[0]).toBe(CMD[0]);
    const help = spawnSync(process.execPath, [cliPath, "controller", "--help"], { encoding: "utf8" }).stdout;
    for (const arg of container.args.filter((arg) => arg.startsWith("--")))
      expect(help, arg).toContain(`${arg} <`);
    expect(flag(container.args, "--mode")).toMatch(/^(detect|apply)$/);
  });

  it("probes /healthz on the port the controller listens on, which is the metrics port and the image's", () => {
    const listenPort = Number(flag(container.args, "--listen")?.split(":")[1]);
    expect(listenPort).toBe(EXPOSED);
    const metrics = container.ports.find((port) => port.name === "metrics");
    expect(metrics?.containerPort).toBe(listenPort);
    for (const probe of [container.livenessProbe, container.readinessProbe]) {
      expect(probe.httpGet.path).toBe("/healthz");
      expect(probe.httpGet.port).toBe("metrics");
    }
    const service = byKind("Service") as Doc & { spec: { ports: { targetPort: string }[] } };
    expect(service.spec.ports[0]?.targetPort).toBe("metrics");
  });

  it("runs as the image's non-root user, read-only, with the work directory and /tmp writable", () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    const mounts = container.volumeMounts.map((mount) => mount.mountPath);
    expect(mounts).toContain(flag(container.args, "--work-dir"));
    expect(mounts).toContain("/tmp");
    for (const mount of container.volumeMounts)
      expect(pod.volumes.map((volume) => volume.name)).toContain(mount.name);
  });

  it("takes its credentials from the Secret in the file, every key it names defined there", () => {
    const secret = byKind("Secret") as Doc & { stringData: Record<string, string> };
    const references = container.env.flatMap((variable) =>
      variable.valueFrom ? [variable.valueFrom.secretKeyRef] : [],
    );
    expect(references.map((reference) => reference.key)).toEqual(
      expect.arrayContaining(["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "GITHUB_TOKEN"]),
    );
    for (const reference of references) {
      expect(reference.name).toBe(secret.metadata.name);
      expect(Object.keys(secret.stringData)).toContain(reference.key);
    }
    // No secret value written inline in the Deployment.
    expect(
      container.env.filter((variable) => /SECRET|TOKEN/.test(variable.name) && variable.value !== undefined),
    ).toEqual([]);
    if (flag(container.args, "--lock") === "github")
      expect(container.env.map((variable) => variable.name)).toContain("PPGOV_LOCK_GITHUB_REPOSITORY");
  });
});
