/** Plain JSON values: the simulator stores and serves Kubernetes objects in this form, never as classes. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep copy through JSON; objects leave and enter the store only as copies. */
export function cloneJson<T extends Json>(value: T): T {
  return structuredClone(value);
}

/** A scalar field as text ('' when absent or not a scalar), for names and messages read off stored objects. */
export function text(value: Json | undefined): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
}
