import { describe, expect, it } from "vitest";
import { proxyFor, proxySecrets, proxySettingsFrom, describeProxy } from "../../src/adapters/http/proxy.js";
import { PpgovError } from "../../src/core/errors.js";
import { SecretRegistry } from "../../src/adapters/log/secrets.js";

/** The proxy a request to `target` takes under `env`, as "direct" or the proxy's href. */
function route(env: NodeJS.ProcessEnv, target: string): string {
  return proxyFor(new URL(target), proxySettingsFrom(env))?.href ?? "direct";
}

const CORP = "http://proxy.corp:3128/";

describe("proxyFor", () => {
  it.each([
    // [case, env, target, expected]
    ["no variables", {}, "https://api.bap.microsoft.com/x", "direct"],
    ["HTTPS_PROXY for https", { HTTPS_PROXY: CORP }, "https://api.bap.microsoft.com/x", CORP],
    ["HTTPS_PROXY is not used for http", { HTTPS_PROXY: CORP }, "http://example.com/", "direct"],
    ["HTTP_PROXY for http", { HTTP_PROXY: CORP }, "http://example.com/", CORP],
    [
      "HTTP_PROXY for https when HTTPS_PROXY is unset",
      { HTTP_PROXY: CORP },
      "https://graph.microsoft.com/",
      CORP,
    ],
    [
      "lower case wins over upper case",
      { https_proxy: "http://lower:1/", HTTPS_PROXY: "http://upper:2/" },
      "https://graph.microsoft.com/",
      "http://lower:1/",
    ],
    ["a value without a scheme is http", { HTTPS_PROXY: "proxy.corp:3128" }, "https://a.example/", CORP],
    [
      "an https proxy",
      { HTTPS_PROXY: "https://proxy.corp:8443" },
      "https://a.example/",
      "https://proxy.corp:8443/",
    ],
    ["blank values are unset", { HTTPS_PROXY: "  " }, "https://a.example/", "direct"],
    ["loopback name", { HTTPS_PROXY: CORP, HTTP_PROXY: CORP }, "http://localhost:8080/", "direct"],
    ["loopback v4", { HTTP_PROXY: CORP }, "http://127.0.0.1:8080/", "direct"],
    ["loopback v4 range", { HTTP_PROXY: CORP }, "http://127.1.2.3:8080/", "direct"],
    ["loopback v6", { HTTP_PROXY: CORP }, "http://[::1]:8080/", "direct"],
    ["*.localhost", { HTTP_PROXY: CORP }, "http://emulator.localhost/", "direct"],
    [
      "NO_PROXY exact host",
      { HTTPS_PROXY: CORP, NO_PROXY: "graph.microsoft.com" },
      "https://graph.microsoft.com/",
      "direct",
    ],
    [
      "NO_PROXY covers subdomains",
      { HTTPS_PROXY: CORP, NO_PROXY: "microsoft.com" },
      "https://api.bap.microsoft.com/",
      "direct",
    ],
    [
      "NO_PROXY is not a substring match",
      { HTTPS_PROXY: CORP, NO_PROXY: "soft.com" },
      "https://api.bap.microsoft.com/",
      CORP,
    ],
    [
      "NO_PROXY leading dot",
      { HTTPS_PROXY: CORP, NO_PROXY: ".microsoft.com" },
      "https://graph.microsoft.com/",
      "direct",
    ],
    [
      "NO_PROXY leading *.",
      { HTTPS_PROXY: CORP, NO_PROXY: "*.microsoft.com" },
      "https://graph.microsoft.com/",
      "direct",
    ],
    [
      "NO_PROXY is case-insensitive",
      { HTTPS_PROXY: CORP, NO_PROXY: "GRAPH.Microsoft.com" },
      "https://graph.microsoft.com/",
      "direct",
    ],
    [
      "NO_PROXY list with spaces and commas",
      { HTTPS_PROXY: CORP, no_proxy: "a.example, b.example  c.example" },
      "https://c.example/",
      "direct",
    ],
    ["NO_PROXY *", { HTTPS_PROXY: CORP, NO_PROXY: "*" }, "https://graph.microsoft.com/", "direct"],
    [
      "NO_PROXY with the default port",
      { HTTPS_PROXY: CORP, NO_PROXY: "a.example:443" },
      "https://a.example/",
      "direct",
    ],
    [
      "NO_PROXY with another port",
      { HTTPS_PROXY: CORP, NO_PROXY: "a.example:8443" },
      "https://a.example/",
      CORP,
    ],
    [
      "NO_PROXY with the URL's port",
      { HTTPS_PROXY: CORP, NO_PROXY: "a.example:8443" },
      "https://a.example:8443/",
      "direct",
    ],
    ["NO_PROXY IPv4", { HTTPS_PROXY: CORP, NO_PROXY: "10.0.0.5" }, "https://10.0.0.5/", "direct"],
    [
      "NO_PROXY bracketed IPv6 with port",
      { HTTPS_PROXY: CORP, NO_PROXY: "[fd00::5]:443" },
      "https://[fd00::5]/",
      "direct",
    ],
    ["NO_PROXY bare IPv6", { HTTPS_PROXY: CORP, NO_PROXY: "fd00::5" }, "https://[fd00::5]/", "direct"],
    [
      "lower-case no_proxy wins",
      { HTTPS_PROXY: CORP, no_proxy: "b.example", NO_PROXY: "a.example" },
      "https://a.example/",
      CORP,
    ],
  ] as const)("%s", (_case, env, target, expected) => {
    expect(route(env, target)).toBe(expected);
  });
});

