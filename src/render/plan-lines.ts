/**
 * The words and lines shared by the text and markdown plan renderers: what each change says,
 * independent of colour or markup.
 */
import { isJsonObject, pointerSegments, type Json } from "../core/kinds/json.js";
import { describeId, isPlaceholder } from "../core/kinds/placeholder.js";
import type { ChangeAction } from "../core/kinds/resource-kind.js";
import type { ChangedPath } from "../core/plan/diff.js";
import type { Plan, PlanResource } from "../core/plan/types.js";

export const ACTION_SYMBOL: Record<ChangeAction, string> = {
  create: "+",
  update: "~",
  replace: "-/+",
  delete: "-",
  "no-op": " ",
};

export const ACTION_PHRASE: Record<ChangeAction, string> = {
  create: "will be created",
  update: "will be updated in place",
  replace: "must be replaced",
  delete: "will be destroyed",
  "no-op": "is unchanged",
};

/** One line under a resource: a field and what happens to it. */
export interface ChangeLine {
  sign: "+" | "-" | "~";
  /** The whole change on one line (what a renderer without room for more prints). */
  text: string;
  /**
   * When `text` is longer than a terminal line: the field alone, then one item of a list or object a
   * line, each signed `+` (added), `-` (removed) or ` ` (kept, in an ordered list); two scalars are
   * the old value (`-`) and the new one (`+`).
   */
  wrapped?: { head: string; items: WrappedItem[] };
}

export interface WrappedItem {
  /** `~`: one group of a summarised map whose entries moved ("nonBusiness → blocked: a, b"). */
  sign: "+" | "-" | "~" | " ";
  text: string;
}

/**
 * Plan lines longer than this (with their 8-character indent and sign) are wrapped: one item a line,
 * or before and after on a line each.
 */
export const PLAN_LINE_WIDTH = 100;
const CHANGE_INDENT = 8;

/** Maps with more changed entries than this are summarised by value instead of listed. */
const MAP_SUMMARY_THRESHOLD = 12;

/**
 * `items` joined by ", " after `prefix`, broken into lines of at most PLAN_LINE_WIDTH characters; the
 * following lines are indented under the first item. An item longer than a line gets a line of its own.
 */
export function wrapList(items: readonly string[], prefix: string, width = PLAN_LINE_WIDTH): string[] {
  const indent = " ".repeat(prefix.length);
  const lines: string[] = [];
  let current = prefix;
  let empty = true;
  for (const [index, item] of items.entries()) {
    const piece = index === items.length - 1 ? item : `${item},`;
    if (!empty && current.length + 1 + piece.length > width) {
      lines.push(current);
      current = indent + piece;
    } else {
      current = empty ? current + piece : `${current} ${piece}`;
    }
    empty = false;
  }
  lines.push(current);
  return lines;
}

export function fieldName(path: string): string {
  return pointerSegments(path).join(".");
}

/** A value for people: ids with their display names, placeholders as "(known after apply)". */
export function formatValue(value: Json | undefined, names: Readonly<Record<string, string>>): string {
  if (value === undefined) return "(none)";
  if (value === null) return "none";
  if (isPlaceholder(value)) return describeId(value);
  if (typeof value === "string")
    return names[value] === undefined ? JSON.stringify(value) : `${JSON.stringify(names[value])} (${value})`;
  if (Array.isArray(value)) return `[${value.map((item) => formatValue(item, names)).join(", ")}]`;
  if (isJsonObject(value))
    return `{ ${Object.keys(value)
      .sort()
      .map((key) => `${key} = ${formatValue(value[key], names)}`)
      .join(", ")} }`;
  return String(value);
}

/** Bare words for DLP groups and behaviours, as the admin center shows them. */
function formatWord(value: Json | undefined, names: Readonly<Record<string, string>>): string {
  return typeof value === "string" && /^[A-Za-z]+$/.test(value) ? value : formatValue(value, names);
}

function isIdList(value: Json | undefined): value is Json[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string" || isPlaceholder(item));
}

function setDifference(before: Json[], after: Json[]): { added: Json[]; removed: Json[] } {
  const key = (item: Json): string => JSON.stringify(item);
  const had = new Set(before.map(key));
  const has = new Set(after.map(key));
  return {
    added: after.filter((item) => !had.has(key(item))),
    removed: before.filter((item) => !has.has(key(item))),
  };
}

function lineFor(
  entry: ChangedPath,
  note: string | undefined,
  names: Readonly<Record<string, string>>,
  action: ChangeAction,
): ChangeLine {
  const line = oneLine(entry, note, names, action);
  if (CHANGE_INDENT + line.text.length <= PLAN_LINE_WIDTH) return line;
  const wrapped = wrapChange(entry, note, names, line.sign);
  return wrapped === undefined ? line : { ...line, wrapped };
}

