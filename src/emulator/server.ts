import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { existsSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { PpgovError } from "../core/errors.js";
import { TokenVerifier, type JwtAuthority } from "./auth.js";
import { decideFault, parseFaultConfig, seededRandom, type FaultConfig } from "./faults.js";
import { decideMalformed, malform } from "./malformed.js";
import {
  BadRequestBody,
  bodyTooLarge,
  RequestBodyTooLarge,
  familyError,
  isRecord,
  json,
  readJsonBody,
  type ApiFamily,
  type Reply,
} from "./http.js";
import { LifecycleRegistry } from "./lifecycle.js";
import { familyOfPath, type EmulatorContext, type ReferenceData, type Route } from "./routing.js";
import { operationApplier } from "./routes/environment-common.js";
import { environmentOperationRoutes } from "./routes/environment-operations.js";
import { environmentRoutes } from "./routes/environments.js";
import { referenceRoutes } from "./routes/reference-lists.js";
import { dlpRoutes } from "./routes/dlp.js";
import { graphRoutes } from "./routes/graph.js";
import { tenantInformationRoutes } from "./routes/tenant-information.js";
import { groupRoutes } from "./routes/groups.js";
import { allocationRoutes } from "./routes/allocations.js";
import { licensingRoutes } from "./routes/licensing.js";
import { ruleSetRoutes } from "./routes/rulesets.js";
import { tenantRoutes } from "./routes/tenant.js";
import { inventoryRoutes } from "./routes/inventory.js";
import { loadSeedFile, readReferenceJson, stateFromSeed } from "./seed.js";
import { StateStore } from "./store.js";
import type { EmulatorSeed, JsonObject, JsonValue } from "./types.js";

export { loadSeedFile, sampleSeedPath } from "./seed.js";
export type { FaultConfig } from "./faults.js";
export type { JwtAuthority } from "./auth.js";
export type { EmulatorSeed } from "./types.js";

/** The part of a pino logger the emulator uses. */
export interface EmulatorLogger {
  debug(object: object, message: string): void;
}

export interface EmulatorOptions {
  /** Seed in the format of docs/emulator.md, Seed and state format; every key optional. */
  seed?: EmulatorSeed;
  /** Persist state here (atomic write after each mutation); loaded at start when it exists. */
  statePath?: string;
  /** Default 0 = a free port. The host is always 127.0.0.1. */
  port?: number;
  /** Default "ppgov-dev". */
  devToken?: string;
  /** List page size; default 100. */
  pageSize?: number;
  /** Delay before a lifecycle operation leaves Running; default 300 ms. */
  lifecycleDelayMs?: number;
  /** Optional local token authority whose RS256 JWTs are accepted. */
  jwt?: JwtAuthority;
  /** Seed of the PRNG deciding faults; default 1. */
  faultSeed?: number;
  /** Initial faults (also settable later). */
  faults?: FaultConfig;
  logger?: EmulatorLogger;
  /**
   * The origin of next-page links per API family, instead of this emulator's own: e.g.
   * `{ flow: "https://emea.api.flow.microsoft.com:11777" }` hands out regional links, as admin flow and
   * app listings are reported to. A client reaches such a host only through a transport that sends
   * every host to this emulator (the request log keeps the Host header each request named).
   */
  nextLinkOrigins?: Partial<Record<ApiFamily, string>>;
}

export interface RequestLogEntry {
  method: string;
  /** Path and query string as received. */
  path: string;
  /** HTTP status answered; 0 when the connection was dropped before a status was sent. */
  status: number;
  /** When the request arrived (epoch ms), so tests can measure the client's back-off. */
  at: number;
  /** The Host header as received. */
  host: string;
}

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
  state(): EmulatorSeed;
  requests(): RequestLogEntry[];
  resetRequests(): void;
  setFaults(faults: FaultConfig): void;
}

