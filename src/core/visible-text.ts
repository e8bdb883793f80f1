/**
 * Text from a policy file or the tenant, made safe to print on a terminal or in a CI log. Control
 * characters (C0, DEL, C1) could move the cursor, erase lines or start escape sequences, and Unicode
 * bidirectional controls make text display in another order than it is read ("Trojan Source"): either
 * could hide a line of a plan from the person approving it. Each is shown as a `\u{…}` escape instead.
 * Line feeds and tabs are escaped too (one value never spans two printed lines) unless `keepLineFeeds`
 * is set for text that is several lines on purpose (a message whose quoted values are already escaped).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

export function visibleText(text: string, options: { keepLineFeeds?: boolean } = {}): string {
  return text.replace(INVISIBLE, (char) => {
    if (char === "\n") return options.keepLineFeeds === true ? char : "\\n";
    if (char === "\t") return "\\t";
    return `\\u{${char.codePointAt(0)!.toString(16).padStart(4, "0")}}`;
  });
}
