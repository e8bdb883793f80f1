import { FAILSAFE_SCHEMA, loadAll, Type } from "js-yaml";

/**
 * A quick first reading of a policy file's values with js-yaml, about eight times faster than building
 * yaml's full syntax tree. It only answers when the file is unremarkable: parsed without error or
 * warning, and every document a plain mapping with no shared (aliased) nodes. Anything else returns
 * undefined and the caller takes the full path, which keeps positions and gives exact diagnostics.
 *
 * Scalars resolve exactly as in yaml's YAML 1.2 core schema (the same regular expressions), so both
 * paths produce the same values: `yes` is text, `0b101` is text, `+.5` is a number.
 */
const INT_OCT = /^0o[0-7]+$/;
const INT_DEC = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_PLAIN = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/**
 * Every plain scalar is tried against each type below; most are names (connectors, environments) whose
 * first character already rules a type out, so look at it before running the type's expressions.
 */
function startsWithOneOf(text: string, characters: string): boolean {
  return text.length > 0 && characters.includes(text[0]!);
}

// js-yaml keeps one implicit type per tag, so each tag's forms are folded into one type.
const coreTypes = [
  scalarType(
    "null",
    (text) => text === "" || (startsWithOneOf(text, "~nN") && /^(?:~|[Nn]ull|NULL)$/.test(text)),
    () => null,
  ),
  scalarType(
    "bool",
    (text) => startsWithOneOf(text, "tTfF") && /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(text),
    (text) => text[0] === "t" || text[0] === "T",
  ),
  scalarType(
    "int",
    (text) =>
      startsWithOneOf(text, "0123456789+-") &&
      (INT_OCT.test(text) || INT_DEC.test(text) || INT_HEX.test(text)),
    (text) =>
      INT_OCT.test(text)
        ? parseInt(text.substring(2), 8)
        : INT_HEX.test(text)
          ? parseInt(text.substring(2), 16)
          : parseInt(text, 10),
  ),
  scalarType(
    "float",
    (text) =>
      startsWithOneOf(text, "0123456789+-.") &&
      (FLOAT_SPECIAL.test(text) || FLOAT_EXP.test(text) || FLOAT_PLAIN.test(text)),
    (text) => {
      if (!FLOAT_SPECIAL.test(text)) return parseFloat(text);
      if (text.slice(-3).toLowerCase() === "nan") return NaN;
      return text[0] === "-" ? -Infinity : Infinity;
    },
  ),
];

/**
 * Text the two readers are known to judge differently, found by property tests: aliases and anchors
 * (the full path counts aliases), tags, explicit and collection keys (stringified differently), tabs in
 * indentation and comments glued to a closing quote or bracket (yaml refuses them, js-yaml does not).
 * Such files take the full path; this only costs speed.
 */
const NEEDS_FULL_PARSER: readonly { pattern: RegExp; needs: readonly string[] }[] = [
  { pattern: /(?:^|[\s,[{:-])[*&][^\s,\]}]/m, needs: ["*", "&"] },
  { pattern: /(?:^|[\s,[{])!/m, needs: ["!"] },
  { pattern: /(?:^|\s)\?(?:\s|$)/m, needs: ["?"] },
  { pattern: /[\]}]\s*:(?:\s|$)/m, needs: ["]", "}"] },
  { pattern: /^[ ]*\t/m, needs: ["\t"] },
  { pattern: /["'\]}]#/, needs: ["#"] },
];

/** A pattern can only match text holding one of the characters it needs; looking for those is cheap. */
function needsFullParser(text: string): boolean {
  return NEEDS_FULL_PARSER.some(
    ({ pattern, needs }) => needs.some((character) => text.includes(character)) && pattern.test(text),
  );
}

const CORE_SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: coreTypes });

function scalarType(
  name: string,
  test: (text: string) => boolean,
  construct: (text: string) => unknown,
): Type {
  return new Type(`tag:yaml.org,2002:${name}`, {
    kind: "scalar",
    resolve: (data: unknown) => typeof data === "string" && test(data),
    construct: (data: string) => construct(data),
  });
}

/** The documents' values, or undefined when the file needs the full parser's judgement. */
export function readValuesFast(text: string): Record<string, unknown>[] | undefined {
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
