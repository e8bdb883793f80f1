// What the diagnostics renderers (diagnostics.ts and the SARIF one it calls) say was checked.

/** What was checked, for the summary line and the JSON/SARIF envelopes. */
export interface DiagnosticSummary {
  /** The policy directory as the user gave it. */
  directory: string;
  fileCount: number;
  documentCount: number;
  toolVersion?: string;
}
