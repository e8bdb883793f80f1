import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface TestCertificate {
  keyPath: string;
  certificatePath: string;
  /** PEM of the certificate. */
  certificatePem: string;
}

/**
 * A self-signed certificate for 127.0.0.1 (and `dnsNames`), written into `dir` by the `openssl` CLI
 * (present on CI images and dev machines; Node cannot make X.509 certificates). Valid for a day.
 */
export function makeTestCertificate(
  dir: string,
  name = "tls",
  dnsNames: readonly string[] = [],
): TestCertificate {
  const keyPath = join(dir, `${name}-key.pem`);
  const certificatePath = join(dir, `${name}-cert.pem`);
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certificatePath].concat([
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      `subjectAltName=${["IP:127.0.0.1", ...dnsNames.map((dns) => `DNS:${dns}`)].join(",")}`,
    ]),
    { stdio: "ignore" },
  );
  return { keyPath, certificatePath, certificatePem: readFileSync(certificatePath, "utf8") };
}
