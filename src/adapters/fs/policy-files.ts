import { lstat, open, readdir, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import type { Diagnostic } from "../../core/diagnostics.js";
import { UsageError } from "../../core/errors.js";
import { DIAGNOSTIC_CODES, type DiagnosticCode } from "../../core/policy/codes.js";
import type { PolicyFile } from "../../core/policy/parse-yaml.js";

export interface ListPolicyFilesOptions {
  /** Files larger than this are refused without being read. Default 1 MiB. */
  maxFileBytes?: number;
  /** Resolves the policy directory; default process.cwd(). */
  cwd?: string;
  /** More `*.yaml` / `*.yml` files than this and the directory is refused unread. Default 5,000. */
  maxFiles?: number;
  /** Policy files adding up to more bytes than this and the directory is refused unread. Default 32 MiB. */
  maxTotalBytes?: number;
}

export interface PolicyFileListing {
  files: PolicyFile[];
  diagnostics: Diagnostic[];
  /** Every *.yaml / *.yml file found, read or refused. */
  fileCount: number;
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_FILES = 5_000;
export const DEFAULT_MAX_TOTAL_BYTES = 32 * 1024 * 1024;

/** Reads PPGOV_MAX_POLICY_FILES and PPGOV_MAX_POLICY_BYTES; throws a usage error naming a bad value. */
export function repositoryCapsFromEnv(
  env: NodeJS.ProcessEnv,
): Pick<ListPolicyFilesOptions, "maxFiles" | "maxTotalBytes"> {
  const read = (name: string): number | undefined => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === "") return undefined;
    if (!/^[1-9][0-9]{0,14}$/.test(raw))
      throw new UsageError(`${name} must be a positive whole number (got "${raw}")`);
    return Number(raw);
  };
  const maxFiles = read("PPGOV_MAX_POLICY_FILES");
  const maxTotalBytes = read("PPGOV_MAX_POLICY_BYTES");
  return {
    ...(maxFiles === undefined ? {} : { maxFiles }),
    ...(maxTotalBytes === undefined ? {} : { maxTotalBytes }),
  };
}

const POLICY_FILE = /\.ya?ml$/i;

/**
 * Reads every `*.yaml` / `*.yml` file under `dir` (any depth, sorted; dot-directories and node_modules
 * skipped, so `-d .` in a repository does not read tooling files). Hostile
 * trees give diagnostics, not crashes: symbolic links that resolve outside the directory, files over the
 * size cap (refused from their size, never read whole), special files, binary or non-UTF-8 content.
 * Paths are shown as `dir` was given, joined with the file's path inside it, with forward slashes.
 * A directory over the file-count or total-size cap is refused as a whole (PPG115) before any file is
 * read, so memory stays bounded whatever the checkout holds.
 */