const CONTROL_PREFIX = "/_emulator/";
/** The request log keeps the newest entries only, so a long-running emulator does not grow without bound. */
const MAX_LOG_ENTRIES = 100_000;

function referenceData(): ReferenceData {
  const values = (name: string): JsonObject[] => readReferenceJson<{ value: JsonObject[] }>(name).value;
  return {
    locations: values("locations.json"),
    currencies: values("currencies.json"),
    languages: values("languages.json"),
  };
}

function allRoutes(): Route[] {
  return [
    ...environmentRoutes(),
    ...environmentOperationRoutes(),
    ...referenceRoutes(),
    ...groupRoutes(),
    ...dlpRoutes(),
    ...licensingRoutes(),
    ...allocationRoutes(),
    ...graphRoutes(),
    ...tenantInformationRoutes(),
    ...tenantRoutes(),
    ...ruleSetRoutes(),
    ...inventoryRoutes(),
  ];
}

/** Request ids as the services return them: Graph `request-id`, the others `x-ms-request-id`; client ids echoed. */
function correlationHeaders(request: IncomingMessage | undefined): Record<string, string> {
  if (!request) return {};
  const headers: Record<string, string> = {};
  const clientId = request.headers["x-ms-client-request-id"] ?? request.headers["client-request-id"];
  const echoed = Array.isArray(clientId) ? clientId[0] : clientId;
  if (familyOfPath(new URL(request.url ?? "/", "http://x").pathname) === "graph") {
    headers["request-id"] = randomUUID();
    if (echoed) headers["client-request-id"] = echoed;
  } else {
    headers["x-ms-request-id"] = randomUUID();
    if (echoed) headers["x-ms-client-request-id"] = echoed;
  }
  return headers;
}

