export * from "./impact.js";
export * from "./types.js";
