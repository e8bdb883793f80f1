import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readBlockYaml } from "../../src/core/policy/block-yaml.js";
import { parsePolicyFile } from "../../src/core/policy/parse-yaml.js";

/** What the full parser (yaml, with positions and diagnostics) reads, or undefined when it reports an error. */
function fullRead(text: string): unknown[] | undefined {
  const parsed = parsePolicyFile({ path: "p.yaml", text }, { fastPath: false });
  if (parsed.diagnostics.some((diagnostic) => diagnostic.severity === "error")) return undefined;
  return parsed.documents.map((document) => document.value);
}

describe("the block YAML reader", () => {
  it.each<[string, string, unknown[]]>([
    ["nested mappings", "a:\n  b:\n    c: 1\n  d: x\n", [{ a: { b: { c: 1 }, d: "x" } }]],
    ["a sequence below its key", "a:\n  - x\n  - y\n", [{ a: ["x", "y"] }]],
    ["a sequence at its key's indentation", "a:\n- x\n- y\nb: 1\n", [{ a: ["x", "y"], b: 1 }]],
    [
      "mappings inside a sequence",
      "a:\n  - name: x\n    id: 1\n  -   name: y\n      id: 2\n",
      [
        {
          a: [
            { name: "x", id: 1 },
            { name: "y", id: 2 },
          ],
        },
      ],
    ],
    ["an entry with its block below", "a:\n  -\n    b: 1\n  -\n", [{ a: [{ b: 1 }, null] }]],
    [
      "comments and blank lines",
      "# head\na: x # note\n\n  # indented comment\nb: # none\nc: 'q' # after quote\n",
      [{ a: "x", b: null, c: "q" }],
    ],
    ["a # inside a word", "a: x#y\n", [{ a: "x#y" }]],
    [
      "quoted scalars keep their text",
      "a: \"true\"\nb: '1'\nc: \"say 'hi': now\"\nd: ''\n",
      [{ a: "true", b: "1", c: "say 'hi': now", d: "" }],
    ],
    ["empty flow collections", "a: []\nb: {} # c\n", [{ a: [], b: {} }]],
    [
      "core-schema scalars",
      "a: 0x1F\nb: yes\nc: +.5\nd: 0b1\ne: ~\nf: True\ng: -3\nh: .inf\ni: 1e3\nj: nully\n",
      [{ a: 31, b: "yes", c: 0.5, d: "0b1", e: null, f: true, g: -3, h: Infinity, i: 1000, j: "nully" }],
    ],
    ["documents between markers", "# lead\n---\na: 1\n---\nb: 2\n", [{ a: 1 }, { b: 2 }]],
    ["a colon inside a word", "url: https://example.com/a\n", [{ url: "https://example.com/a" }]],
    ["trailing spaces", "a: x   \nb:   \n  - y  \n", [{ a: "x", b: ["y"] }]],
    [
      "flow sequences of scalars",
      "a: [x, 'y, z', \"w\", 3, true, ~]\nb: [ ] # none\nc:\n  - [p,q]\n",
      [{ a: ["x", "y, z", "w", 3, true, null], b: [], c: [["p", "q"]] }],
    ],
  ])("reads %s", (_name, text, expected) => {
    expect(readBlockYaml(text)).toEqual(expected);
    expect(fullRead(text)).toEqual(expected);
  });

  it.each<[string, string]>([
    ["tabs", "a:\n\t- x\n"],
    ["CRLF line ends", "a: 1\r\nb: 2\r\n"],
    ["a byte order mark", "\uFEFFa: 1\n"],
    ["anchors and aliases", "a: &x 1\nb: *x\n"],
    ["tags", "a: !foo 1\n"],
    ["nested flow collections", "a: [x, [y]]\n"],
    ["flow mappings", "a: {b: 1}\n"],
    ["a trailing comma in a flow sequence", "a: [x, ]\n"],
    ["a pair in a flow sequence", "a: [x: 1]\n"],
    ["a flow sequence over two lines", "a: [x,\n  y]\n"],
    ["a comment inside a flow sequence", "a: [x # c\n  ]\n"],
    ["a comment that hides the closing bracket", "a: [x #c]\n"],
    ["block scalars", "a: |\n  text\n"],
    ["multi-line plain scalars", "a: one\n  two\n"],
    ["escapes in double quotes", 'a: "x\\ty"\n'],
    ["doubled single quotes", "a: 'it''s'\n"],
    ["a comment glued to a quote", "a: 'x'#c\n"],
    ["duplicate keys", "a: 1\na: 2\n"],
    ["keys that read as other types", "true: 1\n"],
    ["numeric keys", "1: x\n"],
    ["quoted keys", '"a": 1\n'],
    ["a __proto__ key", "__proto__: 1\n"],
    ["a key of 1001 characters", `${"k".repeat(1001)}: 1\n`],
    ["an empty document", "a: 1\n---\n"],
    ["only comments", "# nothing\n"],
    ["a top-level sequence", "- a\n"],
    ["an indented top level", "  a: 1\n"],
    ["directives", "%YAML 1.2\n---\na: 1\n"],
    ["document end markers", "a: 1\n...\n"],
    ["a nested sequence on one line", "a:\n  - - x\n"],
    ["a value with a colon and space", "a: b: c\n"],
    ["a misindented line", "a:\n    b: 1\n  c: 2\n"],
    ["plain scalars that start with an indicator", "a: -x\n"],
  ])("leaves %s to the general readers", (_name, text) => {
    expect(readBlockYaml(text)).toBeUndefined();
  });

  const keyArbitrary = fc.oneof(
    fc.constantFrom("a", "b", "name", "spec", "x-y", "a.b", "a/b", "_k", "Key9"),
    fc.constantFrom("true", "null", "1", "__proto__", "key with space", "a:b", "é", "-a", "#a", ""),
  );
  const scalarArbitrary = fc.oneof(
    fc.constantFrom("x", "shared_sql", "Bench policy 001", "a#b", "a, b", "it's", "(x)", "$x", "1.2.3"),
    fc.constantFrom("~", "null", "True", "0x1F", "0o17", "1e3", "-3", "+.5", ".inf", ".nan", "007"),
    fc.constantFrom("", " lead", "trail ", "a #b", "a: b", "a:", "[]", "{}", "[a]", "-x", "- x", "#x"),
    fc.constantFrom("%x", "@x", "`x", "!x", "&x", "*x", "|", ">", "?", '"q"', "'q'", "é中", "x\\y"),
    fc.string({ maxLength: 6 }),
    fc.integer(),
    fc.double({ noNaN: true }),
  );
  const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
    tree: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalarArbitrary,
      fc.array(tie("tree"), { maxLength: 4 }),
      fc.dictionary(keyArbitrary, tie("tree"), { maxKeys: 4 }),
    ),
  }));

  /** Block YAML for a value, with formatting picked by `pick` (indent widths, quoting, comments). */
  function emit(value: unknown, pick: (choices: number) => number): string {
    const lines: string[] = [];
    const scalarText = (scalar: unknown): string => {
      const text = typeof scalar === "string" ? scalar : String(scalar);
      const quoting = pick(3);
      const body = quoting === 0 ? text : quoting === 1 ? `"${text}"` : `'${text}'`;
      return pick(4) === 0 ? `${body} # note` : body;
    };
    const block = (node: unknown, indent: number, head: string): void => {
      const pad = " ".repeat(indent);
      const scalars = Array.isArray(node) && node.every((item) => typeof item !== "object" || item === null);
      if (scalars && node.length > 0 && pick(3) === 0) {
        // A flow sequence on one line, with the items quoted or not and the spacing varied.
        const items = node.map((item) => {
          const text = String(item);
          const quoting = pick(3);
          return quoting === 0 ? text : quoting === 1 ? `"${text}"` : `'${text}'`;
        });
        const separator = [", ", ",", " , "][pick(3)]!;
        lines.push(
          `${head} [${pick(4) === 0 ? " " : ""}${items.join(separator)}]${pick(5) === 0 ? " # note" : ""}`,
        );
      } else if (Array.isArray(node) && node.length > 0) {
        lines.push(head);
        const inner = pick(3) === 0 && head.trimEnd().endsWith(":") ? indent : indent + 2 + pick(2);
        for (const item of node) entry(item, inner);
      } else if (isMapping(node) && Object.keys(node).length > 0) {
        lines.push(head);
        mapping(node, indent + 2 + pick(2));
      } else {
        const inline = Array.isArray(node) ? "[]" : isMapping(node) ? "{}" : scalarText(node);
        lines.push(`${head} ${inline}`);
      }
      if (pick(6) === 0) lines.push(`${pad}# comment`);
      if (pick(8) === 0) lines.push("");
    };
    const mapping = (node: Record<string, unknown>, indent: number): void => {
      for (const [key, child] of Object.entries(node)) block(child, indent, `${" ".repeat(indent)}${key}:`);
    };
    const entry = (item: unknown, indent: number): void => {
      const pad = " ".repeat(indent);
      if (isMapping(item) && Object.keys(item).length > 0 && pick(2) === 0) {
        const [first, ...rest] = Object.entries(item);
        const width = 2 + pick(2);
        block(first![1], indent + width, `${pad}-${" ".repeat(width - 1)}${first![0]}:`);
        mapping(Object.fromEntries(rest), indent + width);
      } else block(item, indent, `${pad}-`);
    };
    const documents = Array.isArray(value) ? value : [value];
    documents.forEach((document, index) => {
      if (index > 0 || pick(3) === 0) lines.push("---");
      if (isMapping(document)) mapping(document, 0);
      else block(document, 0, "value:");
    });
    return `${lines.join("\n")}\n`;
  }

  function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
  }

  const generatedText = fc
    .tuple(tree, fc.array(fc.nat(), { minLength: 1, maxLength: 64 }))
    .map(([value, tape]) => {
      let next = 0;
      const pick = (choices: number): number => tape[next++ % tape.length]! % choices;
      return emit(value, pick);
    });

  it("agrees with the full parser on every generated file it reads, and reads most plain ones", () => {
    let read = 0;
    fc.assert(
      fc.property(generatedText, (text) => {
        const block = readBlockYaml(text);
        if (block === undefined) return;
        read += 1;
        expect(fullRead(text)).toEqual(block);
      }),
      { numRuns: 3000 },
    );
    expect(read).toBeGreaterThan(300);
  });

  it("agrees with the full parser on generated files with a fragment spliced in", () => {
    const fragments = fc.constantFrom(
      ": ",
      "- ",
      "#",
      " #",
      "---\n",
      "\n",
      "  ",
      "[",
      "]",
      "{}",
      '"',
      "'",
      "&a ",
      "*a",
      "!t ",
      "? ",
      "|",
      "\t",
      "\r\n",
      "...\n",
      "%",
      "~",
      "true",
      "0x",
      "__proto__: 1\n",
      "a: 1\n",
      "\uFEFF",
      "\u2028",
    );
    fc.assert(
      fc.property(generatedText, fragments, fc.nat(), (text, fragment, at) => {
        const position = at % (text.length + 1);
        const spliced = `${text.slice(0, position)}${fragment}${text.slice(position)}`;
        const block = readBlockYaml(spliced);
        if (block === undefined) return;
        expect(fullRead(spliced)).toEqual(block);
      }),
      { numRuns: 3000 },
    );
  });
});