/** The reply with its next-page link moved onto `origin` (path and query kept); unchanged without one. */
function withLinkOrigin(reply: Reply, origin: string | undefined): Reply {
  if (origin === undefined || !isRecord(reply.body)) return reply;
  const body = { ...reply.body };
  for (const key of ["nextLink", "@odata.nextLink"]) {
    const link = body[key];
    if (typeof link !== "string") continue;
    const url = new URL(link);
    body[key] = `${origin.replace(/\/+$/, "")}${url.pathname}${url.search}`;
  }
  return { ...reply, body };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts the emulator on 127.0.0.1 and resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const seed =
    options.statePath !== undefined && existsSync(options.statePath)
      ? await loadSeedFile(options.statePath)
      : (options.seed ?? {});
  // Lifecycle operations live server-side: the state file carries them, so a restart keeps them pollable.
  const store = new StateStore(stateFromSeed(seed), options.statePath, () => ({
    lifecycleOperations: lifecycle.persisted(),
  }));
  const faultRandom = seededRandom(options.faultSeed ?? 1);
  const lifecycleRandom = seededRandom((options.faultSeed ?? 1) + 0x9e3779b9);
  // Its own sequence, so enabling malformed replies does not reshuffle the other faults.
  const malformedRandom = seededRandom((options.faultSeed ?? 1) + 0x85ebca6b);
  let faults: FaultConfig = { ...options.faults };
  const log: RequestLogEntry[] = [];
  const verifier = new TokenVerifier(options.devToken ?? "ppgov-dev", options.jwt);
  const routes = allRoutes();
  const lifecycleDelayMs = options.lifecycleDelayMs ?? 300;
  const lifecycle = new LifecycleRegistry(
    lifecycleDelayMs,
    () => faults.lifecycleFailRate ?? 0,
    lifecycleRandom,
    () => void store.persist().catch(() => undefined),
    (type) => {
      const left = faults.deleteFailures ?? 0;
      if (type !== "Delete" || left <= 0) return undefined;
      faults = { ...faults, deleteFailures: left - 1 };
      return "Failed";
    },
  );
  const context: EmulatorContext = {
    store,
    lifecycle,
    reference: referenceData(),
    pageSize: options.pageSize ?? 100,
    lifecycleDelayMs,
    billingProvisioningUntil: new Map(),
    readLag: new Map(),
    faults: () => faults,
  };
  lifecycle.restore(seed.lifecycleOperations ?? [], (operation) => operationApplier(context, operation));
  const sockets = new Set<Socket>();
  let baseUrl = "";

  const send = (response: ServerResponse, reply: Reply, request?: IncomingMessage): void => {
    const body = reply.text ?? (reply.body === undefined ? "" : JSON.stringify(reply.body));
    const headers: Record<string, string> = { ...correlationHeaders(request), ...reply.headers };
    if (reply.text !== undefined) headers["Content-Type"] ??= "text/plain; charset=utf-8";
    else if (body !== "") headers["Content-Type"] = "application/json; charset=utf-8";
    headers["Content-Length"] = String(Buffer.byteLength(body));
    response.writeHead(reply.status, headers);
    response.end(body);
  };

  const control = async (request: IncomingMessage, url: URL): Promise<Reply> => {
    const path = url.pathname.toLowerCase();
    if (request.method === "GET" && path === "/_emulator/requests")
      return json(200, log as unknown as JsonValue);
    if (request.method === "POST" && path === "/_emulator/reset") {
      log.length = 0;
      return json(200, { reset: true });
    }
    if (request.method === "GET" && path === "/_emulator/state")
      return json(200, store.snapshot() as JsonValue);
    if (request.method === "PUT" && path === "/_emulator/faults") {
      let body: unknown;
      try {
        body = await readJsonBody(request);
      } catch (error) {
        if (error instanceof RequestBodyTooLarge) return bodyTooLarge(undefined, error);
        if (error instanceof BadRequestBody)
          return json(400, { error: { code: "InvalidFaults", message: `faults: ${error.message}` } });
        throw error;
      }
      const parsed = parseFaultConfig(body);
      if (typeof parsed === "string") return json(400, { error: { code: "InvalidFaults", message: parsed } });
      faults = parsed;
      return json(200, faults as JsonValue);
    }
    if (request.method === "GET" && path === "/_emulator/faults") return json(200, faults as JsonValue);
    return json(404, {
      error: { code: "NotFound", message: `No control endpoint ${request.method} ${url.pathname}` },
    });
  };

  const dispatch = async (request: IncomingMessage, url: URL): Promise<Reply> => {
    const family = familyOfPath(url.pathname);
    if (!family) {
      return json(404, { error: { code: "NotFound", message: `No API is served at ${url.pathname}.` } });
    }
    const auth = await verifier.verify(request.headers.authorization, family);
    if (!auth.ok && "forbidden" in auth) {
      // The service's answer to an app that is not a registered management application (docs/authentication.md, Register the app as a Power Platform management application).
      return familyError(
        family,
        403,
        "Forbidden",
        `The service principal for application ${auth.appId} does not have permission to access the path '${url.pathname}' in tenant ${auth.tenantId}.`,
      );
    }
    if (!auth.ok) {
      const reply = familyError(family, 401, "InvalidAuthenticationToken", auth.reason);
      reply.headers = {
        "WWW-Authenticate": `Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="invalid_token", error_description="${auth.reason}"`,
      };
      return reply;
    }
    const method = request.method ?? "GET";
    const candidates = routes.filter((candidate) => candidate.pattern.test(url.pathname));
    const matched = candidates.find((candidate) => candidate.method === method);
    if (!matched) {
      return candidates.length > 0
        ? familyError(family, 405, "MethodNotAllowed", `${method} is not supported on ${url.pathname}.`)
        : familyError(family, 404, "NotFound", `The resource ${url.pathname} was not found.`);
    }
    let body: unknown;
    try {
      body = await readJsonBody(request);
    } catch (error) {
      if (error instanceof BadRequestBody)
        return familyError(family, 400, "InvalidRequestContent", error.message);
      if (error instanceof RequestBodyTooLarge) return bodyTooLarge(family, error);
      throw error;
    }
    let params: string[];
    try {
      params = (matched.pattern.exec(url.pathname) ?? []).slice(1).map((part) => decodeURIComponent(part));
    } catch {
      return familyError(
        family,
        400,
        "InvalidRequestUri",
        `The path ${url.pathname} is not correctly encoded.`,
      );
    }
    const reply = await matched.handler(
      { method, url, params, body, baseUrl, headers: request.headers },
      context,
    );
    if (matched.mutates && reply.status < 400) await store.persist();
    return withLinkOrigin(reply, options.nextLinkOrigins?.[matched.family]);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", baseUrl);
    if (url.pathname.toLowerCase().startsWith(CONTROL_PREFIX)) {
      send(response, await control(request, url));
      return;
    }
    const entry: RequestLogEntry = {
      method: request.method ?? "GET",
      path: request.url ?? "/",
      status: 0,
      at: Date.now(),
      host: request.headers.host ?? "",
    };
    log.push(entry);
    if (log.length > MAX_LOG_ENTRIES) log.splice(0, log.length - MAX_LOG_ENTRIES);
    lifecycle.settle();
    const fault = decideFault(faults, faultRandom);
    if ((faults.latencyMs ?? 0) > 0) await sleep(faults.latencyMs ?? 0);
    const family = familyOfPath(url.pathname) ?? "bap";
    let reply: Reply;
    if (fault.kind === "drop" && fault.when === "before") {
      request.socket.destroy();
      options.logger?.debug({ method: entry.method, path: entry.path }, "emulator dropped the connection");
      return;
    } else if (fault.kind === "throttle") {
      reply = familyError(
        family,
        429,
        "TooManyRequests",
        "The request was throttled. Retry after the delay.",
      );
      reply.headers = { "Retry-After": String(fault.retryAfterSeconds) };
    } else if (fault.kind === "error") {
      const code = fault.status === 503 ? "ServiceUnavailable" : "InternalServerError";
      reply = familyError(family, fault.status, code, "The service encountered a transient error.");
    } else {
      reply = await dispatch(request, url);
      const malformed = decideMalformed(faults, entry.method, url.pathname, malformedRandom);
      if (malformed !== undefined) reply = malform(reply, malformed);
    }
    entry.status = reply.status;
    options.logger?.debug(
      { method: entry.method, path: entry.path, status: reply.status },
      "emulator request",
    );
    if (fault.kind === "drop") {
      // Mid-response: headers and half the body, then the connection dies.
      const body = reply.text ?? (reply.body === undefined ? "{}" : JSON.stringify(reply.body));
      response.writeHead(reply.status, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": String(Buffer.byteLength(body)),
      });
      response.write(body.slice(0, Math.max(1, Math.floor(body.length / 2))), () => request.socket.destroy());
      return;
    }
    send(response, reply, request);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      options.logger?.debug({ error: message }, "emulator handler failed");
      if (!response.headersSent)
        send(response, json(500, { error: { code: "InternalServerError", message } }));
      else response.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new PpgovError(
          "EMULATOR_LISTEN",
          `cannot listen on 127.0.0.1:${options.port ?? 0}: ${error.code ?? error.message}`,
        ),
      ),
    );
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
  await store.persist();

  return {
    url: baseUrl,
    port,
    state: () => {
      lifecycle.settle();
      return store.snapshot();
    },
    requests: () => log.map((entry) => ({ ...entry })),
    resetRequests: () => {
      log.length = 0;
    },
    setFaults: (next) => {
      const parsed = parseFaultConfig(next);
      if (typeof parsed === "string") throw new PpgovError("EMULATOR_FAULTS", parsed);
      faults = parsed;
    },
    close: async () => {
      lifecycle.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      await store.flush();
    },
  };
}
