/** Plain JSON values: the simulator stores and serves Kubernetes objects in this form, never as classes. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep copy; objects leave and enter the store only as copies. A plain walk rather than structuredClone, which
 * costs several times more on the small objects the control plane copies on every reconcile (it was 45% of
 * the CPU of preparing a problem's cluster).
 */
export function cloneJson<T extends Json>(value: T): T {
  return copyJson(value) as T;
}

function copyJson(value: Json): Json {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    const item = copyJson(value[key]!);
    // A "__proto__" key from a request body stays a plain own field, never the copy's prototype.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}

/**
 * Whether two values serialise to the same JSON text (key order included, undefined fields left out), as
 * `JSON.stringify(a) === JSON.stringify(b)` would say, without building the text: the store asks on every write.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => sameJson(item, other[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keysA = Object.keys(left).filter((k) => left[k] !== undefined);
  const keysB = Object.keys(right).filter((k) => right[k] !== undefined);
  return (
    keysA.length === keysB.length && keysA.every((k, i) => k === keysB[i] && sameJson(left[k], right[k]))
  );
}

/** A scalar field as text ('' when absent or not a scalar), for names and messages read off stored objects. */
export function text(value: Json | undefined): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
}
