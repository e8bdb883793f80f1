import type { CommandRegistrar } from "../program.js";
import { registerValidate } from "./validate.js";
import { registerEmulatorCommand } from "./emulator.js";
import { registerExport } from "./export.js";

/** Every command of the CLI, in help order. */
export const commandRegistrars: readonly CommandRegistrar[] = [
  registerValidate,
  registerExport,
  registerEmulatorCommand,
];
