/**
 * Markdown escaping shared by the plan, effect and report renderers (apart from plan-markdown.ts, which
 * itself uses the effect renderer).
 */
import { visibleText } from "../core/visible-text.js";

/** Escapes text for markdown outside code: no HTML, no markup from user strings. */
export function escapeMarkdown(text: string): string {
  // Line breaks become spaces (a table cell is one line); other control and bidi characters become
  // visible escapes, so a name cannot hide or reorder what the reviewer reads.
  return visibleText(text.replace(/\r?\n/g, " "))
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]()#|!~])/g, "\\$1");
}