export async function listPolicyFiles(
  dir: string,
  options: ListPolicyFilesOptions = {},
): Promise<PolicyFileListing> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const maxTotalBytes = options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
  const absoluteDir = isAbsolute(dir) ? dir : join(options.cwd ?? process.cwd(), dir);
  const root = await realpath(absoluteDir);
  const display = (relativePath: string): string => toDisplay(dir, relativePath);
  const diagnostics: Diagnostic[] = [];
  const candidates: { relativePath: string; absolutePath: string }[] = [];

  const report = (relativePath: string, code: DiagnosticCode, message: string): void => {
    diagnostics.push({
      severity: DIAGNOSTIC_CODES[code].severity,
      code,
      message,
      file: display(relativePath),
      line: 0,
      column: 0,
    });
  };

  const visited = new Set<string>();
  let tooMany = false;
  const walk = async (absolute: string, relativeDir: string): Promise<void> => {
    if (tooMany) return;
    // A link back up the tree would loop: walk each real directory once.
    const real = await realpath(absolute).catch(() => absolute);
    if (visited.has(real)) return;
    visited.add(real);
    let entries;
    try {
      entries = (await readdir(absolute, { withFileTypes: true })).sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
    } catch (error: unknown) {
      report(
        relativeDir === "" ? "." : relativeDir,
        "PPG100",
        `directory cannot be read (${errorCode(error)})`,
      );
      return;
    }
    for (const entry of entries) {
      if (tooMany) return;
      const relativePath = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
      const entryPath = join(absolute, entry.name);
      let isDirectory = entry.isDirectory();
      let isYaml = POLICY_FILE.test(entry.name);
      if (entry.isSymbolicLink()) {
        let failure: string | undefined;
        const target = await realpath(entryPath).catch((error: unknown) => {
          failure = errorCode(error);
          return undefined;
        });
        if (target === undefined) {
          if (isYaml)
            report(
              relativePath,
              "PPG100",
              failure === "ELOOP"
                ? "is a symbolic link loop: following it leads back to a link already followed (ELOOP)"
                : "is a symbolic link whose target does not exist",
            );
          continue;
        }
        const targetStat = await stat(target).catch(() => undefined);
        if (targetStat === undefined) {
          if (isYaml) report(relativePath, "PPG100", "is a symbolic link whose target cannot be read");
          continue;
        }
        isDirectory = targetStat.isDirectory();
        isYaml = isYaml && !isDirectory;
        if (!isInside(root, target)) {
          if (isDirectory || isYaml) {
            report(
              relativePath,
              "PPG110",
              "is a symbolic link to a path outside the policy directory; refusing to follow it",
            );
          }
          continue;
        }
      }
      if (isDirectory) {
        if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
        await walk(entryPath, relativePath);
      } else if (isYaml) {
        candidates.push({ relativePath, absolutePath: entryPath });
        if (candidates.length > maxFiles) tooMany = true;
      }
    }
  };
  await walk(root, "");
  const refuse = (message: string): PolicyFileListing => ({
    files: [],
    diagnostics: [
      {
        severity: DIAGNOSTIC_CODES.PPG115.severity,
        code: "PPG115",
        message,
        file: toDisplay(dir, "").replace(/\/$/, "") || ".",
        line: 0,
        column: 0,
      },
    ],
    fileCount: candidates.length,
  });
  if (tooMany)
    return refuse(
      `holds more than ${maxFiles.toLocaleString("en-US")} policy files (the limit; PPGOV_MAX_POLICY_FILES raises it): nothing was read`,
    );
  // Sizes first, from stat: a checkout of thousands of large files is refused before it is read.
  const sizes = await mapLimited(candidates, 16, async (candidate) =>
    stat(candidate.absolutePath).then(
      (info) => (info.isFile() ? info.size : 0),
      () => 0,
    ),
  );
  // A file over the per-file limit is refused on its own (PPG105, naming it) and is never read, so it
  // does not count towards the total.
  const totalBytes = sizes.reduce((sum, size) => (size > maxFileBytes ? sum : sum + size), 0);
  if (totalBytes > maxTotalBytes)
    return refuse(
      `holds ${formatBytes(totalBytes)} of policy files, over the ${formatBytes(maxTotalBytes)} limit (PPGOV_MAX_POLICY_BYTES raises it): nothing was read`,
    );

  const files: PolicyFile[] = [];
  const results = await mapLimited(candidates, 16, async (candidate) =>
    readPolicyFile(candidate.absolutePath, maxFileBytes),
  );
  results.forEach((result, index) => {
    const candidate = candidates[index]!;
    if ("text" in result) files.push({ path: display(candidate.relativePath), text: result.text });
    else report(candidate.relativePath, result.code, result.message);
  });
  return { files, diagnostics, fileCount: candidates.length };
}

type ReadResult = { text: string } | { code: DiagnosticCode; message: string };

async function readPolicyFile(path: string, maxFileBytes: number): Promise<ReadResult> {
  let handle;
  try {
    const info = await lstat(path).then((link) => (link.isSymbolicLink() ? stat(path) : link));
    if (!info.isFile()) return { code: "PPG100", message: "is not a regular file" };
    if (info.size > maxFileBytes) {
      return {
        code: "PPG105",
        message: `is ${formatBytes(info.size)}, over the ${formatBytes(maxFileBytes)} limit for a policy file`,
      };
    }
    handle = await open(path, "r");
    // Read at most one byte over the cap: a file that grows after stat() is still refused.
    const buffer = Buffer.alloc(Math.min(info.size, maxFileBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > maxFileBytes) {
      return { code: "PPG105", message: `is over the ${formatBytes(maxFileBytes)} limit for a policy file` };
    }
    return decode(buffer.subarray(0, length));
  } catch (error: unknown) {
    return { code: "PPG100", message: `cannot be read (${errorCode(error)})` };
  } finally {
    await handle?.close();
  }
}

function decode(bytes: Buffer): ReadResult {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { code: "PPG106", message: "is UTF-16 text; save it as UTF-8" };
  }
  if (bytes.includes(0)) {
    return { code: "PPG106", message: "contains NUL bytes: it looks like a binary file, not YAML text" };
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { code: "PPG106", message: "is not valid UTF-8 text" };
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
}

function isInside(root: string, target: string): boolean {
  const path = relative(root, target);
  return path === "" || (!path.startsWith(`..${sep}`) && path !== ".." && !isAbsolute(path));
}

function toDisplay(dir: string, relativePath: string): string {
  const base = dir.split(sep).join("/").replace(/\/+$/, "");
  if (base === "" || base === ".") return relativePath;
  return `${base}/${relativePath}`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await run(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
