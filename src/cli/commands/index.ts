import type { CommandRegistrar } from "../program.js";
import { registerValidate } from "./validate.js";
import { registerEmulatorCommand } from "./emulator.js";
import { registerPlan } from "./register-plan.js";
import { registerApply } from "./apply.js";
import { registerDrift } from "./drift.js";
import { registerDemo } from "./demo.js";
import { registerExport } from "./export.js";
import { registerController } from "./controller.js";
import { registerExplain } from "./explain.js";
import { registerReport } from "./report.js";
import { registerCompletion } from "./completion.js";
import { registerDoctor } from "./doctor.js";
import { registerShow } from "./show.js";
import { registerForceUnlock } from "./force-unlock.js";
import { registerInit } from "./init.js";

/** Every command of the CLI, in help order. */
export const commandRegistrars: readonly CommandRegistrar[] = [
  registerInit,
  registerValidate,
  registerPlan,
  registerApply,
  registerShow,
  registerDrift,
  registerExport,
  registerExplain,
  registerReport,
  registerDoctor,
  registerDemo,
  registerEmulatorCommand,
  registerController,
  registerForceUnlock,
  registerCompletion,
];
