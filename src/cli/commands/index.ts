import type { CommandRegistrar } from "../program.js";

/** Every command of the CLI, in help order. */
export const commandRegistrars: readonly CommandRegistrar[] = [];
