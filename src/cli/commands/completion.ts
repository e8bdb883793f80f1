import { Argument, type Command, type Option } from "commander";
import {
  COMPLETION_SHELLS,
  completionScript,
  type CompletionOption,
  type CompletionShell,
  type CompletionSpec,
} from "../completion-scripts.js";
import type { CommandRegistrar } from "../program.js";

export const registerCompletion: CommandRegistrar = (program, context, setExitCode) => {
  program
    .command("completion")
    .description("print a shell completion script (bash, zsh or fish)")
    .addArgument(new Argument("<shell>", "the shell").choices(COMPLETION_SHELLS))
    .action((shell: CompletionShell) => {
      // Read when run, not when registered: every command is on the program by then.
      context().stdout.write(completionScript(completionSpec(program), shell));
      setExitCode(0);
    });
};

/** The commander tree as completion sees it (hidden options and commands left out). */
export function completionSpec(program: Command): CompletionSpec {
  return {
    program: program.name(),
    globalOptions: visibleOptions(program.options),
    commands: program.commands.map((command) => ({
      name: command.name(),
      description: command.description(),
      options: visibleOptions(command.options),
    })),
  };
}

function visibleOptions(options: readonly Option[]): CompletionOption[] {
  return options
    .filter((option) => !option.hidden && option.long !== undefined)
    .map((option) => ({
      long: option.long ?? "",
      ...(option.short === undefined ? {} : { short: option.short }),
      description: option.description,
      takesValue: option.required || option.optional,
      ...(option.argChoices === undefined ? {} : { choices: option.argChoices }),
    }));
}
