// Loading the desired state, for the use cases and commands; the loader is in core
// (core/policy/load-policies.ts) so that adapters can use it without importing src/app.
export type {
  LoadedPolicies,
  LoadOptions,
  LoadPoliciesDeps,
  PolicySource,
} from "../core/policy/load-policies.js";
export { loadPolicies } from "../core/policy/load-policies.js";
