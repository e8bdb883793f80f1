/**
 * Which proxy, if any, a request goes through: the conventional environment variables, read as
 * undici's EnvHttpProxyAgent (the proxy support Node's own fetch is getting) reads them.
 */
import { isIP } from "node:net";
import { PpgovError } from "../../core/errors.js";

/** The proxy settings of an environment, parsed once. */
export interface ProxySettings {
  /** For http:// targets: `http_proxy` or `HTTP_PROXY`. */
  http: URL | undefined;
  /** For https:// targets: `https_proxy` or `HTTPS_PROXY`, else the http proxy. */
  https: URL | undefined;
  /** `no_proxy` or `NO_PROXY`, parsed. */
  bypass: readonly BypassEntry[];
}

interface BypassEntry {
  /** Lower-case host name or IP, without a leading `.` or `*.`; "*" bypasses everything. */
  host: string;
  /** Only this port, when the entry names one. */
  port: string | undefined;
}

/**
 * Reads the proxy variables. The lower-case name wins over the upper-case one (as curl and undici
 * have it). A value without a scheme (`proxy.corp:8080`) means http://. A value that is not a usable
 * proxy URL is a CONFIG_PROXY error naming the variable, never its value (which may hold a password).
 */
export function proxySettingsFrom(env: NodeJS.ProcessEnv): ProxySettings {
  const http = proxyVariable(env, "http_proxy");
  const https = proxyVariable(env, "https_proxy") ?? http;
  const noProxy = variable(env, "no_proxy");
  return { http, https, bypass: noProxy === undefined ? [] : parseNoProxy(noProxy.value) };
}

/** The proxy for a request to `url`, or undefined to connect directly. */
export function proxyFor(url: URL, settings: ProxySettings): URL | undefined {
  const proxy = url.protocol === "https:" ? settings.https : settings.http;
  if (proxy === undefined) return undefined;
  const host = hostOf(url);
  // The embedded emulator and other local services are never reached through a proxy (Go's
  // net/http makes the same exception): a proxy elsewhere cannot reach this machine's loopback.
  if (isLoopback(host)) return undefined;
  const port = url.port === "" ? (url.protocol === "https:" ? "443" : "80") : url.port;
  const bypassed = settings.bypass.some(
    (entry) =>
      entry.host === "*" ||
      ((entry.port === undefined || entry.port === port) &&
        (host === entry.host || host.endsWith(`.${entry.host}`))),
  );
  return bypassed ? undefined : proxy;
}

/** The proxy's address for logs and messages: scheme, host and port, never the credentials. */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/**
 * What of the proxy variables must never be printed: the values with credentials, whole, and their
 * passwords (as written and decoded).
 */
export function proxySecrets(env: NodeJS.ProcessEnv): string[] {
  return ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"].flatMap((name) => {
    const value = env[name]?.trim();
    if (value === undefined || value === "") return [];
    try {
      const url = new URL(withScheme(value));
      if (url.password === "" && url.username === "") return [];
      return [value, url.password, safeDecode(url.password)].filter((secret) => secret !== "");
    } catch {
      // Not a URL: proxySettingsFrom refuses it without printing it; keep it out of logs all the same.
      return [value];
    }
  });
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function variable(env: NodeJS.ProcessEnv, lowerName: string): { name: string; value: string } | undefined {
  for (const name of [lowerName, lowerName.toUpperCase()]) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== "") return { name, value };
  }
  return undefined;
}

function proxyVariable(env: NodeJS.ProcessEnv, lowerName: string): URL | undefined {
  const found = variable(env, lowerName);
  if (found === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(withScheme(found.value));
  } catch {
    throw invalid(found.name, "is not a URL (expected e.g. http://proxy.example.com:8080)");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalid(
      found.name,
      `uses ${url.protocol.slice(0, -1)}://, which ppgov does not support; use an http:// or https:// proxy`,
    );
  }
  return url;
}

function invalid(name: string, detail: string): PpgovError {
  return new PpgovError("CONFIG_PROXY", `${name} ${detail}`);
}

function withScheme(value: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
}

function parseNoProxy(value: string): BypassEntry[] {
  return value
    .split(/[\s,]+/)
    .filter((entry) => entry !== "")
    .map((entry) => {
      if (entry === "*") return { host: "*", port: undefined };
      const bare = entry.replace(/^\*?\./, "").toLowerCase();
      // [v6]:port, v6, host:port, host
      const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(bare);
      if (bracketed !== null) return { host: bracketed[1] ?? "", port: bracketed[2] };
      if (isIP(bare) === 6) return { host: bare, port: undefined };
      const hostPort = /^(.*):(\d+)$/.exec(bare);
      return hostPort === null
        ? { host: bare, port: undefined }
        : { host: hostPort[1] ?? "", port: hostPort[2] };
    })
    .filter((entry) => entry.host !== "");
}

/** The URL's host name in lower case, IPv6 without brackets. */
function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
}

function isLoopback(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  // URL normalises IPv6 hosts, so ::1 is the only spelling of the v6 loopback here.
  return host === "::1";
}