/** A value's parts, one a line: a list's items or an object's `key = value` entries. */
function itemsOf(value: Json | undefined, names: Readonly<Record<string, string>>): string[] | undefined {
  if (Array.isArray(value)) return value.map((item) => formatValue(item, names));
  if (isJsonObject(value) && !isPlaceholder(value))
    return Object.keys(value)
      .sort()
      .map((key) => `${key} = ${formatValue(value[key], names)}`);
  return undefined;
}

function wrapChange(
  entry: ChangedPath,
  note: string | undefined,
  names: Readonly<Record<string, string>>,
  sign: ChangeLine["sign"],
): ChangeLine["wrapped"] {
  const field = fieldName(entry.path);
  const suffix = note === undefined ? "" : ` (${note})`;
  const before = itemsOf(entry.before, names);
  const after = itemsOf(entry.after, names);
  // A field set or removed as a whole: every item takes the line's sign.
  if (sign !== "~") {
    const items = sign === "+" ? after : before;
    if (items === undefined) return undefined;
    return { head: `${field} =${suffix}`, items: items.map((text) => ({ sign, text })) };
  }
  // Two long scalars (or a scalar and a list): before and after, each on its own line.
  if (before === undefined || after === undefined)
    return {
      head: `${field}:${suffix}`,
      items: [
        { sign: "-", text: formatValue(entry.before, names) },
        { sign: "+", text: formatValue(entry.after, names) },
      ],
    };
  // Id lists are sets: what was added and removed. Other lists keep their order (URL patterns and
  // endpoint rules match first to last), so they show as a line diff with the kept items in place.
  const items =
    isIdList(entry.before) && isIdList(entry.after)
      ? [
          ...after.filter((item) => !before.includes(item)).map((text) => ({ sign: "+" as const, text })),
          ...before.filter((item) => !after.includes(item)).map((text) => ({ sign: "-" as const, text })),
        ]
      : diffItems(before, after);
  return { head: `${field}:${suffix}`, items };
}

/** A line diff of two lists (longest common subsequence); removed before added within each run. */
export function diffItems(before: readonly string[], after: readonly string[]): WrappedItem[] {
  const n = before.length;
  const m = after.length;
  if (n * m > 250_000)
    return [
      ...before.map((text) => ({ sign: "-" as const, text })),
      ...after.map((text) => ({ sign: "+" as const, text })),
    ];
  // common[i][j]: the length of the longest common subsequence of before[i..] and after[j..].
  const common = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      common[i]![j] =
        before[i] === after[j]
          ? common[i + 1]![j + 1]! + 1
          : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
  const out: WrappedItem[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push({ sign: " ", text: before[i]! });
      i++;
      j++;
    } else if (i < n && (j === m || common[i + 1]![j]! >= common[i]![j + 1]!)) {
      out.push({ sign: "-", text: before[i]! });
      i++;
    } else {
      out.push({ sign: "+", text: after[j]! });
      j++;
    }
  }
  return out;
}

function oneLine(
  entry: ChangedPath,
  note: string | undefined,
  names: Readonly<Record<string, string>>,
  action: ChangeAction,
): ChangeLine {
  const field = fieldName(entry.path);
  const suffix = note === undefined ? "" : ` (${note})`;
  const isConnector = entry.path.startsWith("/connectors/");
  const show = (value: Json | undefined): string =>
    isConnector ? formatWord(value, names) : formatValue(value, names);
  if (action === "create" || entry.before === undefined)
    return { sign: "+", text: `${field} = ${show(entry.after)}${suffix}` };
  if (entry.after === undefined) return { sign: "-", text: `${field} = ${show(entry.before)}${suffix}` };
  if (isIdList(entry.before) && isIdList(entry.after)) {
    const { added, removed } = setDifference(entry.before, entry.after);
    const parts = [
      ...added.map((item) => `+ ${formatValue(item, names)}`),
      ...removed.map((item) => `- ${formatValue(item, names)}`),
    ];
    return { sign: "~", text: `${field}: ${parts.join(", ")}${suffix}` };
  }
  return { sign: "~", text: `${field}: ${show(entry.before)} → ${show(entry.after)}${suffix}` };
}

