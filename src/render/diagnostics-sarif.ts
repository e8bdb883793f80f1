import type { Diagnostic } from "../core/diagnostics.js";
import { DIAGNOSTIC_CODES, type DiagnosticCodeInfo } from "../core/policy/codes.js";
import type { DiagnosticSummary } from "./diagnostic-summary.js";

const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
const DOCS_URI = "https://ppgov.dev/docs/diagnostics";

export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: SarifRun[];
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  helpUri: string;
  defaultConfiguration: { level: "error" | "warning" };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: "error" | "warning";
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId?: string };
      region?: { startLine: number; startColumn?: number };
    };
  }[];
}

interface SarifRun {
  tool: { driver: { name: string; version?: string; informationUri: string; rules: SarifRule[] } };
  columnKind: "utf16CodeUnits";
  results: SarifResult[];
}

/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per diagnostic code (every documented code, so rule
 * indexes are stable), one result per diagnostic, locations relative to the repository root.
 */
export function renderSarif(
  diagnostics: readonly Diagnostic[],
  summary: DiagnosticSummary,
  extraCodes: Readonly<Record<string, DiagnosticCodeInfo>> = {},
): SarifLog {
  const known: Readonly<Record<string, DiagnosticCodeInfo>> = { ...DIAGNOSTIC_CODES, ...extraCodes };
  const codes = Object.keys(known);
  for (const diagnostic of diagnostics) if (!codes.includes(diagnostic.code)) codes.push(diagnostic.code);
  const rules = codes.map((code): SarifRule => {
    const info: DiagnosticCodeInfo = known[code] ?? { title: code, severity: "error" };
    return {
      id: code,
      name: ruleName(info.title),
      shortDescription: { text: info.title },
      helpUri: `${DOCS_URI}#${code.toLowerCase()}`,
      defaultConfiguration: { level: info.severity },
    };
  });
  const results = diagnostics.map((diagnostic): SarifResult => ({
    ruleId: diagnostic.code,
    ruleIndex: codes.indexOf(diagnostic.code),
    level: diagnostic.severity,
    message: { text: diagnostic.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: artifactLocation(diagnostic.file),
          ...(diagnostic.line > 0
            ? {
                region: {
                  startLine: diagnostic.line,
                  ...(diagnostic.column > 0 ? { startColumn: diagnostic.column } : {}),
                },
              }
            : {}),
        },
      },
    ],
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "ppgov",
            ...(summary.toolVersion === undefined ? {} : { version: summary.toolVersion }),
            informationUri: "https://ppgov.dev",
            rules,
          },
        },
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
}

/** Relative paths stay relative to the checkout (%SRCROOT%); absolute ones become file: URIs. */
function artifactLocation(file: string): { uri: string; uriBaseId?: string } {
  const encoded = file
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
  if (file.startsWith("/")) return { uri: `file://${encoded}` };
  return { uri: encoded.replace(/^\.\//, ""), uriBaseId: "%SRCROOT%" };
}

/** "Unknown apiVersion" → "UnknownApiVersion": SARIF rule names are identifiers. */
function ruleName(title: string): string {
  return title
    .replace(/[^A-Za-z0-9 ]+/g, " ")
    .split(/\s+/)
    .filter((word) => word !== "")
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join("");
}