describe("proxySettingsFrom", () => {
  it.each([
    ["HTTPS_PROXY", "http://", "HTTPS_PROXY is not a URL"],
    ["https_proxy", "http://proxy corp:80", "https_proxy is not a URL"],
    ["HTTP_PROXY", "socks5://proxy.corp:1080", "HTTP_PROXY uses socks5://, which ppgov does not support"],
  ])("refuses %s=%s, naming the variable", (name, value, message) => {
    let error: unknown;
    try {
      proxySettingsFrom({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PpgovError);
    expect((error as PpgovError).code).toBe("CONFIG_PROXY");
    expect((error as PpgovError).message).toContain(message);
  });

  it("never puts the value in the message (it may hold a password)", () => {
    expect(() => proxySettingsFrom({ HTTPS_PROXY: "ftp://user:hunter2secret@proxy.corp" })).toThrow(
      /^HTTPS_PROXY uses ftp:\/\//,
    );
    expect(() => proxySettingsFrom({ HTTPS_PROXY: "ftp://user:hunter2secret@proxy.corp" })).not.toThrow(
      /hunter2secret/,
    );
  });
});

describe("proxy credentials", () => {
  it("are described without the credentials", () => {
    expect(describeProxy(new URL("http://me:hunter2secret@proxy.corp:3128"))).toBe("http://proxy.corp:3128");
  });

  it("are registered as secrets: the whole value and the password, as written and decoded", () => {
    const env = {
      HTTPS_PROXY: "http://me:p%40ssw0rd-long@proxy.corp:3128",
      HTTP_PROXY: "http://proxy.corp:3128",
    };
    expect(proxySecrets(env).sort()).toEqual(
      ["http://me:p%40ssw0rd-long@proxy.corp:3128", "p%40ssw0rd-long", "p@ssw0rd-long"].sort(),
    );
    const secrets = new SecretRegistry();
    secrets.addFromEnv(env);
    expect(secrets.scrub("connect to http://me:p%40ssw0rd-long@proxy.corp:3128 as p@ssw0rd-long")).toBe(
      "connect to [redacted] as [redacted]",
    );
    // A proxy without credentials is not a secret.
    expect(secrets.scrub("via http://proxy.corp:3128")).toBe("via http://proxy.corp:3128");
  });
});
