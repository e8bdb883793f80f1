import { FAILSAFE_SCHEMA, loadAll, Type } from "js-yaml";
import { readBlockYaml } from "./block-yaml.js";
import { PLAIN_SCALAR_TYPES } from "./plain-scalars.js";

// js-yaml keeps one implicit type per tag, so each tag's forms are folded into one type.
const coreTypes = PLAIN_SCALAR_TYPES.map(
  ({ name, test, construct }) =>
    new Type(`tag:yaml.org,2002:${name}`, {
      kind: "scalar",
      resolve: (data: unknown) => typeof data === "string" && test(data),
      construct: (data: string) => construct(data),
    }),
);

/**
 * Text the two readers are known to judge differently, found by property tests: aliases and anchors
 * (the full path counts aliases), tags, explicit and collection keys (stringified differently), tabs in
 * indentation and comments glued to a quote, bracket, brace or comma (yaml refuses them, js-yaml does not).
 * Such files take the full path; this only costs speed.
 */
const NEEDS_FULL_PARSER: readonly { pattern: RegExp; needs: readonly string[] }[] = [
  { pattern: /(?:^|[\s,[{:-])[*&][^\s,\]}]/m, needs: ["*", "&"] },
  { pattern: /(?:^|[\s,[{])!/m, needs: ["!"] },
  { pattern: /(?:^|\s)\?(?:\s|$)/m, needs: ["?"] },
  { pattern: /[\]}]\s*:(?:\s|$)/m, needs: ["]", "}"] },
  { pattern: /^[ ]*\t/m, needs: ["\t"] },
  { pattern: /["'\]}]#/, needs: ["#"] },
  // A "#" right after a flow indicator ("{#a: 1}", "[1,#x]"): js-yaml reads a comment, yaml refuses it.
  { pattern: /[[{,]#/, needs: ["#"] },
];

/** A pattern can only match text holding one of the characters it needs; looking for those is cheap. */
function needsFullParser(text: string): boolean {
  return NEEDS_FULL_PARSER.some(
    ({ pattern, needs }) => needs.some((character) => text.includes(character)) && pattern.test(text),
  );
}

const CORE_SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: coreTypes });

/**
 * A quick first reading of a policy file's values, about eight times faster than building yaml's full
 * syntax tree. Plain block YAML is read line by line (block-yaml.ts); other files go to js-yaml. It only
 * answers when the file is unremarkable: parsed without error or warning, and every document a plain
 * mapping with no shared (aliased) nodes. Anything else returns undefined and the caller takes the full
 * path, which keeps positions and gives exact diagnostics. Scalars resolve as in plain-scalars.ts.
 *
 * The documents' values, or undefined when the file needs the full parser's judgement.
 */
export function readValuesFast(text: string): Record<string, unknown>[] | undefined {
  const block = readBlockYaml(text);
  if (block !== undefined) return block;
  if (needsFullParser(text)) return undefined;
  let warned = false;
  let values: unknown[];
  try {
    values = loadAll(text, null, {
      schema: CORE_SCHEMA,
      json: false, // Duplicate keys throw, so the full path reports them.
      onWarning: () => {
        warned = true;
      },
    });
  } catch {
    return undefined;
  }
  if (warned || values.length === 0) return undefined;
  const seen = new Set<object>();
  for (const value of values) {
    if (!isPlainMapping(value) || !isTree(value, seen)) return undefined;
  }
  return values as Record<string, unknown>[];
}

function isPlainMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * False when a node is reachable twice (an alias, which the full path counts against its limit) or
 * holds a key the two readers spell differently.
 */
function isTree(root: object, seen: Set<object>): boolean {
  const stack: object[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) return false;
    seen.add(node);
    // An empty key reads as "null" here but "" in yaml: let the full path decide.
    if (Object.hasOwn(node, "null")) return false;
    // Only nested collections matter; skip the key/value pairs Object.entries would allocate.
    const record = node as Record<string, unknown>;
    for (const key in record) {
      const child = record[key];
      if (typeof child === "object" && child !== null) stack.push(child);
    }
  }
  return true;
}
