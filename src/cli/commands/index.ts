import type { CommandRegistrar } from "../program.js";
import { registerValidate } from "./validate.js";

/** Every command of the CLI, in help order. */
export const commandRegistrars: readonly CommandRegistrar[] = [registerValidate];
