// Plain JSON, as the emulator keeps wire objects (types.ts), lifecycle operations and replies (http.ts).

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue | undefined;
}
