import { Document, isCollection, isMap, isScalar, type Node } from "yaml";
import { pointerSegments } from "../kinds/json.js";
import type { ExportComment, ExportedDocument } from "./types.js";

/** Where editors find the schema when the export directory is not next to the repository's schemas/. */
export const POLICY_SCHEMA_ID = "https://ppgov.dev/schemas/v1/policy.schema.json";

/** The `$schema` reference of a file: relative to the file when the schema's place is known. */
export function schemaReference(path: string, schemaPath: string | undefined): string {
  if (schemaPath === undefined) return POLICY_SCHEMA_ID;
  const depth = path.split("/").length - 1;
  return `${"../".repeat(depth)}${schemaPath}`;
}

/** Path segments as the yaml package wants them: numbers for sequence indexes. */
function yamlPath(document: Document, pointer: string): (string | number)[] {
  const path: (string | number)[] = [];
  for (const segment of pointerSegments(pointer)) {
    const parent = document.getIn(path, true) as Node | undefined;
    path.push(isCollection(parent) && !isMap(parent) ? Number(segment) : segment);
  }
  return path;
}

function attach(document: Document, comment: ExportComment): void {
  const path = yamlPath(document, comment.pointer);
  if (comment.position === "trailing") {
    const node = document.getIn(path, true) as Node | undefined;
    if (node !== undefined && (isScalar(node) || isCollection(node))) node.comment = ` ${comment.text}`;
    return;
  }
  // A comment above a key: on the key node of the pair in the parent mapping.
  const parent = document.getIn(path.slice(0, -1), true) as Node | undefined;
  const key = path[path.length - 1];
  if (!isMap(parent)) return;
  const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
  if (pair !== undefined && isScalar(pair.key)) pair.key.commentBefore = ` ${comment.text}`;
}

/** One exported document as the text of its file: the schema header, the document, its comments. */
export function renderExportedDocument(exported: ExportedDocument, schemaPath?: string): string {
  const document = new Document(exported.document);
  document.commentBefore = ` yaml-language-server: $schema=${schemaReference(exported.path, schemaPath)}`;
  for (const comment of exported.comments) attach(document, comment);
  // lineWidth 0: long display names and patterns stay on one line instead of being folded.
  return document.toString({ lineWidth: 0 });
}