/** The lines of one resource; long runs of changes inside one map are summarised by resulting value. */
export function changeLines(resource: PlanResource, names: Readonly<Record<string, string>>): ChangeLine[] {
  const byParent = new Map<string, ChangedPath[]>();
  for (const entry of resource.changedPaths) {
    const segments = pointerSegments(entry.path);
    const parent = segments.length > 1 ? segments.slice(0, -1).join(".") : "";
    const list = byParent.get(parent);
    if (list) list.push(entry);
    else byParent.set(parent, [entry]);
  }
  const lines: ChangeLine[] = [];
  const summarised = new Set<string>();
  for (const entry of resource.changedPaths) {
    const segments = pointerSegments(entry.path);
    const parent = segments.length > 1 ? segments.slice(0, -1).join(".") : "";
    const siblings = byParent.get(parent)!;
    if (parent !== "" && siblings.length > MAP_SUMMARY_THRESHOLD) {
      if (summarised.has(parent)) continue;
      summarised.add(parent);
      lines.push(summaryLine(parent, siblings, resource, names));
      continue;
    }
    lines.push(lineFor(entry, resource.notes?.[entry.path], names, resource.action));
  }
  return lines;
}

function summaryLine(
  parent: string,
  entries: ChangedPath[],
  resource: PlanResource,
  names: Readonly<Record<string, string>>,
): ChangeLine {
  const groups = new Map<string, string[]>();
  for (const entry of entries) {
    const before =
      resource.action === "create" || entry.before === undefined
        ? ""
        : `${formatWord(entry.before, names)} → `;
    const label = `${before}${formatWord(entry.after, names)}`;
    const key = pointerSegments(entry.path).at(-1)!;
    const list = groups.get(label);
    if (list) list.push(key);
    else groups.set(label, [key]);
  }
  const parts = [...groups.entries()]
    .sort(([, a], [, b]) => b.length - a.length)
    .map(([label, keys]) => (keys.length <= 5 ? `${label}: ${keys.join(", ")}` : `${label}: ${keys.length}`));
  const sign = resource.action === "create" ? "+" : "~";
  const text = `${parent} (${entries.length}): ${parts.join("; ")}`;
  if (CHANGE_INDENT + text.length <= PLAN_LINE_WIDTH) return { sign, text };
  // One resulting group (or move) a line.
  return {
    sign,
    text,
    wrapped: { head: `${parent} (${entries.length}):`, items: parts.map((part) => ({ sign, text: part })) },
  };
}

/** Terraform's summary line. A replace counts as one add and one destroy. */
export function planSummaryLine(plan: Pick<Plan, "summary">): string {
  const { add, change, destroy, replace } = plan.summary;
  return `Plan: ${add + replace} to add, ${change} to change, ${destroy + replace} to destroy.`;
}

export { planHasChanges as hasChanges } from "../core/plan/plan.js";

export const NO_CHANGES = "No changes. The tenant matches the policies.";

/** Shown under the plan when the caller passes what the read cost. */
export interface PlanFooter {
  apiCalls?: number;
  throttled?: number;
}

export function footerText(footer: PlanFooter | undefined): string | undefined {
  if (footer === undefined || (footer.apiCalls === undefined && footer.throttled === undefined))
    return undefined;
  const parts: string[] = [];
  if (footer.apiCalls !== undefined)
    parts.push(`${footer.apiCalls} API call${footer.apiCalls === 1 ? "" : "s"}`);
  if (footer.throttled !== undefined) parts.push(`${footer.throttled} throttled (429)`);
  return parts.join(", ");
}

export function resourceTitle(resource: PlanResource): string {
  const id = resource.id === null ? "" : `, ${resource.id}`;
  return `${resource.address} ("${resource.displayName}"${id})`;
}

export function actionComment(resource: PlanResource): string {
  // notes[""] remarks on the whole resource (a TenantSettings document's unmanaged settings).
  const remark = resource.notes?.[""];
  const comment = actionPhrase(resource);
  return remark === undefined ? comment : `${comment}; ${remark}`;
}

function actionPhrase(resource: PlanResource): string {
  if (resource.action === "replace" && resource.reason)
    return `${resource.address} must be replaced: ${resource.reason}`;
  if (resource.action === "delete" && resource.name.startsWith("id:"))
    return `${resource.address} will be destroyed (no document declares it, and prune is on)`;
  return `${resource.address} ${ACTION_PHRASE[resource.action]}`;
}

export function changedResources(plan: Pick<Plan, "resources">): PlanResource[] {
  return plan.resources.filter((resource) => resource.action !== "no-op");
}

export function newConnectorLines(plan: Pick<Plan, "newConnectors">): string[] {
  return plan.newConnectors.map((connector) => {
    const effects = connector.effects.map((effect) => `${effect.group} in ${effect.address}`).join(", ");
    return `${connector.name} (${connector.displayName})${effects === "" ? "" : `: ${effects}`}`;
  });
}
