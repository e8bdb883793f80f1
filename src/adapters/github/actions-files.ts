import { appendFile, stat } from "node:fs/promises";
import { randomUUID } from "node:crypto";

/** GitHub refuses a step summary over 1 MiB ("supports content up to a size of 1024k"). */
export const JOB_SUMMARY_LIMIT_BYTES = 1024 * 1024;

/**
 * Appends markdown to $GITHUB_STEP_SUMMARY, cut so the file stays under the 1 MiB cap (counting what
 * earlier steps of this step already wrote). Returns whether the text had to be cut.
 */
export async function appendJobSummary(path: string, markdown: string): Promise<{ truncated: boolean }> {
  const used = await stat(path).then(
    (info) => info.size,
    () => 0,
  );
  const room = JOB_SUMMARY_LIMIT_BYTES - used - 1024;
  const text = markdown.endsWith("\n") ? markdown : `${markdown}\n`;
  if (Buffer.byteLength(text, "utf8") <= room) {
    await appendFile(path, text, "utf8");
    return { truncated: false };
  }
  const note = "\n\n_The job summary is capped at 1 MiB: the rest is in the plan file._\n";
  const cut = truncateUtf8(text, Math.max(0, room - Buffer.byteLength(note)));
  await appendFile(path, `${cut}${note}`, "utf8");
  return { truncated: true };
}

/** Cuts at a line boundary below `maxBytes`, never inside a multi-byte character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text, "utf8");
  if (buffer.length <= maxBytes) return text;
  let cut = buffer.subarray(0, maxBytes).toString("utf8");
  if (cut.endsWith("\uFFFD")) cut = cut.slice(0, -1);
  const lastBreak = cut.lastIndexOf("\n");
  return lastBreak > 0 ? cut.slice(0, lastBreak) : cut;
}

/** Writes step outputs to $GITHUB_OUTPUT in the multi-line-safe `name<<DELIMITER` form. */
export async function writeStepOutputs(
  path: string,
  outputs: Record<string, string | number | boolean>,
): Promise<void> {
  const lines: string[] = [];
  for (const [name, raw] of Object.entries(outputs)) {
    const value = String(raw);
    if (!value.includes("\n")) {
      lines.push(`${name}=${value}`);
      continue;
    }
    const delimiter = `ppgov_${randomUUID()}`;
    lines.push(`${name}<<${delimiter}`, value, delimiter);
  }
  await appendFile(path, `${lines.join("\n")}\n`, "utf8");
}
