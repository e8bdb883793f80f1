/**
 * Whether human output is coloured. `--no-color` and NO_COLOR (https://no-color.org) always win;
 * FORCE_COLOR (Node's and chalk's convention: any value but "0"/"false") colours output that is piped,
 * e.g. into `less -R` or a CI log viewer; otherwise colour only on a terminal.
 */
export function wantsColor(options: { flag: boolean; env: NodeJS.ProcessEnv; isTty: boolean }): boolean {
  if (!options.flag) return false;
  if (nonEmpty(options.env.NO_COLOR)) return false;
  const force = options.env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  return options.isTty;
}

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value !== "";
}
