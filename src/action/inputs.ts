import { UsageError } from "../core/errors.js";

/** The action's inputs (action.yml), as GitHub passes them: INPUT_<NAME> with the name upper-cased. */
export interface ActionInputs {
  command: "plan" | "apply" | "drift" | "validate";
  policies: string;
  githubComment: boolean;
  githubIssue: boolean;
  workingDirectory: string;
  planFile: string;
  extraArgs: string[];
  failOnDrift: boolean;
  /** validate: write SARIF here (for github/codeql-action/upload-sarif) instead of annotations. */
  sarifFile: string;
}

const COMMANDS = ["plan", "apply", "drift", "validate"] as const;

export function readInput(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

function readBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = readInput(env, name).toLowerCase();
  if (value === "") return fallback;
  if (["true", "yes", "1"].includes(value)) return true;
  if (["false", "no", "0"].includes(value)) return false;
  throw new UsageError(`input ${name} must be true or false (got "${value}")`);
}

export function parseActionInputs(env: NodeJS.ProcessEnv): ActionInputs {
  const command = readInput(env, "command") || "plan";
  if (!(COMMANDS as readonly string[]).includes(command))
    throw new UsageError(`input command must be one of ${COMMANDS.join(", ")} (got "${command}")`);
  return {
    command: command as ActionInputs["command"],
    policies: readInput(env, "policies") || "policies",
    githubComment: readBoolean(env, "github-comment", true),
    githubIssue: readBoolean(env, "github-issue", true),
    workingDirectory: readInput(env, "working-directory") || ".",
    planFile: readInput(env, "plan-file") || "ppgov-plan.json",
    extraArgs: readInput(env, "args")
      .split(/\s+/)
      .filter((arg) => arg !== ""),
    failOnDrift: readBoolean(env, "fail-on-drift", false),
    sarifFile: readInput(env, "sarif-file"),
  };
}

/** The CLI arguments for the inputs. */
export function actionArgv(inputs: ActionInputs): string[] {
  const argv: string[] = [inputs.command, "-d", inputs.policies];
  if (inputs.command === "plan") {
    // exit_code 2 = changes (action.yml), which needs detailed exit codes; the step still succeeds.
    argv.push("-o", inputs.planFile, "--detailed-exitcode");
    if (inputs.githubComment) argv.push("--github-comment");
  }
  if (inputs.command === "apply")
    argv.push("--auto-approve", ...(inputs.githubComment ? ["--github-comment"] : []));
  if (inputs.command === "drift" && inputs.githubIssue) argv.push("--github-issue");
  if (inputs.command === "validate")
    argv.push(...(inputs.sarifFile ? ["--format", "sarif", "-o", inputs.sarifFile] : ["--format", "github"]));
  return [...argv, ...inputs.extraArgs];
}

/** Environment for the CLI: the action's token and Azure inputs become the variables ppgov reads. */
export function actionEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  const token = readInput(env, "github-token");
  if (token) out.GITHUB_TOKEN = token;
  const clientId = readInput(env, "azure-client-id");
  if (clientId) out.AZURE_CLIENT_ID = clientId;
  const tenantId = readInput(env, "azure-tenant-id");
  if (tenantId) out.AZURE_TENANT_ID = tenantId;
  return out;
}

/** Whether an exit code is a step success: plan's 2 means "changes", drift's 2 "drift" (unless fail-on-drift). */
export function stepSucceeded(inputs: ActionInputs, exitCode: number): boolean {
  if (exitCode === 0) return true;
  if (exitCode !== 2) return false;
  return inputs.command === "plan" || (inputs.command === "drift" && !inputs.failOnDrift);
}
