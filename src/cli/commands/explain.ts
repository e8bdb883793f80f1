import { Option } from "commander";
import { assertPolicyDirectory } from "../../adapters/fs/policy-loader.js";
import { runExplain } from "../../app/explain.js";
import type { EffectiveConnector, EffectiveGroup, EffectivePolicy } from "../../core/effective/index.js";
import { stableStringify } from "../../core/kinds/json.js";
import { compose } from "../compose.js";
import type { CliContext } from "../context.js";
import type { CommandRegistrar } from "../program.js";
import { printDiagnostics } from "./plan.js";
import { wrapList } from "../../render/plan-lines.js";

export const EXPLAIN_FORMATS = ["text", "json"] as const;
export type ExplainFormat = (typeof EXPLAIN_FORMATS)[number];

interface ExplainOptions {
  dir: string;
  live?: boolean;
  format: ExplainFormat;
}

const GROUP_TITLE: Record<EffectiveGroup, string> = {
  blocked: "Blocked (cannot be used)",
  mixed: "Mixed (business in one policy, non-business in another)",
  business: "Business",
  nonBusiness: "Non-business",
  unrestricted: "Unrestricted (no policy applies)",
};
const GROUP_ORDER: EffectiveGroup[] = ["blocked", "mixed", "business", "nonBusiness", "unrestricted"];
/** Longer groups print as a count (the JSON output lists every connector). */
const LIST_LIMIT = 40;

function mixedDetail(entry: EffectiveConnector, names: ReadonlyMap<string, string>): string {
  const side = (group: string): string =>
    Object.entries(entry.byPolicy)
      .filter(([, value]) => value === group)
      .map(([id]) => `"${names.get(id) ?? id}"`)
      .join(", ");
  return `    ${entry.connector}: business in ${side("business")}; non-business in ${side("nonBusiness")}`;
}

export function renderExplainText(effective: EffectivePolicy, source: "declared" | "live"): string {
  const { environment } = effective;
  const out: string[] = [
    `Effective DLP policy of ${environment.displayName} (${environment.id})`,
    source === "declared"
      ? "as declared: the tenant once the policies are applied (use --live for the tenant as it is now)"
      : "as live: the tenant as it is now",
    "",
  ];
  if (effective.applied.length === 0)
    out.push("No DLP policy applies to this environment: every connector can be used with any other.", "");
  else {
    out.push(`Policies that apply (${effective.applied.length}):`);
    for (const policy of effective.applied) out.push(`  - ${policy.displayName}: ${policy.why}`);
    out.push(
      "",
      "Every policy that applies is enforced: a connector blocked by any of them is blocked, and an app or",
      "flow must keep each policy's business and non-business connectors apart.",
      "",
    );
  }
  const names = new Map(effective.applied.map((policy) => [policy.id, policy.displayName]));
  for (const group of GROUP_ORDER) {
    const entries = effective.connectors.filter((entry) => entry.group === group);
    if (entries.length === 0) continue;
    out.push(`${GROUP_TITLE[group]}: ${entries.length}`);
    if (group === "mixed") {
      for (const entry of entries) out.push(mixedDetail(entry, names));
      out.push("    Connectors from different groups cannot be used together in one app or flow.");
    } else if (entries.length <= LIST_LIMIT)
      out.push(
        ...wrapList(
          entries.map((entry) => entry.connector),
          "    ",
        ),
      );
    else out.push(`    (${entries.length} connectors; --format json lists them)`);
  }
  return `${out.join("\n")}\n`;
}

export const registerExplain: CommandRegistrar = (program, context, setExitCode) => {
  program
    .command("explain")
    .description("show the DLP policies that apply to one environment and each connector's effective group")
    .argument("<environment>", "metadata.name, display name or id of the environment")
    .option("-d, --dir <dir>", "policy directory", "policies")
    .option("--live", "explain the tenant as it is now instead of as declared")
    .addOption(new Option("--format <format>", "output format").choices(EXPLAIN_FORMATS).default("text"))
    .action(async (environment: string, options: ExplainOptions) => {
      setExitCode(await runExplainCommand(environment, options, context()));
    });
};

export async function runExplainCommand(
  environment: string,
  options: ExplainOptions,
  context: CliContext,
): Promise<number> {
  await assertPolicyDirectory(options.dir, context.cwd);
  const composed = compose(context, { command: "explain" });
  const outcome = await runExplain(
    { dir: options.dir, environment, live: options.live === true },
    composed.plan,
  );
  if (outcome.status === "invalid") {
    printDiagnostics(context, options.dir, outcome.loaded, outcome.loaded.diagnostics);
    return 1;
  }
  context.stdout.write(
    options.format === "json"
      ? `${stableStringify({ source: outcome.source, ...outcome.effective }, 2)}\n`
      : renderExplainText(outcome.effective, outcome.source),
  );
  return 0;
}
