/**
 * The shape of a DLP change's effect, apart from `effect.ts` that computes it: the plan
 * (`core/plan/types.ts`) carries an effect, and `effect.ts` reads plans, so the type lives below both.
 */
import type { EffectiveGroup } from "./combine.js";

export interface ConnectorMove {
  connector: string;
  before: EffectiveGroup;
  after: EffectiveGroup;
}

export interface EnvironmentEffect {
  environmentId: string;
  environmentName: string;
  moves: ConnectorMove[];
}

/** Environments whose effective classification changes, sorted by name; [] when nothing moves. */
export type DlpEffect = EnvironmentEffect[];
