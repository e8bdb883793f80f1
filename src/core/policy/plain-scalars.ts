/**
 * How a plain (unquoted) scalar resolves: exactly as in yaml's YAML 1.2 core schema (the same regular
 * expressions), so every reader of policy files produces the same values: `yes` is text, `0b101` is
 * text, `+.5` is a number. Types are tried in this order; text that none matches stays text.
 */
export interface PlainScalarType {
  name: "null" | "bool" | "int" | "float";
  test: (text: string) => boolean;
  construct: (text: string) => unknown;
}

const INT_OCT = /^0o[0-7]+$/;
const INT_DEC = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_PLAIN = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/**
 * Most plain scalars are names (connectors, environments) whose first character already rules a type
 * out, so look at it before running the type's expressions.
 */
function startsWithOneOf(text: string, characters: string): boolean {
  return text.length > 0 && characters.includes(text[0]!);
}

export const PLAIN_SCALAR_TYPES: readonly PlainScalarType[] = [
  {
    name: "null",
    test: (text) => text === "" || (startsWithOneOf(text, "~nN") && /^(?:~|[Nn]ull|NULL)$/.test(text)),
    construct: () => null,
  },
  {
    name: "bool",
    test: (text) => startsWithOneOf(text, "tTfF") && /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(text),
    construct: (text) => text[0] === "t" || text[0] === "T",
  },
  {
    name: "int",
    test: (text) =>
      startsWithOneOf(text, "0123456789+-") &&
      (INT_OCT.test(text) || INT_DEC.test(text) || INT_HEX.test(text)),
    construct: (text) =>
      INT_OCT.test(text)
        ? parseInt(text.substring(2), 8)
        : INT_HEX.test(text)
          ? parseInt(text.substring(2), 16)
          : parseInt(text, 10),
  },
  {
    name: "float",
    test: (text) =>
      startsWithOneOf(text, "0123456789+-.") &&
      (FLOAT_SPECIAL.test(text) || FLOAT_EXP.test(text) || FLOAT_PLAIN.test(text)),
    construct: (text) => {
      if (!FLOAT_SPECIAL.test(text)) return parseFloat(text);
      if (text.slice(-3).toLowerCase() === "nan") return NaN;
      return text[0] === "-" ? -Infinity : Infinity;
    },
  },
];

/** The value of a plain scalar. */
export function resolvePlainScalar(text: string): unknown {
  if (isSurelyText(text)) return text;
  for (const type of PLAIN_SCALAR_TYPES) if (type.test(text)) return type.construct(text);
  return text;
}

/** True when the first character starts none of the types' forms: most names, settled at once. */
function isSurelyText(text: string): boolean {
  if (text.length === 0) return false;
  const first = text.charCodeAt(0);
  const letter = (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7a;
  // n/N (null), t/T and f/F (booleans) can start a non-text value; ~ + - . and digits are not letters.
  return letter && !NON_TEXT_INITIALS.includes(text[0]!);
}

const NON_TEXT_INITIALS = "nNtTfF";
