export * from "./combine.js";
export * from "./effect.js";
export * from "./policy-view.js";
export * from "./coverage.js";
