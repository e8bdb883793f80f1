/** The controller's Prometheus metrics, rendered in the text exposition format (version 0.0.4). */

const DURATION_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600] as const;

export class ControllerMetrics {
  private readonly reconciles = new Map<string, number>();
  private readonly bucketCounts: number[] = DURATION_BUCKETS.map(() => 0);
  private durationSum = 0;
  private durationCount = 0;
  lastSuccessSeconds = 0;
  driftedResources = 0;
  apiCalls = 0;
  throttled = 0;

  recordReconcile(mode: string, result: "success" | "failure", durationSeconds: number): void {
    const key = `mode="${mode}",result="${result}"`;
    this.reconciles.set(key, (this.reconciles.get(key) ?? 0) + 1);
    DURATION_BUCKETS.forEach((bound, index) => {
      if (durationSeconds <= bound) this.bucketCounts[index] = (this.bucketCounts[index] ?? 0) + 1;
    });
    this.durationSum += durationSeconds;
    this.durationCount += 1;
  }

  render(): string {
    const out: string[] = [
      "# HELP ppgov_reconcile_total Reconcile cycles run, by mode and result.",
      "# TYPE ppgov_reconcile_total counter",
    ];
    if (this.reconciles.size === 0) out.push('ppgov_reconcile_total{mode="",result="success"} 0');
    for (const [labels, value] of [...this.reconciles].sort())
      out.push(`ppgov_reconcile_total{${labels}} ${value}`);
    out.push(
      "# HELP ppgov_reconcile_duration_seconds Duration of reconcile cycles.",
      "# TYPE ppgov_reconcile_duration_seconds histogram",
    );
    DURATION_BUCKETS.forEach((bound, index) =>
      out.push(`ppgov_reconcile_duration_seconds_bucket{le="${bound}"} ${this.bucketCounts[index] ?? 0}`),
    );
    out.push(
      `ppgov_reconcile_duration_seconds_bucket{le="+Inf"} ${this.durationCount}`,
      `ppgov_reconcile_duration_seconds_sum ${this.durationSum}`,
      `ppgov_reconcile_duration_seconds_count ${this.durationCount}`,
      "# HELP ppgov_last_success_timestamp_seconds Unix time of the last successful reconcile.",
      "# TYPE ppgov_last_success_timestamp_seconds gauge",
      `ppgov_last_success_timestamp_seconds ${this.lastSuccessSeconds}`,
      "# HELP ppgov_drifted_resources Resources that differed from the policies at the last reconcile.",
      "# TYPE ppgov_drifted_resources gauge",
      `ppgov_drifted_resources ${this.driftedResources}`,
      "# HELP ppgov_api_calls_total Requests sent to the tenant's APIs.",
      "# TYPE ppgov_api_calls_total counter",
      `ppgov_api_calls_total ${this.apiCalls}`,
      "# HELP ppgov_throttled_total Responses with status 429 from the tenant's APIs.",
      "# TYPE ppgov_throttled_total counter",
      `ppgov_throttled_total ${this.throttled}`,
      "",
    );
    return out.join("\n");
  }
}
