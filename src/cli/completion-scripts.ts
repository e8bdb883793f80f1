/** What shell completion knows of the CLI: commands and their options, read from the commander tree. */
export interface CompletionOption {
  /** "--format" */
  long: string;
  /** "-d" */
  short?: string;
  description: string;
  takesValue: boolean;
  /** Allowed values, completed after the flag. */
  choices?: readonly string[];
}

export interface CompletionCommand {
  name: string;
  description: string;
  options: readonly CompletionOption[];
}

export interface CompletionSpec {
  program: string;
  globalOptions: readonly CompletionOption[];
  commands: readonly CompletionCommand[];
}

export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** The completion script of one shell. Pure. */
export function completionScript(spec: CompletionSpec, shell: CompletionShell): string {
  switch (shell) {
    case "bash":
      return bashScript(spec);
    case "zsh":
      return zshScript(spec);
    case "fish":
      return fishScript(spec);
  }
}

function flags(option: CompletionOption): string[] {
  return option.short === undefined ? [option.long] : [option.short, option.long];
}

/** Global flags followed by a value (`-C DIR`): the word after them is not the command. */
function valuedGlobalFlags(spec: CompletionSpec): string[] {
  return spec.globalOptions.filter((option) => option.takesValue).flatMap(flags);
}

/** Single-quoted for any POSIX-like shell. */
function quote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

function identifier(program: string): string {
  return program.replace(/[^A-Za-z0-9_]/g, "_");
}

/** bash: options after `-`, choices after a flag that has them, else bash's own file completion. */
function bashScript(spec: CompletionSpec): string {
  const fn = `_${identifier(spec.program)}`;
  const globals = spec.globalOptions.flatMap(flags);
  const valuedGlobals = valuedGlobalFlags(spec).join("|");
  const cases = spec.commands.map(
    (command) =>
      `    ${command.name}) opts=${quote([...command.options.flatMap(flags), ...globals, "--help"].join(" "))} ;;`,
  );
  const choiceCase = (scope: string, option: CompletionOption): string =>
    `    ${flags(option)
      .map((flag) => `${scope}:${flag}`)
      .join("|")}) choices=${quote((option.choices ?? []).join(" "))} ;;`;
  const choiceCases = [
    ...spec.commands.flatMap((command) =>
      command.options
        .filter((option) => option.choices !== undefined)
        .map((option) => choiceCase(command.name, option)),
    ),
    ...spec.globalOptions
      .filter((option) => option.choices !== undefined)
      .map((option) => choiceCase("*", option)),
  ];
  return `# ${spec.program} completion for bash: source this file, or: eval "$(${spec.program} completion bash)"
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" opts="" choices="" word
  local skip=""
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    if [[ -n "$skip" ]]; then skip=""; continue; fi
    case "$word" in ${valuedGlobals}) skip=1 ;; -*) ;; *) cmd="$word"; break ;; esac
  done
  case "$cmd:$prev" in
${choiceCases.join("\n")}
  esac
  if [[ -n "$choices" ]]; then
    COMPREPLY=($(compgen -W "$choices" -- "$cur"))
    return
  fi
  if [[ -z "$cmd" && "$cur" != -* ]]; then
    COMPREPLY=($(compgen -W ${quote(spec.commands.map((command) => command.name).join(" "))} -- "$cur"))
    return
  fi
  case "$cmd" in
${cases.join("\n")}
    *) opts=${quote([...globals, "--help", "--version"].join(" "))} ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  fi
}
complete -o default -F ${fn} ${spec.program}
`;
}

/** zsh: `_arguments` per command, descriptions shown. */
function zshScript(spec: CompletionSpec): string {
  const fn = `_${identifier(spec.program)}`;
  const escape = (text: string): string => text.replace(/[[\]:\\]/g, "\\$&");
  const argument = (option: CompletionOption): string[] => {
    const action = option.takesValue
      ? `:${escape(option.long.slice(2))}:${option.choices === undefined ? "_files" : `(${option.choices.join(" ")})`}`
      : "";
    return flags(option).map((flag) => quote(`${flag}[${escape(option.description)}]${action}`));
  };
  const globals = spec.globalOptions.flatMap(argument);
  const described = spec.commands.map((command) => quote(`${command.name}:${escape(command.description)}`));
  const cases = spec.commands.map(
    (command) =>
      `    ${command.name}) _arguments ${[...command.options.flatMap(argument), ...globals].join(" ")} '*:file:_files' ;;`,
  );
  return `#compdef ${spec.program}
# ${spec.program} completion for zsh: put this file on $fpath as _${spec.program}, or: eval "$(${spec.program} completion zsh)"
${fn}() {
  local -a commands
  commands=(${described.join(" ")})
  local i=2
  while (( i < CURRENT )) && [[ $words[i] == -* ]]; do
    case $words[i] in ${valuedGlobalFlags(spec).join("|")}) (( i++ )) ;; esac
    (( i++ ))
  done
  if (( CURRENT == i )); then
    if [[ $words[CURRENT] == -* ]]; then _arguments ${globals.join(" ")}; else _describe 'command' commands; fi
    return
  fi
  local command=$words[i]
  shift $(( i - 1 )) words
  (( CURRENT -= i - 1 ))
  case $command in
${cases.join("\n")}
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then ${fn} "$@"; else compdef ${fn} ${spec.program}; fi
`;
}

/** fish: one `complete` line per command and option. */
function fishScript(spec: CompletionSpec): string {
  const lines = [
    `# ${spec.program} completion for fish: save as ~/.config/fish/completions/${spec.program}.fish, or: ${spec.program} completion fish | source`,
  ];
  const names = spec.commands.map((command) => command.name).join(" ");
  const option = (entry: CompletionOption, condition: string): string => {
    const parts = [`complete -c ${spec.program}`, `-n ${quote(condition)}`, `-l ${entry.long.slice(2)}`];
    if (entry.short !== undefined) parts.push(`-s ${entry.short.slice(1)}`);
    if (entry.choices !== undefined) parts.push(`-x -a ${quote(entry.choices.join(" "))}`);
    else if (entry.takesValue) parts.push("-r");
    parts.push(`-d ${quote(entry.description)}`);
    return parts.join(" ");
  };
  for (const entry of spec.globalOptions) lines.push(option(entry, "true"));
  for (const command of spec.commands) {
    lines.push(
      `complete -c ${spec.program} -f -n ${quote(`not __fish_seen_subcommand_from ${names}`)} -a ${command.name} -d ${quote(command.description)}`,
    );
    for (const entry of command.options)
      lines.push(option(entry, `__fish_seen_subcommand_from ${command.name}`));
  }
  return `${lines.join("\n")}\n`;
}
