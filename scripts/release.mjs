#!/usr/bin/env node
// What .github/workflows/release.yml asks before and while it releases a tag vX.Y.Z:
//
//   node scripts/release.mjs verify vX.Y.Z      the tag is a release version, package.json says X.Y.Z and
//                                               CHANGELOG.md has a dated, non-empty section [X.Y.Z]
//   node scripts/release.mjs notes vX.Y.Z       prints that section's body (the GitHub release's notes)
//   git tag --list 'v*' | node scripts/release.mjs major-tag vX.Y.Z
//                                               prints vX when vX.Y.Z is the newest release of major X
//                                               among the tags on stdin (so the v<major> tag moves to it),
//                                               nothing when a newer one exists (a patch of an old line)
//
// --root DIR reads package.json and CHANGELOG.md from DIR (default: the repository). Exit 1 with the
// file and line on anything that does not hold.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const RELEASE_TAG = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

class ReleaseError extends Error {}

/** [major, minor, patch] of a release tag, or undefined for anything else (pre-releases included). */
function parseTag(tag) {
  const match = RELEASE_TAG.exec(tag);
  return match === null ? undefined : match.slice(1, 4).map(Number);
}

function requireTag(tag) {
  const version = parseTag(tag ?? "");
  if (version === undefined)
    throw new ReleaseError(
      `${JSON.stringify(tag ?? "")} is not a release tag (vMAJOR.MINOR.PATCH, e.g. v1.2.3)`,
    );
  return version;
}

/**
 * The section of `version` in a Keep a Changelog file: its heading line (1-based), date and body (the
 * lines up to the next `## ` heading or the link references at the end, trimmed).
 */
export function changelogSection(text, version, file = "CHANGELOG.md") {
  const lines = text.split(/\r?\n/);
  const heading = new RegExp(`^## \\[${version.replaceAll(".", "\\.")}\\](?:\\s+-\\s+(.*))?\\s*$`);
  const start = lines.findIndex((line) => heading.test(line));
  if (start === -1) throw new ReleaseError(`${file}: no section "## [${version}] - YYYY-MM-DD"`);
  const date = heading.exec(lines[start])[1]?.trim();
  let end = start + 1;
  while (end < lines.length && !/^## /.test(lines[end]) && !/^\[[^\]]+\]:\s/.test(lines[end])) end += 1;
  const body = lines
    .slice(start + 1, end)
    .join("\n")
    .trim();
  return { line: start + 1, date, body };
}

function verify(root, tag) {
  const [major, minor, patch] = requireTag(tag);
  const version = `${major}.${minor}.${patch}`;
  const manifestPath = join(root, "package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  if (manifest.version !== version)
    throw new ReleaseError(
      `${manifestPath}: version is ${JSON.stringify(manifest.version)}, the tag ${tag} says ${version}`,
    );
  const changelogPath = join(root, "CHANGELOG.md");
  const section = changelogSection(readFileSync(changelogPath, "utf8"), version, changelogPath);
  if (section.date === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(section.date))
    throw new ReleaseError(
      `${changelogPath}:${section.line}: the section [${version}] has no release date ("## [${version}] - YYYY-MM-DD"; it says ${JSON.stringify(section.date ?? "")})`,
    );
  if (section.body === "")
    throw new ReleaseError(`${changelogPath}:${section.line}: the section [${version}] is empty`);
  return `${tag}: package.json ${version}, ${changelogPath} section of ${section.date} (${section.body.split("\n").length} lines)\n`;
}

function notes(root, tag) {
  const [major, minor, patch] = requireTag(tag);
  const changelogPath = join(root, "CHANGELOG.md");
  const section = changelogSection(
    readFileSync(changelogPath, "utf8"),
    `${major}.${minor}.${patch}`,
    changelogPath,
  );
  if (section.body === "") throw new ReleaseError(`${changelogPath}:${section.line}: the section is empty`);
  return `${section.body}\n`;
}

/** vX when `tag` is the newest release of its major among `tags` (itself counted), else "". */
export function majorTagFor(tag, tags) {
  const version = requireTag(tag);
  const newer = tags
    .map((candidate) => parseTag(candidate.trim()))
    .filter((candidate) => candidate !== undefined && candidate[0] === version[0])
    .some(
      (candidate) => candidate[1] > version[1] || (candidate[1] === version[1] && candidate[2] > version[2]),
    );
  return newer ? "" : `v${version[0]}`;
}

async function main(argv) {
  const rootAt = argv.indexOf("--root");
  const root = rootAt === -1 ? join(dirname(fileURLToPath(import.meta.url)), "..") : argv[rootAt + 1];
  const [command, tag, ...rest] = argv.filter((_, i) => rootAt === -1 || (i !== rootAt && i !== rootAt + 1));
  if (root === undefined || rest.length > 0 || !["verify", "notes", "major-tag"].includes(command)) {
    process.stderr.write("usage: node scripts/release.mjs verify|notes|major-tag vX.Y.Z [--root DIR]\n");
    return 2;
  }
  try {
    if (command === "verify") process.stdout.write(verify(root, tag));
    if (command === "notes") process.stdout.write(notes(root, tag));
    if (command === "major-tag") {
      let input = "";
      for await (const chunk of process.stdin) input += chunk;
      const major = majorTagFor(tag, input.split("\n"));
      if (major !== "") process.stdout.write(`${major}\n`);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof ReleaseError) && error?.code !== "ENOENT") throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = await main(process.argv.slice(2));
