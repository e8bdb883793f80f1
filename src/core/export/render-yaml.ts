import { Document, isCollection, isMap, isScalar, type Node } from "yaml";
import { pointerSegments } from "../kinds/json.js";
import type { ExportComment, ExportedDocument } from "./types.js";

/**
 * The `$schema` reference of the file at `path` (relative to the export directory): `schema` itself
 * when it is a URL, else `schema` (relative to the export directory) made relative to the file.
 */
export function schemaReference(path: string, schema: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(schema)) return schema;
  const depth = path.split("/").length - 1;
  return `${"../".repeat(depth)}${schema}`;
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

/**
 * One exported document as the text of its file: the schema header (when the schema's place is known),
 * the document, its comments.
 */
export function renderExportedDocument(exported: ExportedDocument, schemaPath?: string): string {
  const document = new Document(exported.document);
  if (schemaPath !== undefined)
    document.commentBefore = ` yaml-language-server: $schema=${schemaReference(exported.path, schemaPath)}`;
  for (const comment of exported.comments) attach(document, comment);
  // lineWidth 0: long display names and patterns stay on one line instead of being folded.
  return document.toString({ lineWidth: 0 });
}
