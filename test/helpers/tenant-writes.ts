import type { RunningEmulator } from "../../src/emulator/server.js";

/** The requests an emulator received that change the tenant (listTenantSettings is a POST that only reads). */
export function tenantWrites(emulator: RunningEmulator): string[] {
  return emulator
    .requests()
    .filter((request) => request.method !== "GET" && !request.path.includes("listTenantSettings"))
    .map((request) => `${request.method} ${request.path}`);
}
