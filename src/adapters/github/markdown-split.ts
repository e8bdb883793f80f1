/** GitHub's limit on an issue or pull-request comment body, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

const CONTINUED = "_Continued from the previous comment._";

interface OpenBlock {
  /** The line that opened it, repeated at the top of the next part. */
  open: string;
  /** The line that closes it at the end of this part. */
  close: string;
  fence?: string;
}

/**
 * Splits markdown into parts of at most `maxLength` characters, on line boundaries. A code fence or
 * `<details>` block open at a break is closed at the end of the part and reopened at the start of the
 * next one, so every part renders on its own (what Atlantis does at the same limit).
 */
export function splitMarkdown(text: string, maxLength = GITHUB_COMMENT_LIMIT, reserve = 0): string[] {
  const limit = maxLength - reserve;
  if (text.length <= limit) return [text];
  const parts: string[] = [];
  const stack: OpenBlock[] = [];
  let current: string[] = [];
  let size = 0;
  // Room for the closers and the continuation line; generous so the arithmetic stays simple.
  const headroom = 400;

  const flush = (): void => {
    const closers = [...stack].reverse().map((block) => block.close);
    parts.push([...current, ...closers].join("\n"));
    current = [CONTINUED, "", ...stack.map((block) => block.open)];
    size = current.join("\n").length + 1;
  };

  for (const rawLine of text.split("\n")) {
    for (const line of chunks(rawLine, Math.max(200, limit - headroom - 2000))) {
      if (size + line.length + 1 + headroom > limit && current.length > 0) flush();
      current.push(line);
      size += line.length + 1;
      track(stack, line);
    }
  }
  parts.push(current.join("\n"));
  return parts;
}

/** A line longer than a part is cut (a minified blob; rare in a plan). */
function chunks(line: string, size: number): string[] {
  if (line.length <= size) return [line];
  const out: string[] = [];
  for (let start = 0; start < line.length; start += size) out.push(line.slice(start, start + size));
  return out;
}

function track(stack: OpenBlock[], line: string): void {
  const trimmed = line.trimStart();
  const indent = line.slice(0, line.length - trimmed.length);
  const top = stack[stack.length - 1];
  const fence = /^(`{3,}|~{3,})/.exec(trimmed)?.[1];
  if (top?.fence !== undefined) {
    // Inside a fence only its own closing fence matters.
    if (
      fence !== undefined &&
      fence[0] === top.fence[0] &&
      fence.length >= top.fence.length &&
      trimmed.trim() === fence
    )
      stack.pop();
    return;
  }
  if (fence !== undefined) {
    stack.push({ open: line, close: `${indent}${fence}`, fence });
    return;
  }
  const opens = (trimmed.match(/<details[\s>]/gi) ?? []).length;
  const closes = (trimmed.match(/<\/details>/gi) ?? []).length;
  for (let i = 0; i < opens; i += 1)
    stack.push({ open: `${indent}<details><summary>continued</summary>\n`, close: `${indent}</details>` });
  for (let i = 0; i < closes; i += 1) if (stack[stack.length - 1]?.fence === undefined) stack.pop();
}
