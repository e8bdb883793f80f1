/**
 * A headless Chromium for the browser tests from the npm registry, not from a system package: the
 * binary, the NSS libraries it links and a font ship brotli-compressed inside @sparticuz/chromium (a
 * devDependency, so `npm ci` brings them). They are unpacked once per package version into
 * node_modules/.cache/ppgov-chromium/<version>/, into a temporary directory renamed into place, so
 * test processes started together never run a half-written binary.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { repoRoot } from "./run-cli.js";

export interface TestChromium {
  executablePath: string;
  /** Variables for the browser process: its libraries and fonts. */
  env: Record<string, string>;
}

const PACKAGE = join(repoRoot, "node_modules", "@sparticuz", "chromium");

/** The regular files and directories of a tar archive (ustar), written under `dir`. */
function untar(archive: Buffer, dir: string): void {
  for (let offset = 0; offset + 512 <= archive.length;) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const text = (start: number, length: number): string =>
      header.toString("utf8", start, start + length).replace(/\0.*$/s, "");
    const name = [text(345, 155), text(0, 100)].filter((part) => part !== "").join("/");
    const size = parseInt(text(124, 12).trim() || "0", 8);
    const type = text(156, 1) || "0";
    const target = normalize(join(dir, name));
    if (!target.startsWith(dir)) throw new Error(`tar entry ${name} leaves ${dir}`);
    if (type === "5") mkdirSync(target, { recursive: true });
    else if (type === "0") {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, archive.subarray(offset + 512, offset + 512 + size), {
        mode: parseInt(text(100, 8).trim() || "644", 8),
      });
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
}

/** Unpacks the package's Chromium (once per version) and says how to launch it. */
export function testChromium(): TestChromium {
  if (!existsSync(join(PACKAGE, "package.json")))
    throw new Error(`${PACKAGE} is missing: npm ci installs it (devDependency @sparticuz/chromium)`);
  const { version } = JSON.parse(readFileSync(join(PACKAGE, "package.json"), "utf8")) as { version: string };
  const dir = join(repoRoot, "node_modules", ".cache", "ppgov-chromium", version);
  const launch: TestChromium = {
    executablePath: join(dir, "chromium"),
    env: {
      LD_LIBRARY_PATH: [join(dir, "lib"), process.env.LD_LIBRARY_PATH].filter(Boolean).join(":"),
      FONTCONFIG_FILE: join(dir, "fonts.conf"),
    },
  };
  if (existsSync(launch.executablePath)) return launch;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const unpack = (name: string): Buffer => brotliDecompressSync(readFileSync(join(PACKAGE, "bin", name)));
  writeFileSync(join(partial, "chromium"), unpack("chromium.br"), { mode: 0o755 });
  untar(unpack("al2023.tar.br"), partial);
  untar(unpack("fonts.tar.br"), partial);
  // The package's fonts.conf names Lambda's paths: the machine's fonts, then the shipped one.
  writeFileSync(
    join(partial, "fonts.conf"),
    [
      '<?xml version="1.0"?>',
      '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
      "<fontconfig>",
      '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
      `  <dir>${join(dir, "fonts")}</dir>`,
      `  <cachedir>${join(dir, "fonts-cache")}</cachedir>`,
      "</fontconfig>",
      "",
    ].join("\n"),
  );
  try {
    renameSync(partial, dir);
  } catch (error) {
    // Another process renamed its copy first: use that one.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(launch.executablePath)) throw error;
  }
  return launch;
}
