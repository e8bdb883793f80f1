/** What `ppgov doctor` found: a plain value the renderers print (text, JSON). */

export type Verdict = "pass" | "fail" | "skip";

export interface TokenCheck {
  scope: string;
  /** The APIs whose requests carry a token for this scope ("bap", "graph", …). */
  apis: string[];
  verdict: Exclude<Verdict, "skip">;
  detail?: string;
}

export interface ProbeRequest {
  endpoint: string;
  status: number;
}

export interface ProbeResult {
  name: string;
  api: string;
  usedBy: readonly string[];
  /** The endpoint of the probe's first request (of its only one, mostly). */
  endpoint: string | undefined;
  /** The HTTP status of its last answer; undefined when none arrived. */
  status: number | undefined;
  verdict: Verdict;
  /** What was unexpected (fail), or why it did not run (skip). */
  detail?: string;
  requests: ProbeRequest[];
}

export interface DoctorReport {
  /** What kind of credential was used ("client secret", …); never secret. */
  credential: string;
  tokens: TokenCheck[];
  probes: ProbeResult[];
  /** Every token was issued and no read failed. */
  passed: boolean;
}
